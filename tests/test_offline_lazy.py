"""A first visit without WebGPU never downloads the WebGPU build of ONNX Runtime; when an engine has
used a lazy runtime file, the page's 'cache-lazy' message makes the service worker keep it."""

from __future__ import annotations

import json
import time

import pytest

from server.app import create_app
from tests.browser_support import RequestLog, start_server, wait_for_ready
from tests.test_offline_browser import copy_web

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WEBGPU_ONLY = ("ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.wasm",
               "ort-wasm-simd-threaded.asyncify.mjs")

CACHED = """async (paths) => {
  const name = (await caches.keys()).find((n) => n.startsWith('bgremove-'));
  if (!name) return null;
  const cache = await caches.open(name);
  const out = {};
  for (const p of paths) out[p] = Boolean(await cache.match(p));
  return out;
}"""


def poll(page, paths: list[str], done, timeout_s: float = 120) -> dict | None:
    """The cache's view of paths, once done(view) holds (the worker works in the background)."""
    deadline = time.monotonic() + timeout_s
    while True:
        view = page.evaluate(CACHED, paths)
        if done(view) or time.monotonic() > deadline:
            return view
        time.sleep(0.5)


def test_first_visit_skips_webgpu_runtime_and_keeps_it_when_asked(browser_context, tmp_path):
    # Its own copy of the site, with a precache list written for it: one deploy, whole.
    web = copy_web(tmp_path / "web")
    runtime = json.loads((web / "vendor" / "runtime.json").read_text())
    webgpu = [f["path"] for f in runtime["files"] if f["path"].rsplit("/", 1)[1] in WEBGPU_ONLY]
    assert len(webgpu) == 3, webgpu
    log = RequestLog()
    log.attach(browser_context)
    server = start_server(create_app(web_root=web))
    try:
        page = browser_context.new_page()
        page.goto(server.url + "/")
        info = wait_for_ready(page)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
        assert poll(page, webgpu, lambda view: view is not None) is not None, "no cache after install"
        assert info["backend"] == "wasm", info
        # The page and its service worker fetched neither the WebGPU bundle nor its wasm.
        fetched = {r.url.removeprefix(server.url) for r in log.requests}
        assert not fetched & set(webgpu), sorted(fetched & set(webgpu))
        assert page.evaluate(CACHED, webgpu) == dict.fromkeys(webgpu, False)
        # An engine that used them (a WebGPU device) asks the worker to keep them for offline use;
        # the worker checks each against this build's sha256 before storing it.
        page.evaluate("""async (paths) => {
          const reg = await navigator.serviceWorker.ready;
          reg.active.postMessage({ type: 'cache-lazy', paths });
        }""", webgpu)
        kept = poll(page, webgpu, lambda view: all(view.values()))
        assert kept == dict.fromkeys(webgpu, True), kept
    finally:
        server.stop()
