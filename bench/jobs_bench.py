"""Photos per second of `bgremove --jobs N` against `--jobs 1`, on the same dev photos.

    .venv/bin/python bench/jobs_bench.py [--photos 48] [--jobs 1 2 4] [--runs 2] [--format png]

Runs the installed CLI (the real console script, a fresh process per run, so start-up and the
workers' model loading are counted) over the first N photos of the dev set's report half
(bench/dev_split.py), writing into a temporary folder. Prints a Markdown table: median wall
seconds, photos per second and speed-up over --jobs 1. Run it on an idle machine; the figures go
to docs/BENCHMARKS.md ("Batch: --jobs").
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_split import DEV, stems

BGREMOVE = str(Path(sys.executable).with_name("bgremove"))


def photos(n: int) -> list[Path]:
    images = DEV / "images"
    found = []
    for stem in stems("report", DEV)[:n]:
        found.extend(sorted(images.glob(stem + ".*"))[:1])
    if len(found) < n:
        raise SystemExit(f"only {len(found)} report-half photos in {images}, asked for {n}")
    return found


def run(folder: Path, jobs: int, fmt: str) -> float:
    out = Path(tempfile.mkdtemp(prefix="jobs-bench-out-"))
    try:
        t0 = time.perf_counter()
        result = subprocess.run([BGREMOVE, str(folder), "-o", str(out), "--format", fmt, "-q",
                                 "--jobs", str(jobs)], capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if result.returncode != 0:
            raise SystemExit(f"--jobs {jobs} failed ({result.returncode}): {result.stderr}")
        return seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=48)
    parser.add_argument("--jobs", type=int, nargs="+", default=None,
                        help="job counts to compare (default: 1, 2, 4, ... up to the cores)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--format", default="png", choices=("png", "webp", "mask"))
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    counts = args.jobs or sorted({1, *[2 ** i for i in range(1, 8) if 2 ** i <= cores], cores})
    if 1 not in counts:
        counts = [1, *counts]
    folder = Path(tempfile.mkdtemp(prefix="jobs-bench-in-"))
    try:
        for path in photos(args.photos):
            shutil.copy(path, folder / path.name)
        medians = {}
        for jobs in counts:
            times = [run(folder, jobs, args.format) for _ in range(args.runs)]
            medians[jobs] = statistics.median(times)
            print(f"--jobs {jobs}: {', '.join(f'{t:.1f}' for t in times)} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.photos} dev photos (report half), --format {args.format}, median of {args.runs} runs; "
          f"{platform.processor() or platform.machine()}, {cores} cores\n")
    print("| --jobs | ORT threads each | wall s | photos/s | speed-up |")
    print("|---|---|---|---|---|")
    for jobs, seconds in medians.items():
        threads = max(1, cores // jobs)
        print(f"| {jobs} | {threads} | {seconds:.1f} | {args.photos / seconds:.2f} | "
              f"{medians[1] / seconds:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
