"""The main flow with the keyboard only: choose a photo, change a setting, inspect, download one and all."""

from __future__ import annotations

import zipfile

import pytest

from tests.page_support import open_app, wait_done

pytestmark = pytest.mark.browser

ACTIVE = ("() => { const a = document.activeElement;"
          " return a.id || a.getAttribute('aria-label') || a.tagName; }")


def tab_to(page, predicate_js: str, limit: int = 80, key: str = "Tab") -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"{key} never reached {predicate_js}; stuck at {page.evaluate(ACTIVE)}")


def focus_visible(page) -> bool:
    """The focused element (or the button-like label of a hidden file input) draws a focus outline."""
    return page.evaluate("""() => {
      const a = document.activeElement;
      const el = a.type === 'file' ? document.querySelector(`label[for="${a.id}"]`) : a;
      const s = getComputedStyle(el);
      return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    }""")


def test_keyboard_only_main_flow(live_server, browser_context, dev_ten, tmp_path):
    page = open_app(browser_context, live_server.url)
    page.locator("body").focus()

    # The skip link comes first and leads to the picker.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    tab_to(page, "() => document.activeElement.id === 'file-input'", limit=10)
    assert focus_visible(page)
    # The OS file dialog cannot be driven headless: hand the files to the focused input instead.
    photos = [dev_ten[2].image, dev_ten[8].image]
    page.locator(":focus").set_input_files([str(p) for p in photos])
    wait_done(page, 2)

    # A setting, changed with the arrow keys on its focused select.
    tab_to(page, "() => document.activeElement.id === 'opt-format'", limit=60)
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.getElementById('opt-format').value === 'image/webp'")
    page.wait_for_function("""() => [...document.querySelectorAll('#results a.download')]
      .every((a) => a.download.endsWith('.webp'))""")

    # Back up to the batch controls (above the cards), then ZIP everything.
    tab_to(page, "() => document.activeElement.id === 'download-zip'", key="Shift+Tab")
    assert focus_visible(page)
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    dl.value.save_as(tmp_path / "all.zip")
    with zipfile.ZipFile(tmp_path / "all.zip") as zf:
        assert sorted(zf.namelist()) == sorted(f"{p.stem}-cutout.webp" for p in photos)

    # The first card's Download is its first control.
    tab_to(page, "() => document.activeElement.matches('#results a.download')")
    assert focus_visible(page)
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    assert dl.value.suggested_filename == f"{photos[0].stem}-cutout.webp"

    # Inspect: open from its button, zoom with +, close with Escape; focus goes back to the button.
    tab_to(page, "() => document.activeElement.textContent === 'Inspect'", limit=10)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "viewer-heading"
    tab_to(page, "() => document.activeElement.id === 'stage'", limit=15)
    page.keyboard.press("+")
    assert float(page.locator("#stage").evaluate("(el) => el.style.getPropertyValue('--zoom')")) > 1
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Escape")
    assert page.locator("#viewer").is_hidden()
    assert page.evaluate("() => document.activeElement.textContent") == "Inspect"

    # "Fine-tune edges" opens from the keyboard too.
    tab_to(page, "() => document.activeElement.matches('#fine-tune > summary')")
    page.keyboard.press("Enter")
    assert page.locator("#fine-tune").evaluate("(d) => d.open")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "opt-refine"
    assert page.ui_errors == []
