"""The one split of the research data sets into a tuning half and a reporting half.

Choices (defaults, thresholds, calibration, pass decisions) may look at the ``tune`` half only;
every quality claim in docs/ is made on the ``report`` half.

Photos are grouped so that correlated photos never straddle the split: a DAVIS video's frames
form one group (its sequence name), every other photo is its own group (SOD and BSDS by id,
matting photos by stem). Within each source the groups are sorted by name and dealt out
alternately, so both halves hold every source in nearly equal parts and the split never changes
when it is recomputed.

    .venv/bin/python bench/dev_split.py            # prints the counts per half and source
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "dev"
MATTING = ROOT.parent / "shared" / "data" / "matting-dev"
HALVES = ("tune", "report")


def group_of(stem: str) -> str:
    """The correlation group of a photo: a DAVIS frame's video, else the photo itself."""
    m = re.fullmatch(r"(davi_.+)_\d+", stem)
    return m.group(1) if m else stem


def split_rows(rows: list[dict[str, str]]) -> dict[str, str]:
    """Map each row's stem to ``'tune'`` or ``'report'`` (rows need ``source`` and ``stem``)."""
    by_source: dict[str, set[str]] = {}
    for r in rows:
        by_source.setdefault(r["source"], set()).add(group_of(r["stem"]))
    half_of_group: dict[tuple[str, str], str] = {}
    for source, groups in by_source.items():
        for i, g in enumerate(sorted(groups)):
            half_of_group[(source, g)] = HALVES[i % 2]
    return {r["stem"]: half_of_group[(r["source"], group_of(r["stem"]))] for r in rows}


def read_index(data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / "index.csv", newline="") as f:
        return list(csv.DictReader(f))


def stems(half: str, data_dir: Path = DEV) -> list[str]:
    """Stems of ``half`` (``'tune'``, ``'report'`` or ``'all'``) of a data set, in index order."""
    if half not in (*HALVES, "all"):
        raise ValueError(f"half must be one of {(*HALVES, 'all')}, got {half!r}")
    rows = read_index(data_dir)
    halves = split_rows(rows)
    return [r["stem"] for r in rows if half == "all" or halves[r["stem"]] == half]


def main() -> None:
    for data_dir in (DEV, MATTING):
        rows = read_index(data_dir)
        halves = split_rows(rows)
        print(f"{data_dir.name}:")
        for half in HALVES:
            counts: dict[str, int] = {}
            for r in rows:
                if halves[r["stem"]] == half:
                    counts[r["source"]] = counts.get(r["source"], 0) + 1
            per_source = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            print(f"  {half:6s} {sum(counts.values()):4d}  {per_source}")


if __name__ == "__main__":
    main()
