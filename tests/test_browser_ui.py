"""The page itself: choose, drop or paste a photo, see the cut-out over a checkerboard, download it."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import wait_for_ready

pytestmark = pytest.mark.browser

# Dispatches a real drop or paste event carrying a File built from base64 bytes.
DISPATCH_JS = """
([kind, b64, name, type]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, { type }));
  if (kind === 'drop') {
    document.getElementById('drop-zone').dispatchEvent(
      new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  } else {
    document.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }
}
"""


@pytest.fixture
def app_page(live_server, browser_context):
    page = browser_context.new_page()
    page.goto(live_server.url + "/")
    wait_for_ready(page)
    return page


def test_choose_see_and_download(app_page, dev_ten, tmp_path):
    page = app_page
    # Reachable by its label, so keyboard and screen-reader users find it.
    chooser = page.get_by_label("Choose photos")
    assert chooser.is_enabled()
    page.get_by_label("Format").select_option("mask")
    chooser.set_input_files(str(dev_ten[4].image))
    item = page.locator("#results li.result").first
    item.locator("a.download").wait_for(timeout=120_000)
    assert item.get_attribute("data-state") == "done"
    img = item.locator("img.after")
    assert "checkerboard" in img.get_attribute("class")
    assert img.get_attribute("alt")
    assert img.evaluate("(el) => el.complete && el.naturalWidth") > 0
    bg = img.evaluate("(el) => getComputedStyle(el).backgroundImage")
    assert "conic-gradient" in bg
    with page.expect_download() as dl:
        item.locator("a.download").press("Enter")  # keyboard activation
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.name == f"{dev_ten[4].image.stem}-mask.png"
    with Image.open(path) as out, Image.open(dev_ten[4].image) as src:
        assert out.size == src.size
        arr = np.asarray(out)
    assert 0 < arr[..., 0].mean() < 255


def test_drop_and_paste_then_a_bad_file_shows_its_error(app_page, dev_ten):
    page = app_page
    raw = base64.b64encode(dev_ten[6].image.read_bytes()).decode()
    page.evaluate(DISPATCH_JS, ["drop", raw, dev_ten[6].image.name, "image/jpeg"])
    page.locator("#results li[data-state=done]").first.wait_for(timeout=120_000)
    page.evaluate(DISPATCH_JS, ["paste", raw, "pasted.jpg", "image/jpeg"])
    page.wait_for_function("() => document.querySelectorAll('#results li[data-state=done]').length === 2",
                           timeout=120_000)
    bad = base64.b64encode(b"not an image").decode()
    page.evaluate(DISPATCH_JS, ["drop", bad, "notes.png", "image/png"])
    err = page.locator("#results li[data-state=error]").first
    err.wait_for(timeout=60_000)
    assert "not an image the browser can read" in err.inner_text()
    assert "notes.png" in page.locator("#status-line").inner_text()
    # A result is a real RGBA PNG with transparency by default.
    src = page.locator("#results li[data-state=done] img.after").first.get_attribute("src")
    b64 = page.evaluate(
        "async (u) => { const b = new Uint8Array(await (await fetch(u)).arrayBuffer()); let s = '';"
        " for (let i = 0; i < b.length; i += 0x8000) {"
        " s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000)); }"
        " return btoa(s); }", src)
    with Image.open(io.BytesIO(base64.b64decode(b64))) as img:
        assert img.mode == "RGBA"
        alpha = np.asarray(img)[..., 3]
    assert alpha.min() == 0 and alpha.max() == 255
