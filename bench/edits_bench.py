"""Touch-up strokes (bgcut.edits) on a large photo: apply_edits per stroke, snapping on and off,
natively and (with --pyodide) in the browser's Python under Node.

    .venv/bin/python bench/edits_bench.py                       # 12 MP; r = 30 px, 50 points
    .venv/bin/python bench/edits_bench.py --mp 12 --radii 10 30 100 300 --runs 5 --pyodide
    .venv/bin/python bench/edits_bench.py --mp 1 --runs 1       # a quick smoke run

The photo is bench/native_bench.py's (scikit-image's public-domain "coffee" enlarged to --mp
megapixels); its pre-edit alpha comes from the real model (u2netp-fp32; not timed). Each stroke
has --points points, 8 px apart, along a line crossing the cut-out's outline, with radius r in
full-resolution pixels. Timed (median of --runs, wall seconds):

- ``apply`` / ``apply inplace``: bgcut.apply_edits for one stroke, returning a new alpha (one
  full-size copy) or painting into the host's cached one (what the worker does on stroke end).
- ``finish``: decontamination + composite of the edited alpha (bgcut.finish; transparent PNG
  pixels, no encode), the rest of a stroke-end recompute; independent of the strokes.
- ``--pyodide``: the same ``apply inplace`` in Pyodide (the served bgcut wheel, web/vendor) under
  Node; the browser's worker runs this code (Chromium's WebAssembly is about as fast as Node's).

Benchmarks are evidence only on an idle machine: the load average is printed. The figures go to
docs/BENCHMARKS.md ("Touch-up edits").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from native_bench import synth_photo  # noqa: E402

import bgcut  # noqa: E402
from bgremove.decode import decode  # noqa: E402
from bgremove.models import load_model  # noqa: E402
from bgremove.pipeline import predict_mask  # noqa: E402
from tests.pyodide_support import PYODIDE_PRELUDE, served_pyodide  # noqa: E402

RUNNER = PYODIDE_PRELUDE + """const out = await py.runPythonAsync(`
import json, statistics, time
import numpy as np, bgcut
rgba = np.load('/work/rgba.npy'); alpha0 = np.load('/work/alpha0.npy')
cases = json.load(open('/work/cases.json'))
h, w = alpha0.shape
res = {}
for name, doc in cases['docs'].items():
    edits = bgcut.parse_edits(doc, w, h)
    times = []
    for _ in range(cases['runs']):
        a = alpha0.copy()
        t = time.perf_counter()
        bgcut.apply_edits(a, rgba, edits, inplace=True)
        times.append(time.perf_counter() - t)
    res[name] = statistics.median(times)
json.dumps(res)
`);
console.log(out);
"""


def stroke_points(alpha0: np.ndarray, n: int, spacing: float = 8.0) -> list[list[float]]:
    """``n`` points ``spacing`` px apart on a horizontal line through the middle of the outline."""
    ys, xs = np.nonzero((alpha0 > 0.1) & (alpha0 < 0.9))
    if ys.size == 0:
        raise SystemExit("the photo's alpha has no outline to draw across")
    i = int(np.argsort(ys)[ys.size // 2])
    cx, cy = float(xs[i]), float(ys[i])
    x0 = cx - spacing * (n - 1) / 2
    return [[x0 + spacing * k + 0.25, cy + 0.5 + (k % 3) * 0.3] for k in range(n)]


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def inplace_time(alpha0: np.ndarray, rgba: np.ndarray, edits: bgcut.Edits, runs: int) -> float:
    """Median seconds of apply_edits(inplace=True) on a fresh copy of alpha0 (the copy not timed)."""
    times = []
    for _ in range(runs):
        scratch = alpha0.copy()
        t = time.perf_counter()
        bgcut.apply_edits(scratch, rgba, edits, inplace=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def pyodide_times(rgba: np.ndarray, alpha0: np.ndarray, docs: dict, runs: int) -> dict[str, float]:
    # The served runtime (runtime.json), with the bgcut wheel checked against bgcut/src.

    node, pyodide_dir, numpy_wheel, bgcut_wheel = served_pyodide()
    with tempfile.TemporaryDirectory(prefix="edits-bench-") as tmp:
        work = Path(tmp)
        np.save(work / "rgba.npy", rgba)
        np.save(work / "alpha0.npy", alpha0)
        (work / "cases.json").write_text(json.dumps({"docs": docs, "runs": runs}))
        (work / "runner.mjs").write_text(RUNNER)
        proc = subprocess.run([node, str(work / "runner.mjs"), str(pyodide_dir), str(numpy_wheel),
                               str(bgcut_wheel), str(work)], capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-2000:])
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mp", type=float, default=12.0, help="photo size in megapixels")
    ap.add_argument("--radii", type=float, nargs="+", default=[30.0], help="brush radii, full-resolution px")
    ap.add_argument("--points", type=int, default=50, help="points per stroke (8 px apart)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pyodide", action="store_true", help="also time apply inplace in Pyodide under Node")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="edits-bench-") as tmp:
        path = Path(tmp) / "photo.jpg"
        h, w = synth_photo(args.mp, path)
        rgba = decode(path)
    options = bgcut.Options()
    planned = predict_mask(rgba, load_model("u2netp-fp32"), None, options)
    alpha0 = bgcut.pre_edit_alpha(rgba, planned, options)
    pts = stroke_points(alpha0, args.points)
    docs = {}
    for r in args.radii:
        for snap in (False, True):
            docs[f"r={r:g} snap={'on' if snap else 'off'}"] = {
                "version": 1, "photo": {"width": w, "height": h},
                "strokes": [{"mode": "keep", "radius": r, "snap": snap, "points": pts}]}

    print(f"# Touch-up edits: {w} x {h} ({w * h / 1e6:.1f} MP), one Keep stroke of {args.points} points "
          f"8 px apart across the outline\n")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f} (evidence only when idle); median of {args.runs} runs, seconds\n")
    rows = []
    for name, doc in docs.items():
        edits = bgcut.parse_edits(doc, w, h)
        apply_copy = median_time(lambda e=edits: bgcut.apply_edits(alpha0, rgba, e), args.runs)
        rows.append((name, apply_copy, inplace_time(alpha0, rgba, edits, args.runs)))
    edited = bgcut.apply_edits(alpha0, rgba, bgcut.parse_edits(next(iter(docs.values())), w, h))
    t_finish = median_time(lambda: bgcut.finish(rgba, edited, options), args.runs)
    wasm = pyodide_times(rgba, alpha0, docs, args.runs) if args.pyodide else {}
    head = "| stroke | apply (new alpha) | apply inplace |" + (" apply inplace, Pyodide |" if wasm else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, a, b in rows:
        extra = f" {wasm[name]:.3f} |" if wasm else ""
        print(f"| {name} | {a:.3f} | {b:.3f} |{extra}")
    print(f"\nfinish (decontaminate + composite, transparent, no encode): {t_finish:.3f} s")


if __name__ == "__main__":
    main()
