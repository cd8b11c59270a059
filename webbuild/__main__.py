"""`python -m webbuild`: assemble web/vendor from npm and PyPI packages (run by setup).

`python -m webbuild --static OUT` then exports the built app for static hosting (docs/DEPLOY.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import ROOT, build
from .service_worker import write_precache
from .third_party import write as write_third_party
from .util import BuildError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webbuild", description=__doc__.split("\n")[0])
    parser.add_argument("--static", type=Path, metavar="OUT",
                        help="after the build, write the app and nginx/Caddy/_headers configs to OUT")
    parser.add_argument("--frame-ancestors", default="'self'",
                        help="who may embed the widget, CSP syntax, as bgremove-serve's option")
    parser.add_argument("--server-root", default=None,
                        help="where OUT/site will live on the web server (default: OUT/site here)")
    parser.add_argument("--listen", default="80", help="port (or address) in the nginx and Caddy configs")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        manifest = build()
    except BuildError as exc:
        print(f"webbuild: {exc}", file=sys.stderr)
        return 1
    write_third_party(ROOT)
    precache = write_precache(ROOT / "web")
    total = sum(f["bytes"] for f in manifest["files"])
    print(f"webbuild: {len(manifest['files'])} runtime files, {total / 1e6:.1f} MB, "
          f"in {time.monotonic() - start:.1f} s; service worker version {precache['version']}")
    if args.static is None:
        return 0
    from .static_export import export_static

    try:
        plan = export_static(args.static, args.frame_ancestors, server_root=args.server_root,
                             listen=args.listen)
    except (BuildError, RuntimeError, ValueError) as exc:
        print(f"webbuild: {exc}", file=sys.stderr)
        return 1
    print(f"webbuild: static site in {args.static}/site ({len(plan.urls)} URLs, "
          f"{len(plan.paths)} with their own headers); configs in {args.static}/nginx, "
          f"{args.static}/Caddyfile and site/_headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
