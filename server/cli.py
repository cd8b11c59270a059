"""`bgremove-serve`: run the app on waitress (production) or Flask's reloader (development)."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from .ancestors import FrameAncestorsError
from .app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bgremove-serve", description="Serve the background remover app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--dev", action="store_true",
                        help="Flask's development server with auto-reload (loopback only, no debugger)")
    parser.add_argument("--frame-ancestors", default=None,
                        help="origins allowed to embed the widget, CSP syntax (default: 'self')")
    args = parser.parse_args(argv)

    if args.dev and not is_loopback(args.host):
        print(f"bgremove-serve: --dev serves only on a loopback address (127.0.0.1, ::1, localhost), "
              f"not {args.host!r}: the development server is not hardened for a network.", file=sys.stderr)
        return 2
    try:
        app = create_app(frame_ancestors=args.frame_ancestors)
    except FrameAncestorsError as exc:
        print(f"bgremove-serve: --frame-ancestors: {exc}", file=sys.stderr)
        return 2
    print(f"bgremove: serving on http://{args.host}:{args.port}/", flush=True)
    if args.dev:
        # Reloader yes, Werkzeug's interactive debugger never: its /console runs Python for anyone
        # who can reach the port.
        app.run(host=args.host, port=args.port, debug=False, use_debugger=False, use_reloader=True)
        return 0
    # waitress: pure Python (no compiler, runs wherever Flask runs, Windows included), threaded,
    # streams large static files without a worker per connection, and is hardened against
    # malformed requests; gunicorn would need a Unix fork model for the same job.
    from waitress import serve

    serve(app, host=args.host, port=args.port, **waitress_options(args.threads))
    return 0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def waitress_options(threads: int = 8) -> dict:
    """Production limits, shared with the tests so they exercise the real configuration."""
    return {
        "threads": threads,
        "ident": "bgremove",
        # Browsers send a few KB of headers; anything near this is abuse and gets 431.
        "max_request_header_size": 32 * 1024,
        # No route takes a body: images never reach the server.
        "max_request_body_size": 1024,
        "channel_timeout": 30,
    }


if __name__ == "__main__":
    sys.exit(main())
