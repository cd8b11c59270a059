"""Offline after one visit, and a clean hand-over to a new deploy, in a real Chromium.

Each test serves its own copy of web/ (runtimes and models hard-linked, everything else copied),
so it can stop the server to be truly offline, or change files to simulate a deploy. Each runs
twice: on our Flask server, and exported by `python -m webbuild --static` behind nginx, where a
deploy is a new export (tests/static_hosting.py).
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import assert_same_cutout, native_mask, wait_for_ready
from tests.static_hosting import BACKENDS, deploy
from webbuild.service_worker import write_precache
from webbuild.static_export import copy_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]

SW_SETTLED = """async () => {
  const reg = await navigator.serviceWorker.ready;
  return {controlled: navigator.serviceWorker.controller !== null, scope: reg.scope,
          caches: (await caches.keys()).filter((n) => n.startsWith('bgremove-'))};
}"""

REMOVE_JS = """async ({b64}) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const remover = await window.BgRemover.create({});
  const r = await remover.remove(new Blob([bytes], {type: 'image/jpeg'}), {format: 'mask'});
  remover.dispose();
  const png = new Uint8Array(await r.blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < png.length; i += 0x8000) s += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return {width: r.width, height: r.height, backend: r.backend, model: r.model, png: btoa(s)};
}"""


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def copy_web(dst: Path) -> Path:
    """A deployable copy of web/: big immutable files linked, the shell copied (tests edit it)."""
    copy_site(ROOT / "web", dst, link=True)
    write_precache(dst)
    return dst


def caches_now(page) -> list[str]:
    return page.evaluate("async () => (await caches.keys()).filter((n) => n.startsWith('bgremove-'))")


def wait_for_offline_ready(page) -> dict:
    """The first visit is done when the worker controls the page and the panel says so."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
    page.wait_for_function("() => window.bgremoveOffline && window.bgremoveOffline.version", timeout=120_000)
    return page.evaluate(SW_SETTLED)


def test_second_visit_works_with_no_network(playwright_instance, browser_context, tmp_path, dev_ten, backend):
    web = copy_web(tmp_path / "web")
    server = deploy(backend, web)
    try:
        page = browser_context.new_page()
        page.goto(server.url + "/")
        wait_for_ready(page)
        state = wait_for_offline_ready(page)
        version = page.evaluate("() => window.bgremoveOffline.version")
        assert state["caches"] == [f"bgremove-{version}"], state
        # The panel sits in the collapsed "About this engine" section.
        assert "Ready to work offline" in page.locator("#offline-status").text_content()
        usage = page.evaluate("() => window.bgremoveOffline.usage")
        # Runtimes (~58 MB decoded) plus the model in IndexedDB: tens of MB, and reported.
        assert usage > 40e6, usage
    finally:
        # Truly offline: no server behind the URL, and Chromium told it has no network.
        server.stop()
    browser_context.set_offline(True)
    try:
        page.reload()
        info = wait_for_ready(page)
        assert info["model"]["source"] == "cache"
        assert page.evaluate("() => crossOriginIsolated") is True, "cached responses lost COOP/COEP"
        sample = dev_ten[0]
        b64 = base64.b64encode(sample.image.read_bytes()).decode()
        out = page.evaluate(REMOVE_JS, {"b64": b64})
    finally:
        browser_context.set_offline(False)
    with Image.open(sample.image) as im:
        assert (out["width"], out["height"]) == im.size
    with Image.open(_png(out["png"], tmp_path)) as im:
        mask = np.asarray(im.convert("L"), dtype=np.float32) / 255
    assert_same_cutout(mask, native_mask(sample.image, out["model"], tmp_path / "native"))


def _png(b64: str, tmp_path: Path) -> Path:
    path = tmp_path / "mask.png"
    path.write_bytes(base64.b64decode(b64))
    return path


def test_new_deploy_replaces_the_cache_after_the_user_agrees(browser_context, tmp_path, backend):
    web = copy_web(tmp_path / "web")
    server = deploy(backend, web)
    try:
        page = browser_context.new_page()
        page.goto(server.url + "/")
        wait_for_offline_ready(page)
        old = page.evaluate("() => window.bgremoveOffline.version")
        assert caches_now(page) == [f"bgremove-{old}"]

        # A deploy: one shell file changes, the build writes a new precache list.
        css = web / "styles" / "app.css"
        marker = "/* deploy 2 */\n"
        css.write_text(css.read_text() + marker)
        # The worker's version is the deploy's plus the server's header config (web/sw.js), which
        # this deploy leaves unchanged.
        new = write_precache(web)["version"] + old[16:]
        assert new != old
        server.redeploy()

        page.reload()
        page.wait_for_function("() => window.bgremoveOffline && window.bgremoveOffline.update",
                               timeout=120_000)
        notice = page.locator("#offline-update")
        assert notice.is_visible()
        # Until the person agrees, the page still runs entirely on the old deploy's files.
        assert sorted(caches_now(page)) == sorted([f"bgremove-{old}", f"bgremove-{new}"])
        assert marker not in page.evaluate("() => fetch('/styles/app.css').then((r) => r.text())")

        with page.expect_navigation():
            page.locator("#offline-update-button").click()
        page.wait_for_function(f"() => window.bgremoveOffline && window.bgremoveOffline.version === '{new}'",
                               timeout=60_000)
        assert caches_now(page) == [f"bgremove-{new}"]
        assert marker in page.evaluate("() => fetch('/styles/app.css').then((r) => r.text())")
        assert not page.locator("#offline-update").is_visible()
    finally:
        server.stop()


def test_clear_removes_caches_models_and_worker(browser_context, tmp_path, backend):
    web = copy_web(tmp_path / "web")
    server = deploy(backend, web)
    try:
        page = browser_context.new_page()
        page.goto(server.url + "/")
        wait_for_ready(page)
        wait_for_offline_ready(page)
        assert page.evaluate("async () => (await indexedDB.databases()).length") >= 1
        page.locator("#about-engine > summary").click()
        page.locator("#offline-clear").click()
        page.wait_for_function("() => document.querySelector('#offline-clear-status').textContent !== ''")
        left = page.evaluate("""async () => ({
          caches: (await caches.keys()).length,
          workers: (await navigator.serviceWorker.getRegistrations()).length,
        })""")
        assert left == {"caches": 0, "workers": 0}, left
        text = page.locator("#offline-clear-status").text_content()
        assert "1 cache(s)" in text and "1 service worker(s)" in text, text
    finally:
        server.stop()


def test_a_file_of_another_build_is_never_cached(browser_context, tmp_path, backend):
    web = copy_web(tmp_path / "web")
    # The server changed a shell file after the precache list was written: a deploy caught halfway.
    css = web / "styles" / "app.css"
    css.write_text(css.read_text() + "/* half-deployed */\n")
    server = deploy(backend, web)
    try:
        page = browser_context.new_page()
        page.goto(server.url + "/")
        page.wait_for_function("() => window.bgremoveOffline && window.bgremoveOffline.failed",
                               timeout=120_000)
        assert caches_now(page) == []
        assert page.evaluate("() => navigator.serviceWorker.controller") is None
        assert "Could not save the app" in page.locator("#offline-status").text_content()
    finally:
        server.stop()
