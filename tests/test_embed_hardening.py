"""The widget's trust decisions when things are not as configured (issue #14, findings 1, 4 and 7):
a malformed allow-list never lets everyone in, a missing one lets nobody in, and embed.js never
guesses whose frame to load."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from server.app import create_app
from tests.browser_support import start_server
from tests.test_embed_browser import static_site

ROOT = Path(__file__).resolve().parents[1]


def _origin_checks(cases: list[tuple[object, str]]) -> list[bool]:
    """originAllowed (web/embed/origins.js) under Node, the same module the frame imports."""
    script = f"""
      const {{ originAllowed }} = await import({json.dumps((ROOT / 'web/embed/origins.js').as_uri())});
      const cases = {json.dumps(cases)};
      const out = cases.map(([list, origin]) => {{
        try {{ return originAllowed(list, origin, 'https://bg.example'); }}
        catch (e) {{ return 'threw ' + e; }}
      }});
      console.log(JSON.stringify(out));
    """
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_malformed_allow_list_never_accepts_everyone():
    # The list an unparsed "--frame-ancestors 'https://shop.example; report-uri https://c.example/r' *"
    # used to publish, and other shapes no parser of ours writes.
    broken = [
        (["https://shop.example;", "report-uri", "https://collector.example/r", "*"], "https://evil.example"),
        (["https://shop.example,", "*"], "https://evil.example"),
        (["*\n"], "https://evil.example"),
        (["https://shop.example", 42, "*"], "https://evil.example"),
        ("*", "https://evil.example"),
        ({"0": "*"}, "https://evil.example"),
    ]
    assert _origin_checks(broken) == [False] * len(broken)


def test_missing_allow_list_allows_nobody():
    missing = [(None, "https://bg.example"), (None, "https://shop.example")]
    assert _origin_checks(missing) == [False, False]


def test_parsed_lists_still_work():
    ok = [
        (["'self'"], "https://bg.example"),
        (["'self'", "https://shop.example"], "https://shop.example"),
        (["https://*.shop.example:8443"], "https://a.shop.example:8443"),
        (["*"], "https://anyone.example"),
        ([], "https://bg.example"),
    ]
    assert _origin_checks(ok) == [True, True, True, True, False]


@pytest.fixture()
def two_vendors(tmp_path):
    """The app (Flask) allowing a host page; another vendor's origin also serving an /embed.js."""
    vendor = tmp_path / "vendor"
    (vendor / "embed").mkdir(parents=True)
    (vendor / "embed.js").write_text("window.otherVendorLoaded = true;\n")
    (vendor / "embed" / "frame.html").write_text("<!doctype html><title>other vendor</title>\n")
    other = start_server(static_site(vendor))
    host_root = tmp_path / "host"
    host_root.mkdir()
    host = start_server(static_site(host_root))
    app = start_server(create_app(frame_ancestors=f"'self' {host.url}"))
    app_url = f"http://localhost:{app.port}"

    def page_with(attribute: str) -> str:
        name = f"page{len(list(host_root.iterdir()))}.html"
        (host_root / name).write_text(
            "<!doctype html><title>host</title>\n"
            f'<script src="{other.url}/embed.js"></script>\n'
            f'<script type="module" src="{app_url}/embed.js" {attribute}></script>\n')
        return f"{host.url}/{name}"

    yield {"app": app_url, "other": other.url, "page_with": page_with}
    for server in (other, host, app):
        server.stop()


CREATE_AND_LOOK = """async () => {
  if (!window.BgRemover) return {api: false};
  window.BgRemover.create({}).catch(() => {});
  await new Promise((r) => setTimeout(r, 50));
  return {api: true, frames: [...document.querySelectorAll('iframe')].map((f) => f.src)};
}"""


def test_module_embed_never_picks_another_vendors_frame(two_vendors, browser_context):
    errors = []
    page = browser_context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(two_vendors["page_with"](""))
    page.wait_for_function("() => window.otherVendorLoaded === true")
    page.wait_for_timeout(500)  # the module script runs after parsing; give it the chance to
    got = page.evaluate(CREATE_AND_LOOK)
    assert not any(two_vendors["other"] in src for src in got.get("frames", [])), got
    assert got == {"api": False}, got
    assert any("data-bgremove-origin" in e for e in errors), errors


def test_module_embed_uses_the_declared_origin(two_vendors, browser_context):
    page = browser_context.new_page()
    page.goto(two_vendors["page_with"](f'data-bgremove-origin="{two_vendors["app"]}"'))
    page.wait_for_function("() => typeof window.BgRemover === 'function'")
    got = page.evaluate(CREATE_AND_LOOK)
    assert got["frames"] == [two_vendors["app"] + "/embed/frame.html"], got


def test_frame_fails_closed_without_its_allow_list(two_vendors, browser_context):
    """An allowed host whose frame cannot read /embed/allowed-origins.json (offline and never
    cached, or a host that does not serve it) is refused, not waved through."""
    page = browser_context.new_page()
    page.route("**/embed/allowed-origins.json", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(two_vendors["page_with"](f'data-bgremove-origin="{two_vendors["app"]}"'))
    page.wait_for_function("() => typeof window.BgRemover === 'function'")
    page.evaluate("() => { window.BgRemover.create({}).catch(() => {}); }")
    page.wait_for_function("() => document.querySelector('iframe')")
    frame = None
    for _ in range(200):
        url = two_vendors["app"] + "/embed/frame.html"
        frame = next((f for f in page.frames if f.url.startswith(url)), None)
        if frame is not None:
            break
        page.wait_for_timeout(100)
    assert frame is not None
    stats = None
    for _ in range(300):
        stats = frame.evaluate("() => window.bgremoveFrame && ({...window.bgremoveFrame})")
        if stats and stats["ignored"] >= 1:
            break
        page.wait_for_timeout(100)
    assert stats == {"accepted": 0, "ignored": 1}, stats
