"""Server rules for the widget: /embed.js loadable by other sites, the frame's allow-list, and
every other security header unchanged."""

from __future__ import annotations

import pytest

from server.app import create_app

HOST = "https://shop.example"


@pytest.fixture(scope="module")
def client():
    app = create_app(frame_ancestors=f"'self' {HOST} https://*.partner.example")
    app.testing = True
    return app.test_client()


def csp_directives(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: value}."""
    out = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


def test_embed_script_is_loadable_cross_origin(client):
    r = client.get("/embed.js", headers={"Origin": HOST})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/javascript")
    assert r.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    # No credentials ever: a wildcard CORS answer must not be combined with them.
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-cache"


def test_frame_page_is_frameable_by_the_allow_list_only(client):
    r = client.get("/embed/frame.html")
    assert r.status_code == 200
    assert csp_directives(r)["frame-ancestors"] == f"'self' {HOST} https://*.partner.example"
    # Cross-origin-isolated hosts may embed it too; who may is still decided by frame-ancestors.
    assert r.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert r.headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert "Access-Control-Allow-Origin" not in r.headers
    assert csp_directives(r)["script-src"] == "'self' 'wasm-unsafe-eval'"


@pytest.mark.parametrize("path", ["/", "/src/main.js", "/sw.js", "/src/api/bg-remover.js",
                                  "/vendor/runtime.json"])
def test_everything_else_keeps_same_origin_resource_policy(client, path):
    r = client.get(path)
    assert r.status_code == 200, path
    assert r.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r.headers["Referrer-Policy"] == "no-referrer"


def test_allow_list_endpoint_matches_thecsp_directives(client):
    r = client.get("/embed/allowed-origins.json")
    assert r.status_code == 200
    assert r.get_json() == {"frameAncestors": ["'self'", HOST, "https://*.partner.example"]}
    # The list is published here, but only the frame page may be framed by it.
    assert csp_directives(r)["frame-ancestors"] == "'self'"
    assert client.post("/embed/allowed-origins.json").status_code == 405


def test_default_allow_list_is_own_origin_only(monkeypatch):
    monkeypatch.delenv("BGREMOVE_FRAME_ANCESTORS", raising=False)
    client = create_app().test_client()
    assert client.get("/embed/allowed-origins.json").get_json() == {"frameAncestors": ["'self'"]}
    assert csp_directives(client.get("/embed/frame.html"))["frame-ancestors"] == "'self'"


def test_none_allows_nobody():
    client = create_app(frame_ancestors="'none'").test_client()
    assert client.get("/embed/allowed-origins.json").get_json() == {"frameAncestors": []}


def test_environment_variable_configures_the_allow_list(monkeypatch):
    monkeypatch.setenv("BGREMOVE_FRAME_ANCESTORS", HOST)
    client = create_app().test_client()
    assert client.get("/embed/allowed-origins.json").get_json() == {"frameAncestors": [HOST]}
