"""A tampered runtime file stops the engine with a clear error instead of running.

The app is served from a copy of web/ in which one file has one byte changed (its precompressed
twins removed, so the changed bytes are what the browser gets). The bgcut wheel is checked by
Pyodide against pyodide-lock.json's sha256; ORT's WASM binary by the worker against runtime.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.browser_support import launch_chromium, start_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]


def flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    for twin in (path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")):
        twin.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def web_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web") / "web"
    shutil.copytree(ROOT / "web", root)
    return root


def ready_state(playwright_instance, web_root: Path) -> dict:
    from server.app import create_app

    server = start_server(create_app(web_root=web_root))
    context, profile = launch_chromium(playwright_instance)
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=120_000)
        return page.evaluate("() => window.bgremoveReady")
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
        server.stop()


@pytest.mark.parametrize("target", ["bgcut-wheel", "ort-wasm"])
def test_tampered_runtime_fails_loudly(playwright_instance, web_copy, target):
    runtime = json.loads((web_copy / "vendor/runtime.json").read_text())
    if target == "bgcut-wheel":
        rel = runtime["pyodide"]["indexURL"] + runtime["pyodide"]["bgcut"]["file"]
    else:
        rel = runtime["ort"]["base"] + "ort-wasm-simd-threaded.wasm"
    path = web_copy / rel.lstrip("/")
    original = path.read_bytes()
    flip_one_byte(path)
    try:
        state = ready_state(playwright_instance, web_copy)
    finally:
        path.write_bytes(original)
    assert "error" in state, f"the engine started with a tampered {target}: {state}"
    message = state["error"]
    assert "integrity" in message, message
    if target == "ort-wasm":
        assert "ort-wasm-simd-threaded.wasm" in message and "sha256 mismatch" in message, message
    else:
        assert "bgcut" in message, message
