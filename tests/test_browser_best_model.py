"""The "Best quality" model (full U²-Net) in the page, in a real Chromium with the real models.

One flow, because U²-Net on WASM costs several seconds a photo: the page offers the tiers, the
person chooses Best quality, it downloads once with progress into IndexedDB (the service worker
never precaches it), and its masks match the native CLI's on the same WASM variant (mean within
1/255, as tests/test_browser_api.py holds U²-Netp to); then, with the server stopped and Chromium
offline, the page starts on it from the cache and cuts out a second dev photo, matched the same way.
Separately, a device without the memory for it gets a message and keeps the Fast model.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import wait_for_ready
from tests.page_support import wait_done
from tests.static_hosting import deploy
from tests.test_browser_api import mask_diff, run_cli
from tests.test_model_tiers import manifest_with_best
from tests.test_offline_browser import copy_web, wait_for_offline_ready

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MEAN_BOUND = 1 / 255

# The page's own remover, as the page runs it: a photo in, its mask PNG out (base64).
REMOVE_JS = """async ({b64}) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const r = await window.bgremoveApp.remove(new Blob([bytes], {type: 'image/jpeg'}), {format: 'mask'});
  const png = new Uint8Array(await r.blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < png.length; i += 0x8000) s += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return {model: r.model, backend: r.backend, png: btoa(s)};
}"""

# Records every model download progress event and the status bar's state while it runs.
WATCH_PROGRESS_JS = """() => {
  window.seenProgress = [];
  const bar = document.getElementById('status-progress');
  new MutationObserver(() => {
    if (!bar.hidden) window.seenProgress.push({value: bar.value, max: bar.max});
  }).observe(bar, {attributes: true});
}"""


def page_mask(page, image) -> tuple[dict, np.ndarray]:
    out = page.evaluate(REMOVE_JS, {"b64": base64.b64encode(image.read_bytes()).decode()})
    with Image.open(io.BytesIO(base64.b64decode(out["png"]))) as im:
        return out, np.asarray(im.convert("L"))


def wait_for_model(page, architecture: str) -> dict:
    page.wait_for_function(
        "(a) => window.bgremoveApp && window.bgremoveApp.info.model.architecture === a",
        arg=architecture, timeout=240_000)
    return page.evaluate("() => window.bgremoveApp.info")


def test_best_model_chosen_downloaded_cached_and_offline(browser_context, tmp_path, dev_ten):
    manifest = manifest_with_best()
    best = manifest["tiers"]["best"]
    wasm_id = manifest["runtime_variants"][best["architecture"]]["wasm"]
    wasm_entry = next(m for m in manifest["models"] if m["id"] == wasm_id)
    photos = [dev_ten[2], dev_ten[7]]
    cli = run_cli([p.image for p in photos], tmp_path / "cli", wasm_id, "--format", "mask")

    web = copy_web(tmp_path / "web")
    server = deploy("flask", web)
    try:
        page = browser_context.new_page()
        page.goto(server.url + "/")
        info = wait_for_ready(page)
        assert info["model"]["architecture"] == manifest["tiers"]["fast"]["architecture"]
        labels = dict(page.eval_on_selector_all("#opt-model option",
                                                "os => os.map((o) => [o.value, o.textContent])"))
        assert labels["fast"].startswith("Fast (") and "MB" in labels["fast"], labels
        # WASM warms up on a small input, which says nothing of a photo's time: no estimate yet.
        assert info["backend"] == "wasm" and info["warmUpAtModelSize"] is False, info
        assert labels["best"].startswith("Best quality, "), labels
        assert "per photo" not in labels["best"], labels
        # After a Fast photo: its model run times the tier's cost, "about N s per photo".
        page.locator("#file-input").set_input_files(str(photos[0].image))
        wait_done(page, 1)
        best_label = page.locator("#opt-model option[value=best]").text_content()
        m = re.search(r"about (\d+(?:\.\d)?) s per photo on this device", best_label)
        assert m and 0.1 <= float(m[1]) <= 120, best_label
        wait_for_offline_ready(page)
        precached = page.evaluate("async () => (await Promise.all((await caches.keys()).map(async (n) => "
                                  "(await (await caches.open(n)).keys()).map((r) => r.url)))).flat()")
        assert not [u for u in precached if u.endswith(".onnx")], "the service worker cached a model"

        page.evaluate(WATCH_PROGRESS_JS)
        page.locator("#opt-model").select_option("best")
        info = wait_for_model(page, best["architecture"])
        assert (info["model"]["id"], info["model"]["source"], info["backend"]) == (wasm_id, "network", "wasm")
        assert info["plan"] == manifest["plans"].get(best["architecture"], {})
        seen = page.evaluate("() => window.seenProgress")
        assert seen and seen[-1]["max"] == wasm_entry["bytes"], seen[-3:]
        cached = page.evaluate("""(sha) => new Promise((resolve, reject) => {
          const req = indexedDB.open('bgremove-models');
          req.onsuccess = () => {
            const get = req.result.transaction('bytes').objectStore('bytes').get(sha);
            get.onsuccess = () => resolve(get.result ? get.result.byteLength : 0);
            get.onerror = () => reject(get.error);
          };
          req.onerror = () => reject(req.error);
        })""", wasm_entry["sha256"])
        assert cached == wasm_entry["bytes"]

        out, alpha = page_mask(page, photos[0].image)
        assert out["model"] == wasm_id
        with Image.open(cli[photos[0].stem]) as im:
            mean, _ = mask_diff(alpha, np.asarray(im.convert("L")))
        assert mean <= MEAN_BOUND, mean
    finally:
        server.stop()

    # Offline from here: the choice was remembered, the model comes from IndexedDB.
    browser_context.set_offline(True)
    try:
        page.reload()
        info = wait_for_ready(page)
        assert (info["model"]["id"], info["model"]["source"]) == (wasm_id, "cache")
        assert page.locator("#opt-model").input_value() == "best"
        out, alpha = page_mask(page, photos[1].image)
    finally:
        browser_context.set_offline(False)
    with Image.open(cli[photos[1].stem]) as im:
        mean, _ = mask_diff(alpha, np.asarray(im.convert("L")))
    assert mean <= MEAN_BOUND, mean


def test_no_memory_for_best_keeps_fast(live_server, browser_context):
    """A device whose budget cannot hold U²-Net beside a photo: a message, and Fast keeps working."""
    manifest = manifest_with_best()
    fast_arch = manifest["tiers"]["fast"]["architecture"]
    page = browser_context.new_page()
    page.goto(live_server.url + "/?memory-budget-mb=256")
    wait_for_ready(page)
    page.locator("#opt-model").select_option("best")
    note = page.locator("#model-note")
    note.wait_for(state="visible")
    text = note.text_content()
    assert "memory" in text and "Fast model" in text, text
    assert page.locator("#opt-model").input_value() == "fast"
    assert page.evaluate("() => window.bgremoveApp.info.model.architecture") == fast_arch
    # The API says the same before downloading anything.
    message = page.evaluate("""async () => {
      try { await BgRemover.create({model: 'best'}); } catch (err) { return err.message; }
      return null;
    }""")
    assert message and "memory" in message, message


def test_widget_takes_tier_names(live_server, browser_context):
    """The widget passes `model` to the same engine: an unknown name comes back listing the tiers."""
    manifest_with_best()
    page = browser_context.new_page()
    page.goto(live_server.url + "/demo/embed-host.html")
    page.wait_for_function("() => customElements.get('bg-remover') !== undefined")
    message = page.evaluate("""async () => {
      try { await BgRemover.create({model: 'bestest'}); } catch (err) { return err.message; }
      return null;
    }""")
    assert message and "bestest" in message and "fast, best" in message, message
    event = page.evaluate("""() => new Promise((resolve) => {
      const el = document.createElement('bg-remover');
      el.setAttribute('model', 'bestest');
      el.addEventListener('bgremove-error', (e) => resolve(e.detail.message));
      document.body.append(el);
    })""")
    assert "fast, best" in event, event
