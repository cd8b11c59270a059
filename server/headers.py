"""Response headers the app needs on every response: isolation, CSP, caching."""

from __future__ import annotations

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


# Folders and files named by content hash never change under the same URL.
IMMUTABLE_PATH = re.compile(r"^vendor/[a-z]+-[0-9.]+-[0-9a-f]{10}/|^models/[^/]+\.[0-9a-f]{12}\.onnx$")


def cache_control(path: str) -> str:
    if IMMUTABLE_PATH.match(path):
        return "public, max-age=31536000, immutable"
    # HTML, the service worker, manifests and our own modules: always revalidate (ETag).
    return "no-cache"
