"""Themes, phone width, contrast, remembered settings, and the README screenshots' steps (taken here
into a temporary folder; `python -m tests.screenshots` writes docs/screenshots).

Screenshots use the app's sample photos only: dev photos must never be committed.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image

from tests.page_support import open_app, open_section
from tests.screenshots import take_screenshots

pytestmark = pytest.mark.browser


def _luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


COLORS_JS = """(vars) => {
  const probe = document.createElement('span');
  document.body.append(probe);
  const out = {};
  for (const v of vars) {
    probe.style.setProperty('color', `var(${v})`);
    out[v] = getComputedStyle(probe).color;
  }
  probe.remove();
  return out;
}"""


def check_contrast(page) -> None:
    c = page.evaluate(COLORS_JS, ["--fg", "--bg", "--muted", "--card", "--accent", "--on-accent", "--error"])
    assert contrast(c["--fg"], c["--bg"]) >= 7
    assert contrast(c["--muted"], c["--card"]) >= 4.5
    assert contrast(c["--muted"], c["--bg"]) >= 4.5
    assert contrast(c["--on-accent"], c["--accent"]) >= 4.5
    assert contrast(c["--error"], c["--card"]) >= 4.5


def test_themes_phone_width_settings_and_screenshots(live_server, browser_context, tmp_path):
    page = open_app(browser_context, live_server.url)
    shots = take_screenshots(page, tmp_path)
    names = ["first-screen.png", "desktop-light.png", "phone.png", "desktop-dark.png"]
    assert [p.name for p in shots] == names
    for path in shots:
        with Image.open(path) as img:
            assert img.width in (1366, 390)
    assert page.locator("#results li.result[data-state=done]").count() == 3

    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    check_contrast(page)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    check_contrast(page)
    page.emulate_media(color_scheme="light")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")

    # Nothing sticks out sideways at a small phone's width, with results and the inspector open.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1366, "height": 768})

    # Settings, the theme choice and whether "Fine-tune edges" was open survive a reload; "Reset
    # edges" brings back the defaults. "About this engine" stays closed until asked.
    page.locator("#opt-background").select_option("color")
    page.locator("#opt-color").fill("#2f6f4f")
    page.locator("#opt-background").select_option("transparent")
    open_section(page, "fine-tune")
    page.locator("#opt-refine").select_option("guided")
    page.locator("#opt-decontaminate").uncheck()
    page.get_by_role("button", name="Switch to the dark theme").click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.reload()
    page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=120_000)
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert page.locator("#fine-tune").evaluate("(d) => d.open") is True
    assert page.locator("#about-engine").evaluate("(d) => d.open") is False
    assert page.locator("#opt-refine").input_value() == "guided"
    assert not page.locator("#opt-decontaminate").is_checked()
    page.locator("#opt-background").select_option("color")
    assert page.get_by_role("button", name="Use colour #2f6f4f").count() == 1
    page.get_by_role("button", name="Reset edges").click()
    assert page.locator("#opt-refine").input_value() == "none"
    assert page.locator("#opt-decontaminate").is_checked()
    page.locator("#fine-tune > summary").click()
    page.reload()
    page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=120_000)
    assert page.locator("#fine-tune").evaluate("(d) => d.open") is False

    # The engine's details are one click away, not on the first screen.
    open_section(page, "about-engine")
    details = page.locator("#status-details").inner_text()
    assert "Pyodide" in details and "Cross-origin isolated" in details
    assert page.ui_errors == []
