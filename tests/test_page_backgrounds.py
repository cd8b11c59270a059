"""Every background and format choice in the page gives the expected pixels where the photo is background."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.page_support import (
    background_pixels,
    decode,
    fetch_bytes,
    open_app,
    small_png,
    use_model,
    wait_done,
)

pytestmark = pytest.mark.browser

LINK = "#results li.result a.download"


def current_href(page) -> str:
    return page.locator(LINK).first.get_attribute("href")


def look(page) -> int:
    return int(page.evaluate("() => document.body.dataset.look || '0'"))


def choose(page, action) -> Image.Image:
    """Apply one settings change and return the export once the card shows the new settings."""
    before = look(page)
    action()
    page.wait_for_function(
        """([sel, before]) => {
          const now = Number(document.body.dataset.look || 0);
          const li = document.querySelector(sel).closest('li');
          return now > before && li.dataset.state === 'done' && li.dataset.look === String(now);
        }""", arg=[LINK, before], timeout=30_000)
    return decode(fetch_bytes(page, current_href(page)))


def blurred_original(src: Image.Image) -> np.ndarray:
    """What "blurred original" should look like: a strong blur of the photo, built here with Pillow."""
    small = src.copy()
    small.thumbnail((64, 64), Image.Resampling.BOX)
    small = small.filter(ImageFilter.GaussianBlur(2))
    return np.asarray(small.resize(src.size, Image.Resampling.BILINEAR)).astype(int)


def test_backgrounds_and_formats_give_the_expected_pixels(live_server, browser_context, dev_ten):
    sample = dev_ten[0]
    png = small_png(sample.image)
    src = decode(png).convert("RGB")
    w, h = src.size
    candidates = background_pixels(sample.gt, (w, h))
    assert candidates, f"{sample.stem} has no clear background to sample"

    page = open_app(browser_context, live_server.url)
    # The full-precision model and the edge threshold, so background pixels are exactly transparent and every
    # check below is about the page's compositing, not the model's judgement.
    use_model(page, "u2netp-fp32")
    assert "u2netp-fp32" in page.locator("#status-details").text_content()
    page.get_by_label("Edge threshold").check()
    page.locator("#file-input").set_input_files(
        files=[{"name": "sample.png", "mimeType": "image/png", "buffer": png}])
    wait_done(page, 1)

    # Default: PNG with transparency, the engine's own file.
    img = decode(fetch_bytes(page, current_href(page)))
    assert img.mode == "RGBA" and img.size == (w, h)
    alpha = np.asarray(img)[..., 3]
    # Sample where the person marked background and the model agrees (alpha exactly 0).
    clear = [(x, y) for x, y in candidates if alpha[y, x] == 0]
    assert len(clear) >= len(candidates) // 2, f"too much background kept: {len(clear)}/{len(candidates)}"
    x, y = clear[len(clear) // 2]
    assert alpha.max() == 255, "the subject should stay opaque"

    # A colour: exactly that colour where the photo is background.
    page.locator("#opt-background").select_option("color")
    img = choose(page, lambda: page.locator("#opt-color").fill("#ff0000"))
    assert img.getpixel((x, y)) == (255, 0, 0, 255)
    # It is remembered among the recent colours.
    assert page.get_by_role("button", name="Use colour #ff0000").count() == 1

    # JPEG on the chosen colour, then on white when the background is transparent.
    img = choose(page, lambda: page.get_by_label("Format").select_option("image/jpeg"))
    assert img.format == "JPEG" and img.size == (w, h)
    r, g, b = img.getpixel((x, y))
    assert r > 240 and g < 20 and b < 20
    img = choose(page, lambda: page.locator("#opt-background").select_option("transparent"))
    assert min(img.getpixel((x, y))) > 245

    # WebP keeps its alpha.
    img = choose(page, lambda: page.get_by_label("Format").select_option("image/webp"))
    assert img.format == "WEBP" and img.mode == "RGBA"
    assert img.getpixel((x, y))[3] <= 2

    # The blurred original, on PNG: close to a blur of the photo at that spot.
    page.get_by_label("Format").select_option("image/png")
    img = choose(page, lambda: page.locator("#opt-background").select_option("blur"))
    got = np.asarray(img.convert("RGB")).astype(int)[y, x]
    want = blurred_original(src)[y, x]
    assert np.abs(got - want).max() < 30, (got, want)
    assert img.getpixel((x, y))[3] == 255

    # The person's own image, scaled to cover.
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 128, 255)).save(buf, "PNG")
    page.locator("#opt-background").select_option("image")
    img = choose(page, lambda: page.get_by_label("Background image").set_input_files(
        files=[{"name": "bg.png", "mimeType": "image/png", "buffer": buf.getvalue()}]))
    assert img.getpixel((x, y)) == (0, 128, 255, 255)

    # The mask: 0 where the photo is background, opaque, full size.
    img = choose(page, lambda: page.get_by_label("Format").select_option("mask"))
    assert img.size == (w, h)
    assert img.convert("RGBA").getpixel((x, y)) == (0, 0, 0, 255)
    assert np.asarray(img.convert("L")).max() == 255

    # Sizes: half, and a cap on the longest side.
    img = choose(page, lambda: page.get_by_label("Size").select_option("50"))
    assert img.size == (round(w / 2), round(h / 2))
    page.get_by_label("Size").select_option("max")
    img = choose(page, lambda: page.get_by_label("Longest side (px)").fill("100") or
                 page.get_by_label("Longest side (px)").dispatch_event("change"))
    assert max(img.size) == 100

    # The inspector: compare slider, zoom, and the mask view all work from the card.
    page.get_by_role("button", name="Inspect sample.png").click()
    stage = page.locator("#stage")
    page.get_by_label("Before / after split", exact=True).fill("30")
    assert stage.evaluate("(el) => el.style.getPropertyValue('--split')") == "30%"
    page.get_by_role("button", name="Zoom in").click()
    assert float(stage.evaluate("(el) => el.style.getPropertyValue('--zoom')")) > 1
    page.get_by_role("radio", name="Mask").check()
    page.wait_for_function("() => document.getElementById('view-after').alt.startsWith('Mask of')")

    # Copy puts a PNG on the clipboard.
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy to the clipboard: sample.png").click()
    page.wait_for_function("() => document.getElementById('status-line').textContent.includes('clipboard')")
    assert "copied" in page.locator("#status-line").inner_text()
    pasted = page.evaluate("""async () => {
      const [item] = await navigator.clipboard.read();
      const blob = await item.getType('image/png');
      const bmp = await createImageBitmap(blob);
      return [bmp.width, bmp.height];
    }""")
    assert max(pasted) == 100  # the size setting (longest side 100 px) applies here too
    assert page.ui_errors == []
