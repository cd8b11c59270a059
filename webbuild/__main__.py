"""`python -m webbuild`: assemble web/vendor from npm and PyPI packages (run by setup)."""

from __future__ import annotations

import sys
import time

from .build import ROOT, build
from .service_worker import write_precache
from .third_party import write as write_third_party
from .util import BuildError


def main() -> int:
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
