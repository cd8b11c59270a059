"""The service worker's precache list and version (webbuild/service_worker.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from webbuild.service_worker import PRECACHE_JS, precache_manifest, render, shell_files, write_precache
from webbuild.util import BuildError, sha256_file

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"


def _runtime() -> dict:
    path = WEB / "vendor" / "runtime.json"
    if not path.is_file():
        pytest.fail("web/vendor is not built: run `python -m webbuild` (setup does)")
    return json.loads(path.read_text())


@pytest.fixture
def small_web(tmp_path: Path) -> Path:
    """A tiny deploy: a shell, a runtime.json naming two runtime files, a model list, a demo."""
    web = tmp_path / "web"
    for rel, text in {
        "index.html": "<!doctype html>",
        "src/main.js": "console.log(1);",
        "src/worker/glue.py": "x = 1",
        "styles/app.css": "body {}",
        "embed/frame.html": "<!doctype html>",
        "embed.js": "// host side",
        "sw.js": "// worker",
        "demo/embed-host.html": "<!doctype html>",
        "models/manifest.json": "{}",
        "models/m.0123456789ab.onnx": "bytes",
        ".hidden.js": "",
    }.items():
        (web / rel).parent.mkdir(parents=True, exist_ok=True)
        (web / rel).write_text(text)
    runtime = {"files": [{"path": "/vendor/ort-1-aaaaaaaaaa/a.wasm", "bytes": 10, "sha256": "a" * 64},
                         {"path": "/vendor/ort-1-aaaaaaaaaa/b.mjs", "bytes": 5, "sha256": "b" * 64}]}
    (web / "vendor").mkdir()
    (web / "vendor" / "runtime.json").write_text(json.dumps(runtime))
    return web


def test_lists_shell_runtimes_and_model_list_only(small_web):
    manifest = precache_manifest(small_web)
    assert manifest["shell"] == ["/embed/frame.html", "/", "/src/main.js", "/src/worker/glue.py",
                                 "/styles/app.css", "/models/manifest.json", "/vendor/runtime.json"]
    assert manifest["runtime"] == ["/vendor/ort-1-aaaaaaaaaa/a.wasm", "/vendor/ort-1-aaaaaaaaaa/b.mjs"]
    assert manifest["bytes"]["runtime"] == 15
    # Every precached URL has the hash the worker checks its body against.
    assert set(manifest["sha256"]) == set(manifest["shell"]) | set(manifest["runtime"])
    assert manifest["sha256"]["/"] == sha256_file(small_web / "index.html")
    assert manifest["sha256"]["/vendor/ort-1-aaaaaaaaaa/a.wasm"] == "a" * 64
    assert re.fullmatch(r"[0-9a-f]{16}", manifest["version"])


@pytest.mark.parametrize("change", ["src/main.js", "models/manifest.json", "vendor/runtime.json"])
def test_any_deployed_change_gives_a_new_version(small_web, change):
    before = precache_manifest(small_web)["version"]
    path = small_web / change
    if change == "vendor/runtime.json":
        runtime = json.loads(path.read_text())
        runtime["files"][0]["sha256"] = "c" * 64
        path.write_text(json.dumps(runtime))
    else:
        path.write_text(path.read_text() + " ")
    assert precache_manifest(small_web)["version"] != before


def test_files_outside_the_app_do_not_change_the_version(small_web):
    before = precache_manifest(small_web)["version"]
    (small_web / "demo" / "embed-host.html").write_text("changed")
    (small_web / "models" / "m.0123456789ab.onnx").write_text("changed")
    assert precache_manifest(small_web)["version"] == before


def test_written_file_changes_bytes_with_the_version(small_web):
    first = write_precache(small_web)
    text = (small_web / PRECACHE_JS).read_text()
    assert f'"version": "{first["version"]}"' in text
    (small_web / "styles" / "app.css").write_text("body { color: red }")
    second = write_precache(small_web)
    assert (small_web / PRECACHE_JS).read_text() != text
    assert second["version"] != first["version"]


def test_missing_runtimes_is_a_clear_error(small_web):
    shutil.rmtree(small_web / "vendor")
    with pytest.raises(BuildError, match=r"runtime\.json is missing.*python -m webbuild"):
        precache_manifest(small_web)


def test_real_precache_covers_every_runtime_file():
    runtime = _runtime()
    manifest = precache_manifest(WEB)
    # Every runtime file is either precached or cached on first use, never both.
    lazy = [f["path"] for f in runtime["files"] if f.get("lazy")]
    assert manifest["runtime"] == [f["path"] for f in runtime["files"] if not f.get("lazy")]
    assert set(lazy) <= set(manifest["lazy"])
    # A first visit without WebGPU gets the WASM build of ONNX Runtime and never the WebGPU one.
    names = {p.rsplit("/", 1)[1] for p in manifest["runtime"]}
    assert {"ort.wasm.min.mjs", "ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs"} <= names
    assert not names & {"ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.wasm",
                        "ort-wasm-simd-threaded.asyncify.mjs"}
    for needed in ("/", "/src/main.js", "/src/api/bg-remover.js", "/embed/frame.html",
                   "/models/manifest.json"):
        assert needed in manifest["shell"], needed
    assert "/sw.js" not in manifest["shell"] and "/embed.js" not in manifest["shell"]
    assert all("/demo/" not in p for p in manifest["shell"])
    assert set(shell_files(WEB)) >= {"src/worker/engine-worker.js", "src/offline/index.js"}


def test_deployed_precache_file_is_current():
    path = WEB / PRECACHE_JS
    assert path.is_file(), "web/sw-precache.js is missing: run `python -m webbuild.service_worker`"
    assert path.read_text() == render(precache_manifest(WEB)), (
        "web/sw-precache.js is stale (a file under web/ changed since it was written): "
        "run `python -m webbuild.service_worker`")
