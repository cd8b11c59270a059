"""The first page in a real Chromium: the worker loads ORT and Pyodide+numpy from our origin only,
served by our Flask server and by nginx from the static export (tests/static_hosting.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import RequestLog, wait_for_ready
from tests.static_hosting import BACKENDS, StaticDeploy

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=BACKENDS)
def app_server(request):
    if request.param == "flask":
        yield request.getfixturevalue("live_server")
        return
    deploy = StaticDeploy(ROOT / "web")
    yield deploy
    deploy.stop()


def test_engine_reports_ready_and_isolated(app_server, browser_context):
    log = RequestLog()
    log.attach(browser_context)
    console = []
    page = browser_context.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.goto(app_server.url + "/")
    info = wait_for_ready(page)

    assert page.evaluate("() => crossOriginIsolated") is True
    assert info["crossOriginIsolated"] is True
    assert info["versions"]["pyodide"] == "0.27.7"
    assert info["versions"]["ort"] == "1.30.0"
    assert info["versions"]["numpy"].startswith("2.")
    assert info["backends"]["wasm"]["threads"] is True
    # The UI shows it too, not only the JS global.
    assert "Ready" in page.locator("#status-line").inner_text()
    # In the collapsed "About this engine" section: present, one click away.
    assert "0.27.7" in page.locator("#status-details").text_content()

    assert log.origins() == {app_server.url}, log.origins()
    assert not [c for c in console if "Content Security Policy" in c], console
