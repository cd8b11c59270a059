"""Touch-up brushes in the inspector, in a real Chromium with the real model (issue 17).

A Keep stroke over a region the model erased and an Erase stroke over one it kept, drawn with the
mouse and with touch; the exported PNG's alpha there; undo restoring the previous pixels exactly
and redo reapplying them; the edits file saved from the page replayed by bgcut in CPython and by
the CLI (`bgremove --edits`); a loaded file, a bad one, the look and "Run again" keeping the edits,
and a batch where each photo keeps its own.

The photos are dev photos scaled down in memory (tests/page_support.small_png), so each stroke's
worker recompute is quick; nothing here asserts a time.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS
from tests.page_support import decode, fetch_bytes, open_app, small_png, wait_done

pytestmark = pytest.mark.browser

LONG_SIDE = 400
BRUSH_PX = 36  # on screen; the stroke file holds it in photo pixels

CANVAS_BOX_JS = """() => { const r = document.getElementById('edit-preview').getBoundingClientRect();
  return {x: r.left, y: r.top, width: r.width, height: r.height}; }"""
REMOVE_WITH_EDITS_JS = """async ([b64, edits]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], 'photo.png', { type: 'image/png' });
  const r = await window.bgremoveApp.remove(file, { format: 'image/png', edits });
  const b = new Uint8Array(await r.blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
  return btoa(s);
}"""
DOWNLOAD_ENDS_JS = "(end) => document.querySelector('#results a.download').download.endsWith(end)"
SETTLED_JS = """(n) => { const s = document.getElementById('stage');
  return s.dataset.applying === 'false' && s.dataset.preview !== 'true'
    && document.getElementById('edit-state').textContent.startsWith(`${n} stroke`); }"""


@pytest.fixture
def touch_context(playwright_instance):
    """A browser with a touch screen as well as a mouse (hasTouch), fresh profile."""
    profile = tempfile.mkdtemp(prefix="bgremove-chromium-")
    context = playwright_instance.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1280, "height": 900}, has_touch=True)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def rgba_of(data: bytes) -> np.ndarray:
    img = decode(data)
    assert img.mode == "RGBA", img.mode
    return np.asarray(img)


def card_png(page, index: int = 0) -> bytes:
    href = page.locator("#results a.download").nth(index).get_attribute("href")
    return fetch_bytes(page, href)


def uniform_centre(alpha: np.ndarray, value: int, r: int,
                   avoid: list[tuple[int, int]] = ()) -> tuple[int, int]:
    """A pixel whose whole (2r+1)-square has exactly `value`, far from the points in `avoid`."""
    hit = (alpha == value).astype(np.int64)
    s = np.pad(hit.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    k = 2 * r + 1
    full = s[k:, k:] - s[:-k, k:] - s[k:, :-k] + s[:-k, :-k] == k * k
    ys, xs = np.nonzero(full)
    for y, x in zip(ys + r, xs + r, strict=True):
        if all(abs(int(x) - ax) > 3 * r or abs(int(y) - ay) > 3 * r for ax, ay in avoid):
            return int(x), int(y)
    raise AssertionError(f"no {k}x{k} patch of alpha {value} in this photo")


def client_points(page, size: tuple[int, int], centre: tuple[int, int],
                  half: int) -> list[tuple[float, float]]:
    """A short horizontal stroke through `centre` (photo pixels), as page coordinates."""
    box = page.evaluate(CANVAS_BOX_JS)
    w, h = size
    cx, cy = centre
    return [(box["x"] + (x + 0.5) * box["width"] / w, box["y"] + (cy + 0.5) * box["height"] / h)
            for x in range(cx - half, cx + half + 1, max(1, half // 3))]


def mouse_stroke(page, points) -> None:
    page.mouse.move(*points[0])
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*p, steps=2)
    page.mouse.up()


def touch_stroke(page, points) -> None:
    """A one-finger stroke through the DevTools protocol's touch events (Chromium turns them into
    pointer events with pointerType 'touch', as on a phone)."""
    cdp = page.context.new_cdp_session(page)
    x, y = points[0]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for x, y in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def settle(page, strokes: int) -> None:
    page.wait_for_function(SETTLED_JS, arg=strokes, timeout=120_000)


def photo_radius(page, width: int) -> float:
    return BRUSH_PX / 2 * width / page.evaluate(CANVAS_BOX_JS)["width"]


def bgremove_cli() -> str:
    exe = Path(sys.executable).with_name("bgremove")
    if not exe.is_file():
        pytest.fail(f"{exe} missing: pip install -e . (setup does)")
    return str(exe)


def test_brushes_mouse_touch_undo_redo_and_the_cli(live_server, touch_context, dev_ten, tmp_path):
    sample = dev_ten[3]
    png = small_png(sample.image, LONG_SIDE)
    other = small_png(dev_ten[6].image, LONG_SIDE)
    photo = tmp_path / f"{sample.stem}.png"
    photo.write_bytes(png)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    h, w = rgb.shape[:2]

    page = open_app(touch_context, live_server.url)
    model = page.evaluate("() => window.bgremoveReady.model.id")
    page.locator("#file-input").set_input_files([
        {"name": photo.name, "mimeType": "image/png", "buffer": png},
        {"name": "other.png", "mimeType": "image/png", "buffer": other},
    ])
    wait_done(page, 2)
    base = card_png(page)
    other_before = card_png(page, 1)
    alpha0 = rgba_of(base)[..., 3]
    assert alpha0.shape == (h, w)

    page.get_by_role("button", name=f"Inspect {photo.name}").click()
    page.wait_for_function("() => document.getElementById('view-after').complete")
    page.locator("#brush-size").fill(str(BRUSH_PX))
    page.locator("#brush-snap").uncheck()  # hard strokes: the painted pixels are exactly 0 or 255
    r = photo_radius(page, w)
    inner = max(2, int(r * 0.5))

    # Mouse: Keep over a region the model erased, then Erase (key E) over one it kept.
    page.keyboard.press("b")
    assert page.locator("input[name=tool][value=keep]").is_checked()
    keep_at = uniform_centre(alpha0, 0, int(r) + 4)
    mouse_stroke(page, client_points(page, (w, h), keep_at, inner))
    settle(page, 1)
    one = rgba_of(card_png(page))
    assert one[keep_at[1], keep_at[0], 3] == 255

    page.keyboard.press("e")
    erase_at = uniform_centre(alpha0, 255, int(r) + 4, avoid=[keep_at])
    mouse_stroke(page, client_points(page, (w, h), erase_at, inner))
    settle(page, 2)
    two = rgba_of(card_png(page))
    assert two[erase_at[1], erase_at[0], 3] == 0
    assert two[keep_at[1], keep_at[0], 3] == 255
    # Far from both strokes nothing moved.
    far = np.ones((h, w), bool)
    for x, y in (keep_at, erase_at):
        far[max(0, y - 3 * int(r)):y + 3 * int(r), max(0, x - 3 * int(r)):x + 3 * int(r)] = False
    assert np.array_equal(two[..., 3][far], alpha0[far])

    # Undo restores the previous pixels exactly; redo puts the stroke back.
    page.keyboard.press("Control+z")
    settle(page, 1)
    assert np.array_equal(rgba_of(card_png(page)), one)
    page.locator("#edit-undo").click()
    settle(page, 0)
    assert card_png(page) == base
    page.locator("#edit-redo").click()
    settle(page, 1)
    assert np.array_equal(rgba_of(card_png(page)), one)
    page.keyboard.press("Control+Shift+z")
    settle(page, 2)
    assert np.array_equal(rgba_of(card_png(page)), two)

    # Touch: the same tools with one finger, snapping on this time.
    page.locator("#brush-snap").check()
    page.keyboard.press("b")
    keep2 = uniform_centre(alpha0, 0, int(r) + 4, avoid=[keep_at, erase_at])
    touch_stroke(page, client_points(page, (w, h), keep2, inner))
    settle(page, 3)
    page.keyboard.press("e")
    erase2 = uniform_centre(alpha0, 255, int(r) + 4, avoid=[keep_at, erase_at, keep2])
    touch_stroke(page, client_points(page, (w, h), erase2, inner))
    settle(page, 4)
    four = rgba_of(card_png(page))
    assert four[keep2[1], keep2[0], 3] > alpha0[keep2[1], keep2[0]]
    assert four[erase2[1], erase2[0], 3] < alpha0[erase2[1], erase2[0]]
    page.keyboard.press("Control+z")
    settle(page, 3)
    three = rgba_of(card_png(page))
    assert three[erase2[1], erase2[0], 3] == alpha0[erase2[1], erase2[0]]
    page.keyboard.press("Control+Shift+z")
    settle(page, 4)
    assert np.array_equal(rgba_of(card_png(page)), four)

    # The edits file, as the page saves it.
    with page.expect_download() as dl:
        page.locator("#edits-save").click()
    assert dl.value.suggested_filename == f"{photo.name}.json"
    edits_path = tmp_path / "edits.json"
    dl.value.save_as(edits_path)
    edits = json.loads(edits_path.read_text())
    assert edits["version"] == 1 and edits["photo"] == {"width": w, "height": h}
    assert [(s["mode"], s["snap"]) for s in edits["strokes"]] == [
        ("keep", False), ("erase", False), ("keep", True), ("erase", True)]

    # bgcut in CPython, from the unedited alpha, gives the page's edited alpha.
    from bgcut import edits as bgedits

    replayed = bgedits.apply_edits(alpha0.astype(np.float32) / 255, rgb, bgedits.parse_edits(edits, w, h))
    replayed_u8 = np.clip(np.round(replayed * 255), 0, 255).astype(int)
    assert np.abs(replayed_u8 - four[..., 3].astype(int)).max() <= 1

    # The CLI with the same model and the same file: the same alpha within 1/255 on average (the
    # unedited cut-outs agree so: tests/test_browser_api.py), exact where the hard strokes painted.
    if "--edits" not in subprocess.run([bgremove_cli(), "--help"], capture_output=True, text=True).stdout:
        pytest.fail("bgremove has no --edits option")
    out = tmp_path / "cli"
    subprocess.run([bgremove_cli(), "-q", "-o", str(out), "--format", "mask", "--model", model,
                    "--edits", str(edits_path), str(photo)], check=True, capture_output=True, timeout=300)
    cli = np.asarray(Image.open(out / f"{sample.stem}.png").convert("L")).astype(int)
    diff = np.abs(cli - four[..., 3].astype(int))
    assert diff.mean() <= 1, diff.mean()
    for x, y in (keep_at, erase_at):
        assert diff[y, x] == 0

    # The API (and so the widget, which passes remove()'s options on) applies the same file in one call.
    out = page.evaluate(REMOVE_WITH_EDITS_JS, [base64.b64encode(png).decode(), edits])
    assert np.array_equal(rgba_of(base64.b64decode(out))[..., 3], four[..., 3])

    # A bad edits file is refused with a message and loses nothing.
    bad = dict(edits, photo={"width": w + 1, "height": h})
    page.locator("#edits-load").set_input_files(
        {"name": "bad.json", "mimeType": "application/json", "buffer": json.dumps(bad).encode()})
    page.wait_for_function("() => document.getElementById('status-line').textContent.includes('Could not')")
    assert page.locator("#edit-state").text_content().startswith("4 strokes")
    # A good one replaces the strokes: back to none, then load -> the same result as drawn.
    for n in (3, 2, 1, 0):
        page.keyboard.press("Control+z")
        settle(page, n)
    page.locator("#edits-load").set_input_files(str(edits_path))
    settle(page, 4)
    assert np.array_equal(rgba_of(card_png(page)), four)

    # The look keeps the edits: the mask format is the edited alpha.
    page.locator("#opt-format").select_option("mask")
    page.wait_for_function(DOWNLOAD_ENDS_JS, arg="-mask.png")
    mask = np.asarray(decode(card_png(page)).convert("L"))
    assert np.array_equal(mask, four[..., 3])
    page.locator("#opt-format").select_option("image/png")
    page.wait_for_function(DOWNLOAD_ENDS_JS, arg="-cutout.png")

    # In the batch the other photo kept its own (no) edits, and the ZIP has the edited one.
    assert card_png(page, 1) == other_before
    with page.expect_download() as dl:
        page.locator("#download-zip").click()
    dl.value.save_as(tmp_path / "all.zip")
    with zipfile.ZipFile(tmp_path / "all.zip") as zf:
        assert np.array_equal(rgba_of(zf.read(f"{sample.stem}-cutout.png")), four)
        assert zf.read("other-cutout.png") == other_before

    # [ and ] change the brush size.
    page.locator("#stage").focus()
    page.keyboard.press("]")
    assert int(page.locator("#brush-size").input_value()) > BRUSH_PX
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert int(page.locator("#brush-size").input_value()) < BRUSH_PX

    # Zoom and pan keep working with a brush on, and add no stroke: the wheel, Space + drag, two fingers.
    page.keyboard.press("b")
    page.locator("#stage").scroll_into_view_if_needed()
    box = page.evaluate(CANVAS_BOX_JS)
    mid = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*mid)
    page.mouse.wheel(0, -400)
    style = "(p) => document.getElementById('stage').style.getPropertyValue(p)"
    page.wait_for_function(f"() => parseFloat(({style})('--zoom')) > 1")
    pan = f"() => ({style})('--pan-x')"
    page.locator("#stage").focus()
    before_pan = page.evaluate(pan)
    page.keyboard.down(" ")
    mouse_stroke(page, [mid, (mid[0] + 60, mid[1]), (mid[0] + 120, mid[1])])
    page.keyboard.up(" ")
    assert page.evaluate(pan) != before_pan
    before_pan = page.evaluate(pan)
    cdp = page.context.new_cdp_session(page)
    for kind, dx in (("touchStart", 0), ("touchMove", -40), ("touchMove", -80), ("touchEnd", None)):
        points = [] if dx is None else [{"x": mid[0] + dx, "y": mid[1], "id": 1},
                                        {"x": mid[0] + dx + 100, "y": mid[1] + 10, "id": 2}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    cdp.detach()
    assert page.evaluate(pan) != before_pan
    # A stroke would be in the list at once (the page adds it on pointerup).
    assert page.locator("#edit-state").text_content() == "4 strokes"
    assert np.array_equal(rgba_of(card_png(page)), four)
    page.locator("#zoom-reset").click()

    # "Run again" asks; OK keeps the strokes, which are applied to the new cut-out.
    page.once("dialog", lambda d: d.accept())
    page.locator("#fine-tune > summary").click()
    page.locator("#rerun").click()
    wait_done(page, 2)  # the click set both cards back to queued at once
    assert np.array_equal(rgba_of(card_png(page)), four)
    assert page.ui_errors == []
