"""The widget on another site, in a real Chromium: the demo host page (served by a plain server on
a second origin, no special headers) embeds the app with the documented snippet and gets cut-outs
back; forged messages from a third origin are ignored on both sides; a host missing from the
allow-list gets a clear error. Each runs twice: the app on our Flask server, and the static export
behind nginx (tests/static_hosting.py)."""

from __future__ import annotations

import base64
import io
import mimetypes
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import assert_same_cutout, native_mask, start_server
from tests.static_hosting import BACKENDS, deploy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "web" / "demo"


def static_site(root: Path):
    """The smallest WSGI file server: no CSP, no COOP/COEP, like an ordinary third-party site."""

    def app(environ, start_response):
        path = (root / environ["PATH_INFO"].lstrip("/")).resolve()
        if root not in path.parents or not path.is_file():
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [path.read_bytes()]

    return app


def host_site(tmp: Path, app_url: str) -> Path:
    """The demo page with the snippet pointing at the app's origin, as an embedder would write it."""
    tmp.mkdir()
    for name in ("embed-host.html", "embed-host.js", "embed-host.css"):
        shutil.copy(DEMO / name, tmp / name)
    page = tmp / "embed-host.html"
    snippet = '<script src="/embed.js" defer></script>'
    text = page.read_text()
    assert snippet in text, "the demo page must carry the documented snippet"
    page.write_text(text.replace(snippet, f'<script src="{app_url}/embed.js" defer></script>'))
    (tmp / "forger.html").write_text("<!doctype html><title>another site</title><p>forger</p>\n")
    return tmp.resolve()


@pytest.fixture(scope="module", params=BACKENDS)
def sites(request, tmp_path_factory):
    """Host (127.0.0.1:A), a third site (127.0.0.1:C), and the app on localhost:B allowing only A."""
    root = host_site(tmp_path_factory.mktemp("sites") / "host", "http://APP")
    host = start_server(static_site(root))
    third = start_server(static_site(root))
    app = deploy(request.param, ROOT / "web", f"'self' {host.url}")
    app_url = f"http://localhost:{app.port}"
    page = root / "embed-host.html"
    page.write_text(page.read_text().replace("http://APP", app_url))
    yield {"host": host.url, "third": third.url, "app": app_url}
    for server in (host, third, app):
        server.stop()


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def _alpha(png_b64: str) -> np.ndarray:
    with Image.open(io.BytesIO(base64.b64decode(png_b64))) as im:
        assert im.mode == "RGBA", im.mode
        return np.asarray(im)[..., 3].astype(np.float32) / 255


REMOVE_VIA_API = """async ({b64}) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const stages = [];
  window.remover ??= await BgRemover.create({onProgress: (p) => stages.push(p.stage)});
  const r = await window.remover.remove(new Blob([bytes], {type: 'image/jpeg'}), {format: 'image/png'});
  const png = new Uint8Array(await r.blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < png.length; i += 0x8000) s += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return {isBlob: r.blob instanceof Blob, type: r.blob.type, width: r.width, height: r.height,
          backend: r.backend, timings: r.timings, info: window.remover.info, stages, png: btoa(s)};
}"""


WIDGET_READY = """() => [...document.querySelectorAll('#events li')]
  .some((li) => li.textContent.startsWith('ready'))"""


def _engine_frame(page, app_url: str):
    frames = [f for f in page.frames if f.url.startswith(app_url + "/embed/frame.html")]
    assert frames, [f.url for f in page.frames]
    return frames


def test_host_page_gets_a_cutout_through_the_snippet(sites, browser_context, dev_ten, tmp_path):
    console = []
    page = browser_context.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.goto(sites["host"] + "/embed-host.html")
    assert page.evaluate("() => typeof BgRemover.create") == "function"
    assert page.evaluate("() => crossOriginIsolated") is False

    sample = dev_ten[1]
    out = page.evaluate(REMOVE_VIA_API, {"b64": _b64(sample.image)})
    with Image.open(sample.image) as im:
        assert (out["width"], out["height"]) == im.size
    assert out["isBlob"] and out["type"] == "image/png"
    assert out["backend"] in ("wasm", "webgpu")
    assert "ready" in out["stages"]
    # Inside a non-isolated host the frame is not isolated either: one WASM thread, still working.
    assert out["info"]["crossOriginIsolated"] is False
    assert out["info"]["backends"]["wasm"]["threads"] is False
    assert_same_cutout(_alpha(out["png"]), native_mask(sample.image, out["info"]["model"]["id"], tmp_path))

    # remove()'s own onProgress gets that photo's preview when the plan runs the model again.
    seen = page.evaluate("""async ({b64}) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const seen = [];
      await window.remover.remove(new Blob([bytes], {type: 'image/jpeg'}), {extra_passes: 'always',
        onProgress: (p) => seen.push({stage: p.stage, blob: p.blob instanceof Blob})});
      return seen;
    }""", {"b64": _b64(sample.image)})
    assert {"stage": "preview", "blob": True} in seen, seen

    # The element: a file chosen in its shadow DOM comes back as a bgremove-result event.
    page.wait_for_function(WIDGET_READY, timeout=120_000)
    page.evaluate("""() => { window.widgetResult = new Promise((resolve) => document.getElementById('widget')
        .addEventListener('bgremove-result', (e) => resolve({w: e.detail.width, h: e.detail.height,
                                                             size: e.detail.blob.size}), {once: true})); }""")
    page.locator("bg-remover input[type=file]").set_input_files(str(dev_ten[2].image))
    got = page.evaluate("() => window.widgetResult")
    with Image.open(dev_ten[2].image) as im:
        assert (got["w"], got["h"]) == im.size
    assert got["size"] > 0
    assert page.locator("bg-remover img[part=result]").is_visible()
    assert not [c for c in console if "Content Security Policy" in c or "Uncaught" in c], console


def test_forged_messages_are_ignored_on_both_sides(sites, browser_context, dev_ten):
    page = browser_context.new_page()
    page.goto(sites["host"] + "/embed-host.html")
    page.evaluate("() => BgRemover.create({}).then((r) => { window.remover = r; })")
    # The demo's own <bg-remover> starts a second engine frame; let it settle before counting.
    page.wait_for_function(WIDGET_READY, timeout=120_000)
    engine = _engine_frame(page, sites["app"])
    before = [f.evaluate("() => ({...window.bgremoveFrame})") for f in engine]

    # A third site's frame inside the host page tries to drive the engine and to fake results.
    page.evaluate("""(url) => new Promise((resolve) => {
        const f = document.createElement('iframe');
        f.src = url; f.onload = resolve; document.body.append(f); })""",
                  sites["third"] + "/forger.html")
    forger = next(f for f in page.frames if f.url.startswith(sites["third"]))
    forged_result = {"channel": "bgremove-embed", "protocol": 1, "type": "result", "id": 1,
                     "result": {"width": 7, "height": 7, "blob": None}}
    sample = dev_ten[3]
    page.evaluate("""({b64}) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        window.pending = window.remover.remove(new Blob([bytes]), {format: 'mask'});
    }""", {"b64": _b64(sample.image)})
    forger.evaluate("""(fake) => {
        for (let i = 0; i < parent.frames.length; i += 1) {
          for (const type of ['create', 'remove', 'dispose']) {
            parent.frames[i].postMessage({channel: 'bgremove-embed', protocol: 1, type, id: 99,
                                          blob: new Blob(['x']), options: {}}, '*');
          }
        }
        for (let id = 1; id < 10; id += 1) parent.postMessage({...fake, id}, '*');
    }""", forged_result)
    # The host page itself (right origin for nothing) posting a fake result to its own window.
    page.evaluate("(fake) => { for (let id = 1; id < 10; id += 1) window.postMessage({...fake, id}, '*'); }",
                  forged_result)
    real = page.evaluate(
        "() => window.pending.then((r) => ({w: r.width, h: r.height, isBlob: r.blob instanceof Blob}))")
    with Image.open(sample.image) as im:
        assert (real["w"], real["h"]) == im.size
    assert real["isBlob"] is True
    after = [f.evaluate("() => ({...window.bgremoveFrame})") for f in engine]
    # Each engine frame saw three forged messages and accepted none of them; the one real remover
    # accepted exactly its own two requests (create, remove).
    for b, a in zip(before, after, strict=True):
        assert a["ignored"] - b["ignored"] == 3, (b, a)
    assert sum(a["accepted"] - b["accepted"] for b, a in zip(before, after, strict=True)) == 1
    # The remover still works after the forgery attempts (nothing was disposed).
    again = page.evaluate(
        "() => window.remover.remove(new Blob([new Uint8Array(0)])).then(() => 'ok', (e) => e.message)")
    assert again != "ok", again


def test_host_outside_the_allow_list_gets_a_clear_error(sites, browser_context):
    page = browser_context.new_page()
    # Same page, but served from the third origin, which the app does not allow.
    page.goto(sites["third"] + "/embed-host.html")
    message = page.evaluate("() => BgRemover.create({}).then(() => 'created', (e) => e.message)")
    assert message != "created"
    assert "frame-ancestors" in message and sites["third"] in message, message


def test_origin_matcher_follows_csp_source_syntax(sites, browser_context):
    page = browser_context.new_page()
    page.goto(sites["app"] + "/embed/frame.html")
    cases = page.evaluate("""async () => {
      const { originAllowed } = await import('/embed/origins.js');
      const self = 'https://bg.example';
      const check = (list, origin) => originAllowed(list, origin, self);
      return [
        check(["'self'"], 'https://bg.example'),
        check(["'self'"], 'https://evil.example'),
        check(['https://shop.example'], 'https://shop.example'),
        check(['https://shop.example'], 'http://shop.example'),
        check(['https://shop.example'], 'https://shop.example:8443'),
        check(['https://*.shop.example'], 'https://a.shop.example'),
        check(['https://*.shop.example'], 'https://shop.example'),
        check(['https://*.shop.example'], 'https://evilshop.example'),
        check(['http://127.0.0.1:*'], 'http://127.0.0.1:5000'),
        check(['https:'], 'https://anything.example'),
        check(['https:'], 'http://anything.example'),
        check(['shop.example'], 'https://shop.example'),
        check(["'none'"], 'https://bg.example'),
        check([], 'https://bg.example'),
      ];
    }""")
    assert cases == [True, False, True, False, False, True, False, False,
                     True, True, False, True, False, False]
