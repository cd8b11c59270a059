"""Response headers the app needs on every response: isolation, CSP, caching."""

from __future__ import annotations

import hashlib
import json
import re

# Cross-origin isolation (COOP + COEP) unlocks SharedArrayBuffer, which ONNX Runtime Web needs
# for multi-threaded WASM. CORP same-origin keeps other sites from embedding our files.
ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}

BASE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Nothing we serve needs these powerful features; saying so stops embedded or injected code.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def content_security_policy(frame_ancestors: str = "'self'") -> str:
    """Our own origin only, plus exactly what the runtimes need (see docs/ARCHITECTURE.md#csp)."""
    directives = {
        "default-src": "'self'",
        # 'wasm-unsafe-eval': compiling WebAssembly (ORT, Pyodide) without allowing JS eval.
        "script-src": "'self' 'wasm-unsafe-eval'",
        # ORT's threaded WASM starts its pthread workers from our own module URLs; blob: covers
        # the runtimes that wrap worker bootstrap code in a Blob URL.
        "worker-src": "'self' blob:",
        # fetch() of models and wheels, and the data:/blob: URLs Pyodide and ORT use internally.
        "connect-src": "'self' blob: data:",
        # Results are shown from blob: URLs; the checkerboard is a data: SVG.
        "img-src": "'self' blob: data:",
        "style-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": frame_ancestors,
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


# /embed.js is loaded by other sites' pages (<script src>, or type=module which uses CORS); the
# widget's frame may be embedded by cross-origin-isolated hosts, which require CORP on iframes.
# Everything else keeps CORP same-origin. Who may frame us is decided by CSP frame-ancestors.
EMBED_SCRIPT = {
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Access-Control-Allow-Origin": "*",
}
EMBED_FRAME = {"Cross-Origin-Resource-Policy": "cross-origin"}


def embed_overrides(path: str) -> dict[str, str]:
    """Header changes for the widget's files; path is the URL path (leading slash)."""
    if path == "/embed.js":
        return EMBED_SCRIPT
    if path.startswith("/embed/"):
        return EMBED_FRAME
    return {}


# The one page partners may frame. Every other page (the app itself included) keeps 'self', so a
# partner on the list can show the widget's engine but cannot frame the app to clickjack it.
FRAME_PAGE = "/embed/frame.html"


def frame_ancestors_for(path: str, configured: str) -> str:
    """The frame-ancestors value for a URL path: the configured list on the frame page only."""
    return configured if path == FRAME_PAGE else "'self'"


def config_digest(csp_by_kind: dict[str, str], allow_list: list[str]) -> str:
    """A short hash of everything this server adds to its files: the service worker's cache name
    includes it, so a changed allow-list or header set means a new worker and a fresh offline copy."""
    config = {"isolation": ISOLATION, "base": BASE, "embed_script": EMBED_SCRIPT, "embed_frame": EMBED_FRAME,
              "csp": csp_by_kind, "allow_list": allow_list}
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


def sw_config_script(digest: str) -> str:
    """/sw-config.js: imported by the service worker; its bytes change whenever the config does."""
    return ("// Written by the server from its header configuration (server/headers.py); do not edit.\n"
            f"self.BGREMOVE_SERVER = {json.dumps({'config': digest})};\n")


# Folders and files named by content hash never change under the same URL.
IMMUTABLE_PATH = re.compile(r"^vendor/[a-z]+-[0-9.]+-[0-9a-f]{10}/|^models/[^/]+\.[0-9a-f]{12}\.onnx$")


def cache_control(path: str) -> str:
    if IMMUTABLE_PATH.match(path):
        return "public, max-age=31536000, immutable"
    # HTML, the service worker, manifests and our own modules: always revalidate (ETag).
    return "no-cache"
