"""Helpers shared by the page tests (tests/test_page_*.py and others): open the app, read results back."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageOps

from tests.browser_support import wait_for_ready

# Reads any blob: URL of the page back as base64.
FETCH_B64_JS = """
async (u) => {
  const b = new Uint8Array(await (await fetch(u)).arrayBuffer());
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
  return btoa(s);
}
"""


def open_app(context, url: str, *, viewport: dict | None = None):
    page = context.new_page()
    if viewport:
        page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(url + "/")
    wait_for_ready(page)
    page.ui_errors = errors  # checked by the tests at the end
    return page


def fetch_bytes(page, url: str) -> bytes:
    return base64.b64decode(page.evaluate(FETCH_B64_JS, url))


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def oriented_size(path) -> tuple[int, int]:
    """The size the browser shows (EXIF orientation applied)."""
    with Image.open(path) as img:
        return ImageOps.exif_transpose(img).size


def small_png(path, long_side: int = 320) -> bytes:
    """A dev photo scaled down in memory (never written to the repo) so pixel checks run fast."""
    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        img.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, "PNG")
        return buf.getvalue()


def background_pixels(
    gt_path, size: tuple[int, int], margin: int = 8, step: int = 16
) -> list[tuple[int, int]]:
    """Pixels deep inside the human-marked background (alpha 0 in a whole patch around each)."""
    with Image.open(gt_path) as gt:
        g = np.asarray(ImageOps.exif_transpose(gt).convert("L").resize(size, Image.Resampling.BILINEAR))
    w, h = size
    return [(x, y) for y in range(margin, h - margin, step) for x in range(margin, w - margin, step)
            if g[y - margin:y + margin + 1, x - margin:x + margin + 1].max() == 0]


def wait_done(page, count: int, timeout_ms: int = 180_000) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('#results li.result[data-state=done] a.download').length >= n",
        arg=count, timeout=timeout_ms)


def open_section(page, section_id: str) -> None:
    """Open a collapsed <details> section ("Fine-tune edges", "About this engine") as a person would."""
    details = page.locator(f"#{section_id}")
    if not details.evaluate("(d) => d.open"):
        details.locator(":scope > summary").click()
    page.wait_for_function("(id) => document.getElementById(id).open", arg=section_id)


def use_model(page, model_id: str) -> None:
    """Pick a model id (listed under "Exact variants" in the Model panel) and wait until the engine
    runs it; "Fine-tune edges" is opened too, for the edge settings callers change next."""
    open_section(page, "fine-tune")
    page.locator("#opt-model").select_option(model_id)
    page.wait_for_function("(id) => window.bgremoveApp && window.bgremoveApp.info.model.id === id",
                           arg=model_id, timeout=120_000)


# Whether an element's box overlaps the visible part of the page (the viewport, as it is now).
IN_VIEW_JS = """(el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.top < window.innerHeight && r.left < window.innerWidth;
}"""


def in_view(locator) -> bool:
    return locator.evaluate(IN_VIEW_JS)
