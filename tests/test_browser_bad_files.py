"""Bad and unusual files, engine crashes and privacy, in a real Chromium against the live app.

Each refused file must reject remove() with a message that says what is wrong, and the next file
must still work; files both sides accept must give the native CLI's mask (bounds as in
test_browser_api.py). The page is opened with ?testhooks=1, which alone lets the test make the
engine worker crash on purpose.
"""

from __future__ import annotations

import base64
import io
import shutil
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import RequestLog, launch_chromium, wait_for_ready
from tests.test_browser_api import (
    MAX_BOUND,
    MEAN_BOUND,
    WASM_MODEL,
    create_remover,
    mask_diff,
    mask_from_png,
    reject_in_page,
    remove_in_page,
    run_cli,
)
from tests.test_native_bad_files import (
    HEIC_START,
    SVG_WITH_SCRIPT,
    animated_gif,
    cmyk_jpeg,
    exif_rotated_jpeg,
    huge_bmp_header,
    huge_gif_header,
    huge_jpeg_header,
    huge_png_header,
    jpeg_bytes,
    palette_png_with_transparency,
    photo,
    png_bytes,
    sixteen_bit_grey_png,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hooked_page(live_server, playwright_instance):
    context, profile = launch_chromium(playwright_instance)
    log = RequestLog()
    log.attach(context)
    sockets: list[str] = []
    page = context.new_page()
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(live_server.url + "/?testhooks=1")
    wait_for_ready(page)
    create_remover(page, "r", model=WASM_MODEL, backend="wasm")
    yield page, log, sockets
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_refused_files_say_why(hooked_page, dev_ten):
    page, *_ = hooked_page
    img = photo(dev_ten[0].image)
    jpeg = jpeg_bytes(img)
    cases = [
        ("empty.png", b"", "image/png", "This file is empty"),
        ("notes.png", b"just some text\n", "image/png", "This file is not an image the browser can read"),
        ("half.jpg", jpeg[: len(jpeg) // 2], "image/jpeg", "This JPEG file is incomplete"),
        ("huge.png", huge_png_header(), "image/png",
         'This image is too large ("huge.png"): its PNG header says 30000x30000, 900.0 MP; '
         "the limit is 64 megapixels."),
        ("huge.jpg", huge_jpeg_header(img), "image/jpeg",
         'This image is too large ("huge.jpg"): its JPEG header says 30000x30000, 900.0 MP; '
         "the limit is 64 megapixels."),
        ("huge.gif", huge_gif_header(), "image/gif",
         'This image is too large ("huge.gif"): its GIF header says 20000x20000, 400.0 MP'),
        ("huge.bmp", huge_bmp_header(), "image/bmp",
         'This image is too large ("huge.bmp"): its BMP header says 20000x20000, 400.0 MP'),
        ("drawing.svg", SVG_WITH_SCRIPT, "image/svg+xml", "SVG images are not supported"),
        ("photo.heic", HEIC_START, "image/heic", "This HEIC file is damaged or incomplete"),
    ]
    for name, data, mime, expected in cases:
        msg = reject_in_page(page, "r", data, name, mime)
        assert msg and msg.startswith(expected), (name, msg)
        if data:
            assert name in msg, msg
    r = remove_in_page(page, "r", None, {"format": "mask"}, data=jpeg, name="ok.jpg", mime="image/jpeg")
    assert (r["width"], r["height"]) == (480, 360)


def test_unusual_files_match_the_cli(hooked_page, dev_ten, tmp_path):
    page, *_ = hooked_page
    img = photo(dev_ten[3].image)
    cases = {
        "cmyk.jpg": (cmyk_jpeg(img), "image/jpeg"),
        "grey16.png": (sixteen_bit_grey_png(img), "image/png"),
        "grey.png": (png_bytes(img.convert("L")), "image/png"),
        "palette.png": (palette_png_with_transparency(img), "image/png"),
        "rotated.jpg": (exif_rotated_jpeg(img, 6), "image/jpeg"),
        "rotated8.jpg": (exif_rotated_jpeg(img, 8), "image/jpeg"),
        "anim.gif": (animated_gif(img), "image/gif"),
    }
    avif = io.BytesIO()
    img.save(avif, "AVIF", quality=90)
    cases["photo.avif"] = (avif.getvalue(), "image/avif")  # Chromium decodes AVIF: it just works
    paths = []
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    native = run_cli([p for p in paths if p.suffix != ".avif"], tmp_path / "cli", WASM_MODEL,
                     "--format", "mask")
    diffs = {}
    for path in paths:
        data, mime = cases[path.name]
        r = remove_in_page(page, "r", None, {"format": "mask"}, data=data, name=path.name, mime=mime)
        expected_size = (360, 480) if path.name.startswith("rotated") else (480, 360)
        assert (r["width"], r["height"]) == expected_size, path.name
        warnings = page.evaluate(
            "async ([b64, name]) => (await r.remove(new File([Uint8Array.from(atob(b64), (c) => "
            "c.charCodeAt(0))], name), {format: 'mask'})).warnings",
            [base64.b64encode(data).decode(), path.name],
        ) if path.suffix == ".gif" else []
        if path.suffix == ".gif":
            assert warnings == ["Animated GIF: only the first frame was used."], warnings
        browser = mask_from_png(r["bytes"])
        if path.suffix == ".avif":
            assert 0.02 < browser.mean() / 255 < 0.98
            continue
        with Image.open(native[path.stem]) as out:
            diffs[path.name] = mask_diff(browser, np.asarray(out))
    print("\nunusual files, browser vs CLI (mean, max)/255:",
          {k: (round(m * 255, 3), round(x * 255)) for k, (m, x) in diffs.items()})
    for name, (mean, worst) in diffs.items():
        assert mean <= MEAN_BOUND and worst <= MAX_BOUND, (name, mean, worst)
    # rotated*.jpg: the CLI turns the pixels with ImageOps.exif_transpose, so a zero mask difference
    # at swapped dimensions means the browser turned them the same way (6 and 8 both pass).


CRASH_JS = """
async ([mode, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = (n) => new File([bytes], n, { type: 'image/jpeg' });
  await r._testCrash(mode);
  // Two jobs queued: the first is in flight when the worker dies, the second waits behind it.
  const first = r.remove(file('first.jpg'), { format: 'mask' });
  const second = r.remove(file('second.jpg'), { format: 'mask' });
  let failed = null;
  try { await first; } catch (e) { failed = e.message; }
  const ok = await second;
  const third = await r.remove(file('third.jpg'), { format: 'mask' });
  return { failed, second: [ok.width, ok.height], third: [third.width, third.height] };
}
"""


@pytest.mark.parametrize("mode", ["trap", "uncaught"])
def test_engine_crash_fails_one_file_and_recovers(hooked_page, dev_ten, mode):
    page, *_ = hooked_page
    data = jpeg_bytes(photo(dev_ten[5].image))
    out = page.evaluate(CRASH_JS, [mode, base64.b64encode(data).decode()])
    assert out["failed"] and out["failed"].startswith(
        "The engine stopped unexpectedly while processing this image"), out
    assert out["failed"].endswith("it has been restarted."), out
    assert out["second"] == [480, 360] and out["third"] == [480, 360], out


def test_crash_hook_needs_the_page_flag(hooked_page, live_server):
    """Without ?testhooks=1 the worker refuses the crash request: no user option can reach it."""
    page = hooked_page[0].context.new_page()
    page.goto(live_server.url + "/")
    wait_for_ready(page)
    create_remover(page, "plain", model=WASM_MODEL, backend="wasm")
    msg = page.evaluate("async () => { try { await plain._testCrash('trap'); } catch (e) "
                        "{ return e.message; } return null; }")
    page.close()
    assert msg and "unknown request" in msg, msg


def test_no_request_left_the_origin_or_carried_data(hooked_page, live_server):
    """Last in the module: everything above (many photos, crashes, restarts) stayed local."""
    _, log, sockets = hooked_page
    assert log.requests, "the request log is empty"
    assert not sockets
    bad = []
    for req in log.requests:
        parts = urlsplit(req.url)
        if parts.scheme in ("blob", "data"):
            continue  # in-memory URLs inside the page; no network involved
        if f"{parts.scheme}://{parts.netloc}" != live_server.url:
            bad.append(("origin", req.url))
        if req.method not in ("GET", "HEAD"):
            bad.append(("method", req.method, req.url))
        if req.post_data_buffer:
            bad.append(("body", req.url))
        if req.resource_type in ("ping", "eventsource", "websocket"):
            bad.append(("type", req.resource_type, req.url))
        if "/leak" in req.url:  # the refused SVG's script would have asked for it
            bad.append(("svg script ran", req.url))
        if len(req.url) > 300 or "base64" in req.url:
            bad.append(("url", req.url[:120]))
    assert not bad, bad
