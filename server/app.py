"""Flask app factory: serves web/ and its runtimes from one origin. It never accepts image data."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from flask import Flask, Response, abort, jsonify, request, send_file

from . import headers
from .ancestors import allow_list, csp_value, parse_frame_ancestors
from .encoding import pick_variant
from .etags import content_etag

WEB_ROOT = Path(__file__).resolve().parents[1] / "web"

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".onnx": "application/octet-stream",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    # No charset here: send_file adds "; charset=utf-8" to every text/* type itself.
    ".html": "text/html",
}


def create_app(web_root: Path | str | None = None, frame_ancestors: str | None = None) -> Flask:
    """Build the app.

    frame_ancestors: origins allowed to frame our pages (the widget's iframe); defaults to the
    BGREMOVE_FRAME_ANCESTORS environment variable, else only our own origin. It is parsed here, so a
    malformed list stops the server at start-up (server.ancestors.FrameAncestorsError), never later.
    """
    root = Path(web_root or os.environ.get("BGREMOVE_WEB_ROOT") or WEB_ROOT).resolve()
    if frame_ancestors is None:
        frame_ancestors = os.environ.get("BGREMOVE_FRAME_ANCESTORS") or "'self'"
    sources = parse_frame_ancestors(frame_ancestors)
    app = Flask(__name__, static_folder=None)
    app.config["WEB_ROOT"] = root
    configured = csp_value(sources)
    csp_frame = headers.content_security_policy(headers.frame_ancestors_for(headers.FRAME_PAGE, configured))
    csp_other = headers.content_security_policy("'self'")
    embedders = allow_list(sources)
    config = headers.config_digest({"frame": csp_frame, "other": csp_other}, embedders)
    app.config["HEADER_CONFIG_DIGEST"] = config

    def serve(path: str = "") -> Response:
        file = _resolve(root, path)
        if file is None:
            abort(404)
        variant, coding = pick_variant(file, request.headers.get("Accept-Encoding"))
        # ETag from the bytes, no Last-Modified: a deploy that normalises file times must still be
        # seen as new, or a client would keep one deploy's module next to another's.
        response = send_file(variant, mimetype=_mime(file), conditional=False, etag=False, max_age=None)
        del response.headers["Last-Modified"]
        response.set_etag(content_etag(variant))
        response.make_conditional(request, accept_ranges=True, complete_length=variant.stat().st_size)
        if coding:
            response.headers["Content-Encoding"] = coding
        if variant != file or file.with_name(file.name + ".br").is_file():
            response.vary.add("Accept-Encoding")
        response.headers["Cache-Control"] = headers.cache_control(path)
        return response

    # The widget frame checks its parent's origin against the same list the CSP enforces.
    app.add_url_rule("/embed/allowed-origins.json", "embed_origins",
                     lambda: jsonify({"frameAncestors": embedders}),
                     methods=["GET", "HEAD"], provide_automatic_options=False)
    sw_config = headers.sw_config_script(config)
    app.add_url_rule("/sw-config.js", "sw_config",
                     lambda: Response(sw_config, mimetype="text/javascript"),
                     methods=["GET", "HEAD"], provide_automatic_options=False)

    # OPTIONS is refused too: /embed.js is fetched cross-origin, but only with simple GETs.
    for rule in ("/", "/<path:path>"):
        app.add_url_rule(rule, "serve" if rule == "/" else "serve_path", serve,
                         methods=["GET", "HEAD"], provide_automatic_options=False)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.update(headers.ISOLATION)
        response.headers.update(headers.BASE)
        framed = request.path == headers.FRAME_PAGE
        response.headers["Content-Security-Policy"] = csp_frame if framed else csp_other
        response.headers.setdefault("Cache-Control", "no-cache")
        response.headers.update(headers.embed_overrides(request.path))
        return response

    return app


def _resolve(root: Path, path: str) -> Path | None:
    """Map a URL path to a file strictly inside root; anything odd is simply not found."""
    parts = path.split("/") if path else []
    if any(p in ("..", ".") or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    candidate = (root / path).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if not candidate.is_file() or candidate.suffix in (".br", ".gz"):
        return None
    return candidate


def _mime(path: Path) -> str:
    return MIME_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
