"""Contact sheet of the worst hair and fur edges on matting-dev, written outside the repository.

    .venv/bin/python bench/hair_contact_sheet.py                       # report half, none | edge | matte
    .venv/bin/python bench/hair_contact_sheet.py --half tune --n 6 --edge none --edge matte --out /tmp/sheet

For the ``--n`` photos of the half with the highest soft-band MAE under the first variant, the
128 px window with the largest soft-band error, as photo | ground truth | each variant's alpha,
enlarged 2x (``bench.quality_matting.contact_sheet``). The photos are research-licensed and must never
be committed, so the sheet goes to ``--out`` (default: a new folder under the system's temp folder),
never into docs/ or bench/results/; the path is printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import quality_matting as qm  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--half", default="report", choices=("tune", "report", "all"))
    p.add_argument("--edge", action="append", default=[], help="variant (repeatable; see --list)")
    p.add_argument("--n", type=int, default=8, help="photos on the sheet")
    p.add_argument("--out", type=Path, default=None, help="folder for the sheet (default: a new temp folder)")
    args = p.parse_args(argv)
    names = args.edge or ["none", "edge", "matte"]
    for n in names:
        if n not in qm.EDGES:
            made = qm.band_edge(n) or qm.matte_edge(n)
            if made is None:
                p.error(f"unknown edge variant {n!r}; see bench/quality_matting.py --list")
            qm.EDGES[n] = made
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="hair_sheet_"))
    if out_dir.resolve().is_relative_to(ROOT.resolve()):
        p.error(f"{out_dir}: the sheet shows research-licensed photos; write it outside the repository")
    out_dir.mkdir(parents=True, exist_ok=True)
    photos = qm.load_matting(args.half)
    raw = qm.run_edges(names, photos)
    path = out_dir / f"hair_worst_{args.half}.png"
    qm.contact_sheet(names, raw, photos, path, args.n)
    print(f"{path}: photo | ground truth | {' | '.join(names)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
