"""How much the browser keeps for offline use after one visit: Cache API (shell + runtimes) and
IndexedDB (the model), as Chromium reports them.

    .venv/bin/python bench/offline_cache.py [--json out.json]

Starts the app on a free loopback port, opens it once in a fresh Chromium profile, waits until the
engine is ready and the service worker controls the page, then reads navigator.storage.estimate()
and the byte size of every cached response body.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEASURE = """async () => {
  const est = await navigator.storage.estimate();
  let cached = 0, entries = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      cached += (await (await cache.match(req)).blob()).size;
      entries += 1;
    }
  }
  return {usage: est.usage, details: est.usageDetails || {}, cachedBodyBytes: cached, entries,
          caches: await caches.keys(), model: window.bgremoveReady.model};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from server.app import create_app
    from tests.browser_support import launch_chromium, start_server, wait_for_ready
    from webbuild.service_worker import precache_manifest

    web_root = Path(os.environ.get("BGREMOVE_WEB_ROOT") or ROOT / "web")
    manifest = precache_manifest(web_root)
    runtime = json.loads((web_root / "vendor" / "runtime.json").read_text())
    # What the precache costs on the wire at most (brotli variants; less when the HTTP cache has them).
    wire = sum(f.get("encodings", {}).get("br", f["bytes"]) for f in runtime["files"])
    server = start_server(create_app())
    try:
        with sync_playwright() as pw:
            context, profile = launch_chromium(pw)
            page = context.new_page()
            page.goto(server.url + "/")
            wait_for_ready(page)
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=180_000)
            page.wait_for_function("() => window.bgremoveOffline && window.bgremoveOffline.version",
                                   timeout=180_000)
            numbers = page.evaluate(MEASURE)
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
    finally:
        server.stop()
    numbers["precache"] = {"files": len(manifest["shell"]) + len(manifest["runtime"]), **manifest["bytes"],
                           "runtime_brotli": wire, "version": manifest["version"]}
    print(json.dumps(numbers, indent=1))
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
