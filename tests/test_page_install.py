"""Installable: the manifest is fetched and valid, its icons load at their stated sizes, Chromium
finds no installability errors, the service worker controls the page, and the installed app's
files (start page, manifest, icons, sample photos) are served with no network. A photo shared to
the app (Web Share Target) is answered by the service worker on the device, never by the server.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request

import pytest

from tests.browser_support import wait_for_ready
from tests.page_support import open_app, wait_done

pytestmark = pytest.mark.browser

MANIFEST_JS = """async () => {
  const link = document.querySelector('link[rel=manifest]');
  const res = await fetch(link.href);
  return {url: res.url, status: res.status, type: res.headers.get('content-type'), body: await res.json()};
}"""

ICON_JS = """async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  return [img.naturalWidth, img.naturalHeight];
}"""

SHARE_JS = """async ({b64, name}) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const form = new FormData();
  form.append('photos', new File([bytes], name, {type: 'image/jpeg'}));
  const res = await fetch('/share-target', {method: 'POST', body: form, redirect: 'manual'});
  return {type: res.type, status: res.status};
}"""

def test_manifest_icons_service_worker_and_offline(live_server, browser_context):
    page = open_app(browser_context, live_server.url)
    manifest = page.evaluate(MANIFEST_JS)
    assert manifest["status"] == 200 and manifest["type"].startswith("application/manifest+json")
    m = manifest["body"]
    assert m["name"] and m["short_name"]
    assert m["display"] == "standalone"
    assert m["start_url"] == "/" and m["scope"] == "/"
    assert m["theme_color"] and m["background_color"]
    # Dark theme colours: the manifest's, and the page's meta tags for browsers that read those.
    assert m["user_preferences"]["color_scheme"]["dark"]["theme_color"]
    metas = page.locator("meta[name=theme-color]").evaluate_all("(ms) => ms.map((m) => m.media)")
    assert sorted(metas) == ["(prefers-color-scheme: dark)", "(prefers-color-scheme: light)"]

    sizes = {}
    for icon in m["icons"]:
        got = page.evaluate(ICON_JS, icon["src"])
        if icon["sizes"] != "any":
            assert f"{got[0]}x{got[1]}" == icon["sizes"], icon
        sizes.setdefault(icon.get("purpose", "any"), set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert "512x512" in sizes["maskable"]

    # Chromium's own verdict, the one behind its install prompt.
    cdp = browser_context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["url"].endswith("/manifest.webmanifest") and parsed["errors"] == [], parsed["errors"]
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
    page.wait_for_function("() => window.bgremoveOffline && window.bgremoveOffline.version", timeout=120_000)
    page.wait_for_function(
        "() => document.getElementById('status-line').textContent.includes('works offline')", timeout=30_000)

    # The installed app opens at start_url with no network: page, manifest, icons and samples.
    browser_context.set_offline(True)
    try:
        page.reload()
        wait_for_ready(page)
        assert page.evaluate(MANIFEST_JS)["body"]["name"] == m["name"]
        for icon in m["icons"]:
            page.evaluate(ICON_JS, icon["src"])
        for src in page.locator(".samples button").evaluate_all("(bs) => bs.map((b) => b.dataset.sample)"):
            page.evaluate(ICON_JS, src)
    finally:
        browser_context.set_offline(False)
    assert page.ui_errors == []


def test_share_target_is_answered_on_the_device(live_server, browser_context, dev_ten):
    page = open_app(browser_context, live_server.url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
    # The server itself refuses POST, so the answer below can only come from the worker.
    with pytest.raises(urllib.error.HTTPError) as refused:
        post = urllib.request.Request(live_server.url + "/share-target", data=b"x", method="POST")
        urllib.request.urlopen(post, timeout=30)
    assert refused.value.code == 405
    sample = dev_ten[7]
    b64 = base64.b64encode(sample.image.read_bytes()).decode()
    browser_context.set_offline(True)
    try:
        answer = page.evaluate(SHARE_JS, {"b64": b64, "name": sample.image.name})
        # A 303 to the app, seen as an opaque redirect by fetch(redirect: 'manual').
        assert answer["type"] == "opaqueredirect", answer
        # What the browser does with the worker's answer: open the app at /#shared, a new page.
        page.goto("about:blank")
        page.goto(live_server.url + "/#shared")
        wait_for_ready(page)
        wait_done(page, 1)
    finally:
        browser_context.set_offline(False)
    assert page.locator("#results .card-caption .name").all_inner_texts() == [sample.image.name]
    # The inbox is emptied once the page has the photo, and the address no longer says #shared.
    assert page.evaluate("() => caches.has('bgremove-shared')") is False
    assert page.evaluate("() => location.hash") == ""
    assert page.ui_errors == []
