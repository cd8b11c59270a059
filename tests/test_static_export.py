"""`python -m webbuild --static`: the exported folder is the app byte for byte, and Debian's nginx
and Caddy with the generated configurations answer every URL with the same headers and bytes as
our Flask server."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.client
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest

from server.app import create_app
from tests.browser_support import start_server
from tests.static_hosting import NGINX, public_tmp, require_nginx, start_caddy, start_nginx
from webbuild import server_configs
from webbuild.header_plan import dynamic_files, site_files
from webbuild.static_export import content_time, export_static
from webbuild.util import BuildError

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
FRAME_ANCESTORS = "'self' https://shop.example http://127.0.0.1:*"
# Per-transfer headers: each server computes its own (nginx's ETag is mtime-size, ours a content
# hash; docs/DEPLOY.md says why that is enough), so only their presence is compared.
TRANSFER = {"date", "server", "etag", "last-modified", "connection", "keep-alive", "accept-ranges",
            "content-disposition"}
ENCODINGS = ("gzip, deflate, br, zstd", "gzip", "identity", "br;q=0, gzip", "br")
MISSING = ("/no-such-file", "/.hidden", "/index.html.br", "/sw.js.gz", "/embed", "/vendor/")


@pytest.fixture(scope="module")
def export():
    if not (WEB / "vendor" / "runtime.json").is_file():
        pytest.fail("web/vendor is not built: run `python -m webbuild` (setup does)")
    root = public_tmp()
    out = root / "export"
    plan = export_static(out, FRAME_ANCESTORS, link=True, log=lambda *a: None)
    yield out, plan, root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def flask_server(export):
    out, _, _ = export
    server = start_server(create_app(web_root=out / "site", frame_ancestors=FRAME_ANCESTORS))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(export, flask_server):
    out, plan, root = export
    prefix = root / "prefix"
    prefix.mkdir()
    nginx = start_nginx(out / "site", plan, prefix)
    yield flask_server, nginx
    nginx.stop()
    assert "[emerg]" not in nginx.error_log() and "[crit]" not in nginx.error_log(), nginx.error_log()


@pytest.fixture(scope="module")
def caddy_server(export):
    out, plan, root = export
    prefix = root / "caddy"
    prefix.mkdir()
    caddy = start_caddy(out / "site", plan, prefix)
    yield caddy
    caddy.stop()


def test_site_is_the_built_app_plus_precompressed_variants(export):
    out, plan, _ = export
    site = out / "site"
    for url in site_files(WEB):
        ours, theirs = WEB / url.lstrip("/"), site / url.lstrip("/")
        assert theirs.read_bytes() == ours.read_bytes(), url
    # Every compressible file has variants that decode to it (the shell and models too, not only
    # the runtimes the web build precompressed).
    for rel in ("index.html", "sw.js", "embed/frame.js", "styles/app.css"):
        data = (site / rel).read_bytes()
        assert brotli.decompress((site / (rel + ".br")).read_bytes()) == data, rel
        assert gzip.decompress((site / (rel + ".gz")).read_bytes()) == data, rel
    for rel, body in dynamic_files(FRAME_ANCESTORS).items():
        assert (site / rel).read_bytes() == body, rel
    assert b"https://shop.example" in (site / "embed" / "allowed-origins.json").read_bytes()
    assert (site / "_headers").is_file() and (out / "Caddyfile").is_file()
    assert set(plan.urls) >= {"/", "/index.html", "/embed.js", "/embed/frame.html"}


def test_generated_nginx_config_is_valid(export, tmp_path):
    require_nginx()
    out, plan, _ = export
    (tmp_path / "logs").mkdir()
    (tmp_path / "tmp").mkdir()
    conf = server_configs.nginx_server(plan, str(out / "site"), "127.0.0.1:1")
    (tmp_path / "bgremove.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(server_configs.nginx_standalone())
    cmd = [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", "nginx.conf", "-e", "logs/error.log"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    # The export's own copy (root at OUT/site, port 80) is the same text but for those two.
    shipped = (out / "nginx" / "bgremove.conf").read_text()
    assert shipped.replace("listen 80;", "listen 127.0.0.1:1;") == (tmp_path / "bgremove.conf").read_text()


def test_headers_file_never_sets_a_field_twice_for_one_url(export):
    """Netlify and Cloudflare Pages join the values of a field two rules set; that must not happen."""
    out, plan, _ = export
    blocks: dict[str, list[str]] = {}
    current = None
    for line in (out / "site" / "_headers").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            current = line.strip()
            blocks[current] = []
        else:
            blocks[current].append(line.split(":", 1)[0].strip().lower())
    everywhere = set(blocks.pop("/*"))
    for url, fields in blocks.items():
        assert not everywhere & set(fields), url
        assert len(fields) == len(set(fields)), url
    immutable = [u for u, h in plan.paths.items() if "immutable" in h.get("Cache-Control", "")]
    assert immutable and all(u in blocks for u in immutable)
    assert "cache-control" in blocks["/index.html"] and "content-type" in blocks["/index.html"]


def _get(server, path: str, accept_encoding: str | None, extra: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        if accept_encoding is not None:
            conn.putheader("Accept-Encoding", accept_encoding)
        for key, value in (extra or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    headers: dict[str, str] = {}
    for key, value in response.getheaders():
        key = key.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return response.status, headers, body


def _comparable(status: int, headers: dict[str, str], body: bytes) -> dict:
    out = {k: v for k, v in headers.items() if k not in TRANSFER}
    if "vary" in out:
        out["vary"] = ", ".join(sorted({v.strip().lower() for v in out["vary"].split(",")}))
    if status == 200:
        out["body-sha256"] = hashlib.sha256(body).hexdigest()
        out["etag"] = "etag" in headers
    else:
        # Error pages are each server's own; their policy headers are what must match.
        out.pop("content-type", None)
        out.pop("content-length", None)
    return {"status": status, **out}


def _differences(plan, flask, other, framing: set[str] = frozenset()) -> list[str]:
    differences = []
    for path in (*plan.urls, *MISSING):
        for accept in (*ENCODINGS, None):
            ours = _comparable(*_get(flask, path, accept))
            theirs = _comparable(*_get(other, path, accept))
            # A validator where the app sends none (its computed routes) costs nothing; none where
            # the app sends one would.
            if theirs.get("etag") and not ours.get("etag"):
                ours["etag"] = True
            for key in framing:
                ours.pop(key, None)
                theirs.pop(key, None)
            if ours != theirs:
                keys = sorted(set(ours) | set(theirs))
                diff = {k: (ours.get(k), theirs.get(k)) for k in keys if ours.get(k) != theirs.get(k)}
                differences.append(f"{path} (Accept-Encoding: {accept}): {diff}")
    return differences


def test_nginx_sends_what_flask_sends_for_every_url(export, servers):
    _, plan, _ = export
    flask, nginx = servers
    differences = _differences(plan, flask, nginx)
    assert not differences, "\n".join(differences[:20])
    # The static hosts' own file: our server never has one to serve, nginx must not serve it either.
    assert _get(nginx, "/_headers", None)[0] == 404


def test_caddy_sends_what_flask_sends_for_every_url(export, flask_server, caddy_server):
    _, plan, _ = export
    # Caddy 2.6 streams precompressed files chunked: no Content-Length there, the same bytes.
    differences = _differences(plan, flask_server, caddy_server, {"content-length", "transfer-encoding"})
    assert not differences, "\n".join(differences[:20])
    assert _get(caddy_server, "/_headers", None)[0] == 404


def test_both_revalidate_with_their_etag(servers):
    for server in servers:
        status, headers, _ = _get(server, "/index.html", "br")
        assert status == 200 and headers.get("etag"), headers
        status, again, body = _get(server, "/index.html", "br", {"If-None-Match": headers["etag"]})
        assert status == 304 and body == b"", (server.url, status)
        assert again["content-security-policy"] == headers["content-security-policy"]


def test_static_etags_follow_the_bytes(export, servers):
    """nginx's ETag is time-size; the export sets each shell file's time from its bytes, so a
    same-size edit still changes the ETag (our server hashes the bytes for the same reason)."""
    out, _, _ = export
    site = out / "site"
    for rel in ("index.html", "sw.js", "embed/allowed-origins.json"):
        assert int((site / rel).stat().st_mtime) == content_time(site / rel), rel
    index = site / "index.html"
    _, headers, _ = _get(servers[1], "/index.html", "identity")
    assert headers["etag"] == f'"{content_time(index):x}-{index.stat().st_size:x}"'
    other = out.parent / "edited.html"
    data = bytearray(index.read_bytes())
    data[-2] = ord("A") if data[-2] != ord("A") else ord("B")
    other.write_bytes(bytes(data))
    assert content_time(other) != content_time(index)


def test_export_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="holds other files"):
        export_static(tmp_path, log=lambda *a: None)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_file_name_no_config_can_hold_is_refused(export):
    _, plan, _ = export
    odd = dataclasses.replace(plan, paths={**plan.paths, "/a b;.js": {**plan.default, "X-Odd": "1"}},
                              urls=(*plan.urls, "/a b;.js"))
    for render in (lambda p: server_configs.nginx_server(p, "/srv", "80"),
                   lambda p: server_configs.caddyfile(p, "/srv"), server_configs.headers_file):
        with pytest.raises(ValueError, match="rename the file"):
            render(odd)
