"""The README's screenshots of the page, taken in Chromium with the app's own sample photos.

    .venv/bin/python -m tests.screenshots            # rewrites docs/screenshots/*.png
    .venv/bin/python -m tests.screenshots OUT_DIR    # anywhere else

tests/test_page_layout.py runs the same steps into a temporary folder, so they keep working. Only
the sample photos under web/samples are used (public domain / CC0): dev photos are never committed.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from PIL import Image

from tests.page_support import open_app, wait_done

ROOT = Path(__file__).resolve().parents[1]
DOCS_SHOTS = ROOT / "docs" / "screenshots"
SAMPLES = ROOT / "web" / "samples"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def sample_files(*names: str) -> list[dict]:
    return [{"name": n, "mimeType": "image/jpeg", "buffer": (SAMPLES / n).read_bytes()} for n in names]


def shoot(page, path: Path, *, full_page: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement?.blur()")  # no focus ring left by the last step
    shot = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    # 256 colours keep the committed PNGs small; the UI has few colours besides the photos.
    shot.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    return path


def clear(page) -> None:
    if page.locator("#results li.result").count() > 1:
        page.get_by_role("button", name="Clear").click()
    for button in page.locator("#results li.result button[aria-label^='Remove ']").all():
        button.click()
    page.wait_for_function("() => document.body.dataset.photos === '0'")


def take_screenshots(page, out_dir: Path) -> list[Path]:
    """page: the app, engine ready. Leaves it in the light theme at laptop size with three results."""
    shots = []
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(LAPTOP)
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    shots.append(shoot(page, out_dir / "first-screen.png"))

    # One photo: what a person sees after choosing it, without scrolling.
    page.locator("#file-input").set_input_files(files=sample_files("astronaut.jpg"))
    wait_done(page, 1)
    page.get_by_label("Before / after split for astronaut.jpg").fill("45")
    shots.append(shoot(page, out_dir / "desktop-light.png"))

    page.set_viewport_size(PHONE)
    page.evaluate("() => window.scrollTo(0, 0)")
    shots.append(shoot(page, out_dir / "phone.png"))

    # A batch in the dark theme, with a background colour and the inspector open.
    clear(page)
    page.set_viewport_size(LAPTOP)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    page.locator("#file-input").set_input_files(files=sample_files("astronaut.jpg", "cat.jpg", "coffee.jpg"))
    wait_done(page, 3)
    page.locator("#opt-background").select_option("color")
    page.locator("#opt-color").fill("#2f6f4f")
    page.wait_for_function("""() => [...document.querySelectorAll('#results li.result')]
      .every((li) => li.dataset.look === document.body.dataset.look)""")
    page.get_by_role("button", name="Inspect cat.jpg").click()
    page.wait_for_function("() => document.getElementById('view-after').complete")
    shots.append(shoot(page, out_dir / "desktop-dark.png", full_page=True))

    page.locator("#opt-background").select_option("transparent")
    page.emulate_media(color_scheme="light")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    return shots


def main(argv: list[str]) -> int:
    from server.app import create_app
    from tests.browser_support import launch_chromium, start_server

    out_dir = Path(argv[0]) if argv else DOCS_SHOTS
    from playwright.sync_api import sync_playwright

    server = start_server(create_app())
    try:
        with sync_playwright() as pw:
            context, profile = launch_chromium(pw)
            try:
                page = open_app(context, server.url)
                for path in take_screenshots(page, out_dir):
                    print(f"{path}: {path.stat().st_size} bytes")
            finally:
                context.close()
                shutil.rmtree(profile, ignore_errors=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
