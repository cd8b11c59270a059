"""Operator mistakes and stale deploys the server must not turn into security or caching bugs
(issue #14, findings 1-4, 8 and 9)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.app import create_app
from server.cli import main as cli_main
from tests.test_embed_headers import csp_directives

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# --- 1: --frame-ancestors is parsed, never pasted ------------------------------------------------

@pytest.mark.parametrize("value", [
    "https://shop.example; report-uri https://collector.example/r",
    "https://shop.example, https://other.example",
    "https://shop.example\nX-Injected: 1",
    "https://shop.example\r\n",
    "https://shöp.example",
    "'self' 'unsafe-inline'",
    "'none' https://shop.example",
    "https://shop.example/path/page.html",
    "https://shop.example:99999",
    "https://exa mple.com:x",
    "*.",
    "",
    "   ",
])
def test_malformed_frame_ancestors_refused_at_startup(value, capsys):
    rc = cli_main(["--frame-ancestors", value, "--port", "1"])
    assert rc != 0
    err = capsys.readouterr().err
    assert "--frame-ancestors" in err and "frame-ancestors" in err.split(":", 1)[1], err


def test_malformed_frame_ancestors_exit_code_from_the_real_command():
    """The console script as an operator runs it: a clear line on stderr, non-zero exit, no server."""
    proc = subprocess.run(
        [PYTHON, "-m", "server.cli", "--frame-ancestors",
         "https://shop.example; report-uri https://collector.example/r", "--port", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc
    assert "may not contain ';'" in proc.stderr
    assert "serving on" not in proc.stdout


def test_malformed_env_list_stops_app_creation(monkeypatch):
    from server.ancestors import FrameAncestorsError

    monkeypatch.setenv("BGREMOVE_FRAME_ANCESTORS", "https://a.example;script-src *")
    with pytest.raises(FrameAncestorsError):
        create_app()


def test_injection_never_reaches_csp_or_allow_list():
    """The exploit of the report: before parsing, a ';' added a report-uri and the JSON grew a '*'."""
    with pytest.raises(ValueError):
        create_app(frame_ancestors="https://shop.example; report-uri https://collector.example/r *")


@pytest.mark.parametrize(("value", "expected"), [
    ("'self'", ["'self'"]),
    ("'SELF' HTTPS://Shop.Example", ["'self'", "https://shop.example"]),
    ("'none'", []),
    ("https:", ["https:"]),
    ("https://*.partner.example:8443 http://localhost:*", ["https://*.partner.example:8443", "http://localhost:*"]),
    ("shop.example shop.example/", ["shop.example"]),
    ("*", ["*"]),
    ("'self'\thttps://a.example", ["'self'", "https://a.example"]),
])
def test_valid_sources_build_both_csp_and_allow_list(value, expected):
    client = create_app(frame_ancestors=value).test_client()
    served = client.get("/embed/allowed-origins.json").get_json()["frameAncestors"]
    assert served == expected
    csp = csp_directives(client.get("/embed/frame.html"))["frame-ancestors"]
    assert csp == (" ".join(expected) or "'none'")


# --- 2: content-hash ETags, no Last-Modified ------------------------------------------------------

@pytest.fixture()
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "sw-precache.js").write_text('self.BGREMOVE_PRECACHE = {"version": "aaaaaaaaaaaaaaaa"};\n')
    return tmp_path


def test_etag_follows_content_even_when_size_and_mtime_are_pinned(site):
    """A reproducible build pins every file time (SOURCE_DATE_EPOCH); a same-size edit must still
    give a new ETag, or clients keep the old file next to the new deploy."""
    client = create_app(web_root=site).test_client()
    path = site / "sw-precache.js"
    pinned = 1_600_000_000
    os.utime(path, (pinned, pinned))
    first = client.get("/sw-precache.js")
    assert first.status_code == 200
    assert "Last-Modified" not in first.headers
    etag = first.headers["ETag"]

    path.write_text('self.BGREMOVE_PRECACHE = {"version": "bbbbbbbbbbbbbbbb"};\n')
    os.utime(path, (pinned, pinned))
    second = client.get("/sw-precache.js", headers={"If-None-Match": etag})
    assert second.status_code == 200, "the old ETag still matched new bytes"
    assert second.headers["ETag"] != etag
    assert b"bbbb" in second.data


def test_etag_is_the_same_for_the_same_bytes(site, tmp_path_factory):
    other = tmp_path_factory.mktemp("copy")
    shutil.copyfile(site / "sw-precache.js", other / "sw-precache.js")
    os.utime(other / "sw-precache.js", (1, 1))
    a = create_app(web_root=site).test_client().get("/sw-precache.js").headers["ETag"]
    b = create_app(web_root=other).test_client().get("/sw-precache.js").headers["ETag"]
    assert a == b
    digest = hashlib.sha256((site / "sw-precache.js").read_bytes()).hexdigest()
    assert a.strip('"') == digest[:32]


def test_if_modified_since_alone_never_gives_304(site):
    client = create_app(web_root=site).test_client()
    r = client.get("/index.html", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert r.status_code == 200


def test_conditional_and_range_requests_still_work(site):
    client = create_app(web_root=site).test_client()
    etag = client.get("/index.html").headers["ETag"]
    assert client.get("/index.html", headers={"If-None-Match": etag}).status_code == 304
    part = client.get("/index.html", headers={"Range": "bytes=0-8"})
    assert part.status_code == 206 and part.data == b"<!doctype"


# --- 3: partners may frame the widget's frame page only -------------------------------------------

@pytest.mark.parametrize("path", ["/", "/index.html", "/embed.js", "/embed/frame.js", "/sw.js",
                                  "/embed/allowed-origins.json", "/nope"])
def test_partner_list_is_not_sent_on_other_pages(path):
    client = create_app(frame_ancestors="'self' https://shop.example").test_client()
    r = client.get(path)
    assert csp_directives(r)["frame-ancestors"] == "'self'", path
    frame = client.get("/embed/frame.html")
    assert csp_directives(frame)["frame-ancestors"] == "'self' https://shop.example"


# --- 4: the service worker's version covers the header configuration ------------------------------

def test_sw_config_changes_with_the_allow_list():
    a = create_app(frame_ancestors="'self' https://shop.example").test_client().get("/sw-config.js")
    b = create_app(frame_ancestors="'self' https://other.example").test_client().get("/sw-config.js")
    same = create_app(frame_ancestors="'self'   https://SHOP.example").test_client().get("/sw-config.js")
    assert a.status_code == 200 and a.mimetype == "text/javascript"
    assert a.headers["Cache-Control"] == "no-cache"
    assert "self.BGREMOVE_SERVER" in a.text
    assert a.data != b.data
    assert a.data == same.data


def test_service_worker_names_its_cache_with_the_server_config():
    sw = (ROOT / "web" / "sw.js").read_text()
    assert "'/sw-config.js'" in sw
    assert "BGREMOVE_SERVER" in sw
    # The allow-list is kept for offline use with the rest of this version's cache.
    assert "/embed/allowed-origins.json" in sw


# --- 8: --dev never runs the debugger, and only on loopback ---------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_dev_refused_off_loopback(host, capsys):
    assert cli_main(["--dev", "--host", host, "--port", "1"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_dev_server_has_no_debugger(monkeypatch):
    from flask import Flask

    seen = {}
    monkeypatch.setattr(Flask, "run", lambda self, **kw: seen.update(kw))
    assert cli_main(["--dev", "--host", "127.0.0.1", "--port", "1"]) == 0
    assert seen.get("debug") is False and seen.get("use_debugger") is False, seen


# --- 9: one charset -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/index.html", "/embed/frame.html", "/src/main.js", "/styles/app.css"])
def test_one_charset(path):
    r = create_app().test_client().get(path)
    assert r.status_code == 200
    assert r.headers["Content-Type"].count("charset") <= 1, r.headers["Content-Type"]


def test_content_hash_is_computed_once_per_file_version(site, monkeypatch):
    """Hashing on every request would read every file twice; the hash is kept per file version."""
    from server import etags

    client = create_app(web_root=site).test_client()
    calls = []
    real = hashlib.sha256
    monkeypatch.setattr(etags.hashlib, "sha256", lambda *a: calls.append(1) or real(*a))
    (site / "index.html").write_text("<!doctype html><title>new</title>")
    for _ in range(3):
        assert client.get("/index.html").status_code == 200
    assert len(calls) == 1
    (site / "index.html").write_text("<!doctype html><title>newer</title>")
    client.get("/index.html")
    assert len(calls) == 2
