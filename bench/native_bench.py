"""Per-stage timings of the native pipeline (the CLI's code path) at several image sizes.

    .venv/bin/python bench/native_bench.py [--sizes 1 4 12 24] [--runs 3] [--model ID] [--format png]
    .venv/bin/python bench/native_bench.py --sizes 1 12 --refine matte   # another edge refinement

Inputs are scikit-image's bundled "coffee" photo (600x400, public domain) enlarged with bgcut's
bilinear resize to each size in megapixels (3:2 aspect) and saved as JPEG (quality 90) in a temp
directory, so the decode stage reads a real file. Prints a Markdown table of median wall and
process-CPU seconds per stage (CPU time shows the cost without other processes competing).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import bgcut
from bgremove.decode import decode
from bgremove.models import load_model
from bgremove.passes import run_passes
from bgremove.pipeline import SUFFIX, encode, options_for_format

STAGES = ("decode", "model_input", "inference", "postprocess", "encode")
DETAIL = ("refine", "decontaminate", "composite")


def synth_photo(megapixels: float, path: Path) -> tuple[int, int]:
    import skimage.data

    src = skimage.data.coffee()
    w = round(math.sqrt(megapixels * 1e6 * 1.5))
    h = round(w / 1.5)
    big = np.clip(np.floor(bgcut.resize(src, (h, w)) + 0.5), 0, 255).astype(np.uint8)
    Image.fromarray(big).save(path, quality=90)
    return h, w


def timed(clock_pairs: dict[str, list[tuple[float, float]]], stage: str, fn, *args):
    """Run ``fn(*args)``, appending (wall, process CPU) seconds under ``stage``."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args)
    clock_pairs.setdefault(stage, []).append((time.perf_counter() - w0, time.process_time() - c0))
    return result


def run_once(src: Path, dst: Path, model, options: bgcut.Options, fmt: str,
             clocks: dict[str, list[tuple[float, float]]]) -> None:
    """The CLI's path (bgremove.pipeline.process_file), stage by stage, with wall and CPU clocks.
    The plan's time is split into model runs ("inference", wall only) and everything else
    ("model_input": the working copy, model inputs and mask merges)."""
    options = options_for_format(options, fmt)
    rgba = timed(clocks, "decode", decode, src)
    plan: dict[str, float] = {}
    w0, c0 = time.perf_counter(), time.process_time()
    planned = run_passes(rgba, model, options, plan)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    clocks.setdefault("model_input", []).append((wall - plan["inference"], float("nan")))
    clocks.setdefault("inference", []).append((plan["inference"], float("nan")))
    clocks.setdefault("plan_cpu", []).append((cpu, cpu))
    clocks.setdefault("model_runs", []).append((plan["model_runs"], plan["model_runs"]))
    detail: dict[str, float] = {}
    result = timed(clocks, "postprocess",
                   lambda: bgcut.postprocess(rgba, planned.mask, options, timings=detail, work=planned.work))
    detail.pop("band_fraction", None)
    for key, value in detail.items():
        clocks.setdefault(f"pp:{key}", []).append((value, float("nan")))
    timed(clocks, "encode", encode, result, dst, fmt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 12, 24], help="megapixels")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--model", default=None,
                    help="fast, best, a model id or architecture (default: the CLI's, the manifest's "
                         "native variant); the model's plan defaults apply, as in the CLI")
    ap.add_argument("--format", default="png", choices=["png", "webp", "mask"])
    ap.add_argument("--refine", default=None, choices=bgcut.options.REFINE_MODES,
                    help="bgcut's refine option (default: the shipped default)")
    args = ap.parse_args(argv)
    model = load_model(args.model, runtime="native")
    given = {} if args.refine is None else {"refine": args.refine}
    options = bgcut.Options.from_dict(given, model.plan)
    print(f"model {model.id}, format {args.format}, bgcut.Options(refine={options.refine!r}), "
          f"median of {args.runs} runs; "
          "each cell is wall seconds / process CPU seconds (model_input, inference: wall only; the plan's "
          "CPU in 'plan cpu')")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, load average at start {os.getloadavg()[0]:.1f}")
    header = ["MP", "size", *STAGES, "plan cpu", "runs", *(f"pp:{d}" for d in DETAIL)]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for mp in args.sizes:
            src = Path(tmp) / f"photo_{mp:g}mp.jpg"
            h, w = synth_photo(mp, src)
            dst = Path(tmp) / f"out_{mp:g}mp{SUFFIX[args.format]}"
            run_once(src, dst, model, options, args.format, {})  # warm-up: session, caches
            clocks: dict[str, list[tuple[float, float]]] = {}
            for _ in range(args.runs):
                run_once(src, dst, model, options, args.format, clocks)
            cells = [f"{mp:g}", f"{w}x{h}"]
            for stage in STAGES:
                wall = statistics.median(p[0] for p in clocks[stage])
                cpu = statistics.median(p[1] for p in clocks[stage])
                cells.append(f"{wall:.2f} / {cpu:.2f}")
            cells.append(f"{statistics.median(p[0] for p in clocks['plan_cpu']):.2f}")
            cells.append(f"{statistics.median(p[0] for p in clocks['model_runs']):.0f}")
            cells += [f"{statistics.median(p[0] for p in clocks[f'pp:{d}']):.2f}" for d in DETAIL]
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
