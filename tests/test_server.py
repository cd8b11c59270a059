"""The Flask host: headers on every route, MIME types, methods, traversal, precompression."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import pytest

from server.app import create_app
from server.encoding import accepted_codings, pick_variant

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    app = create_app()
    app.testing = True
    return app.test_client()


@pytest.fixture(scope="module")
def runtime() -> dict:
    path = ROOT / "web" / "vendor" / "runtime.json"
    if not path.is_file():
        pytest.fail("web/vendor is not built: run `python -m webbuild` (setup does)")
    return json.loads(path.read_text())


def _served_paths(runtime: dict) -> list[str]:
    vendor = [f["path"] for f in runtime["files"]]
    pages = ["/", "/index.html", "/src/main.js", "/styles/app.css", "/vendor/runtime.json"]
    return pages + vendor


REQUIRED = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _assert_security_headers(resp) -> None:
    for name, value in REQUIRED.items():
        assert resp.headers.get(name) == value, (name, resp.headers.get(name))
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'wasm-unsafe-eval'" in csp
    assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
    assert "'unsafe-inline'" not in csp


def test_headers_on_every_served_file(client, runtime):
    for path in _served_paths(runtime):
        resp = client.get(path)
        assert resp.status_code == 200, path
        _assert_security_headers(resp)


@pytest.mark.parametrize("path", ["/nope", "/vendor/none.wasm", "/..%2f..%2fetc/passwd"])
def test_headers_on_errors(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    _assert_security_headers(resp)


def test_mime_types(client, runtime):
    expected = {".wasm": "application/wasm", ".mjs": "text/javascript", ".json": "application/json",
                ".html": "text/html", ".css": "text/css", ".whl": "application/zip"}
    seen = set()
    for path in _served_paths(runtime):
        resp = client.get(path, headers={"Accept-Encoding": "identity"})
        suffix = Path(path).suffix or (".html" if path.endswith("/") else "")
        if suffix in expected:
            assert resp.mimetype == expected[suffix].split(";")[0], path
            seen.add(suffix)
    assert seen == set(expected)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/", "/index.html", "/vendor/runtime.json", "/upload"])
def test_only_get_and_head(client, method, path):
    resp = client.open(path, method=method, data=b"\xff\xd8\xff" * 100)
    assert resp.status_code == 405
    assert set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD"}
    _assert_security_headers(resp)


def test_head_has_no_body(client):
    resp = client.head("/index.html")
    assert resp.status_code == 200
    assert resp.data == b""
    assert int(resp.headers["Content-Length"]) > 0


@pytest.mark.parametrize("path", [
    "/../pyproject.toml",
    "/..%2fpyproject.toml",
    "/..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/..%5c..%5cetc%5cpasswd",
    "/vendor/..%2f..%2fpyproject.toml",
    "/src/%2e%2e/%2e%2e/server/app.py",
    "/%252e%252e/pyproject.toml",
    "/.%2e/pyproject.toml",
    "/etc/passwd%00.html",
    "//etc/passwd",
    "/.git/config",
    "/vendor/.staging/x",
])
def test_traversal_and_odd_paths_are_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404, path
    assert b"[build-system]" not in resp.data and b"root:" not in resp.data


def test_precompressed_variants_are_negotiated(client, runtime):
    wasm = next(f for f in runtime["files"] if f["path"].endswith("ort-wasm-simd-threaded.wasm"))
    original = (ROOT / "web" / wasm["path"].lstrip("/")).read_bytes()

    br = client.get(wasm["path"], headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    assert br.mimetype == "application/wasm"
    assert len(br.data) < len(original) / 3
    assert brotli.decompress(br.data) == original

    gz = client.get(wasm["path"], headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data) == original

    refused = client.get(wasm["path"], headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    assert refused.data == original

    plain = client.get(wasm["path"], headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.data == original


def test_accept_encoding_parsing():
    assert accepted_codings("gzip;q=0.5, br") == {"gzip": 0.5, "br": 1.0}
    assert accepted_codings("BR ; q=0 , *;q=0.1") == {"br": 0.0, "*": 0.1}
    assert accepted_codings("gzip;q=junk") == {"gzip": 0.0}
    assert accepted_codings(None) == {}


def test_gzip_preferred_when_weighted_higher(tmp_path):
    src = tmp_path / "a.js"
    src.write_text("x" * 1000)
    (tmp_path / "a.js.br").write_bytes(b"b")
    (tmp_path / "a.js.gz").write_bytes(b"g")
    assert pick_variant(src, "br;q=0.5, gzip;q=0.9")[1] == "gzip"
    assert pick_variant(src, "br, gzip")[1] == "br"
    assert pick_variant(src, "*")[1] == "br"
    assert pick_variant(src, "deflate")[1] is None


def test_caching_policy(client, runtime):
    immutable = client.get(runtime["files"][0]["path"])
    assert "immutable" in immutable.headers["Cache-Control"]
    assert "max-age=31536000" in immutable.headers["Cache-Control"]
    for path in ["/", "/index.html", "/src/main.js", "/vendor/runtime.json"]:
        resp = client.get(path)
        assert resp.headers["Cache-Control"] == "no-cache", path
        assert resp.headers.get("ETag"), path
        again = client.get(path, headers={"If-None-Match": resp.headers["ETag"]})
        assert again.status_code == 304, path


def test_no_route_accepts_image_data(client):
    rules = list(client.application.url_map.iter_rules())
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD"}, rule


def test_frame_ancestors_configurable():
    app = create_app(frame_ancestors="'self' https://example.org")
    resp = app.test_client().get("/embed/frame.html")
    assert "frame-ancestors 'self' https://example.org" in resp.headers["Content-Security-Policy"]
    # The app's own pages are never partners' to frame (tests/test_server_hardening.py).
    assert app.test_client().get("/").headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")

