"""python -m model_export build|validate"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .paths import DEFAULT_OUT
from .simplify import DEFAULT_SIMPLIFIER, SIMPLIFIERS


def default_archs() -> list[str]:
    """The architectures a plain `build` makes: $BGREMOVE_MODELS (comma-separated, e.g. "u2netp" for
    the fast model only), else every one whose weights the build can fetch itself."""
    from .build import DEFAULT_ARCHS
    wanted = [a.strip() for a in os.environ.get("BGREMOVE_MODELS", "").split(",") if a.strip()]
    bad = [a for a in wanted if a not in DEFAULT_ARCHS]
    if bad:
        raise ValueError(f"BGREMOVE_MODELS={os.environ['BGREMOVE_MODELS']!r}: unknown {bad}; "
                         f"choose from {', '.join(DEFAULT_ARCHS)}")
    return wanted or list(DEFAULT_ARCHS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model_export",
                                     description="Build and validate the ONNX models the app serves.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="export fp32/fp16/uint8 models into web/models with a manifest")
    b.add_argument("--arch", choices=["u2netp", "u2net", "modnet"], default=None,
                   help="one architecture (default: those in $BGREMOVE_MODELS, else u2netp and u2net)")
    b.add_argument("--weights", type=Path, help="checkpoint for u2net (.pth) or modnet (.ckpt)")
    b.add_argument("--out", type=Path, default=DEFAULT_OUT)
    b.add_argument("--force", action="store_true", help="rebuild even if inputs did not change")
    b.add_argument("--simplifier", choices=SIMPLIFIERS, default=DEFAULT_SIMPLIFIER,
                   help="graph simplifier after export (docs/MODELS.md compares them)")
    v = sub.add_parser("validate", help="every variant vs fp32 over ../shared dev: 320x320 mask IoU, and the "
                                        "default pipeline's IoU/Boundary IoU vs ground truth (report half)")
    v.add_argument("--out", type=Path, default=DEFAULT_OUT)
    v.add_argument("--limit", type=int, default=None,
                   help="only about N dev photos (a quick look, not the gate)")
    v.add_argument("--masks-only", action="store_true", help="skip the default-pipeline gate (minutes)")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            from .build import build
            from .simplify import select
            select(args.simplifier)
            if args.weights and not args.arch:
                raise ValueError("--weights needs --arch (u2net or modnet): whose checkpoint is it?")
            for arch in [args.arch] if args.arch else default_archs():
                build(arch, args.weights, args.out, force=args.force)
            return 0
        from .validate import run_validate
        return run_validate(args.out, limit=args.limit, user=not args.masks_only)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"model_export: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
