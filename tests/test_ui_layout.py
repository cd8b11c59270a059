"""Themes, phone width, contrast, remembered settings, and the README screenshots (taken here, in Chromium).

Screenshots use scikit-image's bundled sample photos only: dev photos must never be committed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.test_ui_support import open_app, wait_done

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def sample_photos() -> list[dict]:
    from skimage import data

    out = []
    for name in ("astronaut", "coffee", "chelsea"):
        buf = io.BytesIO()
        Image.fromarray(getattr(data, name)()).save(buf, "PNG")
        out.append({"name": f"{name}.png", "mimeType": "image/png", "buffer": buf.getvalue()})
    return out


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


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
    # 256 colours keep the committed PNGs small; the UI has few colours besides the photos.
    shot.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        SHOTS / name, optimize=True)


def test_themes_phone_width_settings_and_screenshots(live_server, browser_context):
    page = open_app(browser_context, live_server.url)
    page.emulate_media(color_scheme="light")
    page.locator("#opt-model").select_option("u2netp-fp32")
    page.wait_for_function("() => window.bgremoveApp.info.model.id === 'u2netp-fp32'"
                           " && !document.getElementById('file-input').disabled", timeout=120_000)
    page.locator("#file-input").set_input_files(files=sample_photos())
    wait_done(page, 3)
    page.locator("#opt-background").select_option("color")
    page.locator("#opt-color").fill("#2f6f4f")
    page.locator("#opt-background").select_option("transparent")
    page.get_by_role("button", name="Inspect astronaut.png").click()
    page.get_by_label("Before / after split").fill("55")
    page.wait_for_function("() => document.getElementById('view-after').complete")

    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    check_contrast(page)
    shoot(page, "desktop-light.png")

    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    check_contrast(page)
    shoot(page, "desktop-dark.png")

    page.emulate_media(color_scheme="light")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    page.set_viewport_size({"width": 375, "height": 812})
    # Nothing sticks out sideways at phone width.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    shoot(page, "phone.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Settings and the theme choice survive a reload; "Reset edges" brings back the defaults.
    page.locator("#opt-refine").select_option("guided")
    page.locator("#opt-decontaminate").uncheck()
    page.get_by_role("button", name="Switch to the dark theme").click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.reload()
    page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=120_000)
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert page.locator("#opt-refine").input_value() == "guided"
    assert not page.locator("#opt-decontaminate").is_checked()
    page.locator("#opt-background").select_option("color")
    assert page.get_by_role("button", name="Use colour #2f6f4f").count() == 1
    page.get_by_role("button", name="Reset edges").click()
    assert page.locator("#opt-refine").input_value() == "none"
    assert page.locator("#opt-decontaminate").is_checked()
    assert page.ui_errors == []
