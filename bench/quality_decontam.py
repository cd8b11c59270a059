"""Edge colour error with and without colour decontamination, on synthetic composites.

    .venv/bin/python bench/quality_decontam.py [--limit N] [--softness 2] [--half report]
    .venv/bin/python bench/quality_decontam.py --half tune --work-pixels 125000   # field resolution

Binary-mask metrics cannot see decontamination, so this builds photos whose true foreground colours
and alpha are known: each dev photo's ground-truth mask, softened by a box blur of ``--softness``
pixels, is the alpha ``a``; the photo is the foreground ``F``; the input is ``a F + (1 - a) B`` over
a strongly contrasting solid background ``B``. bgcut cuts it out with that same alpha (so only the
colours differ), the cut-out is composited over a second background ``B2``, and the error against
the true ``a F + (1 - a) B2`` is measured where 0 < a < 1 (mean absolute error, 0..255 scale). The
photos never leave memory; only numbers are printed and written to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bgcut.boxfilter import box_mean  # noqa: E402

import bgcut  # noqa: E402
from bench.dev_split import stems  # noqa: E402
from bench.quality import RESULTS_DIR, load_index  # noqa: E402
from bgremove.decode import decode  # noqa: E402

# (input background B, background B2 the cut-out is placed on): green screen to magenta and back,
# and white to black.
PAIRS = {"green->magenta": ((0, 255, 0), (255, 0, 255)), "magenta->green": ((255, 0, 255), (0, 255, 0)),
         "white->black": ((255, 255, 255), (0, 0, 0))}


def edge_error(rgba: np.ndarray, gt: np.ndarray, softness: int, bg: tuple, bg2: tuple,
               decontaminate: bool) -> tuple[float, float]:
    """(mean abs colour error in the soft band on 0..255, seconds bgcut took) for one photo."""
    a = box_mean(gt.astype(np.float32) / 255.0, softness) if softness > 0 else gt.astype(np.float32) / 255
    fg = rgba[..., :3].astype(np.float32)
    b1 = np.asarray(bg, np.float32)
    b2 = np.asarray(bg2, np.float32)
    composite = np.empty_like(rgba)
    composite[..., :3] = np.clip(np.rint(a[..., None] * fg + (1 - a[..., None]) * b1), 0, 255)
    composite[..., 3] = 255
    # threshold=None: the cut-out keeps the given alpha, so only the colours are compared.
    opts = bgcut.Options(refine="none", threshold=None, decontaminate=decontaminate)
    t0 = time.perf_counter()
    cut = bgcut.postprocess(composite, a, opts)
    seconds = time.perf_counter() - t0
    out_a = cut[..., 3:4].astype(np.float32) / 255.0
    placed = out_a * cut[..., :3].astype(np.float32) + (1 - out_a) * b2
    truth = a[..., None] * fg + (1 - a[..., None]) * b2
    band = (a > 0.02) & (a < 0.98)
    if not band.any():
        return float("nan"), seconds
    return float(np.mean(np.abs(placed - truth)[band])), seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--limit", type=int, default=None, help="only every k-th photo so that N remain")
    p.add_argument("--softness", type=int, default=2, help="box-blur radius of the ground truth (pixels)")
    p.add_argument("--half", choices=("all", "tune", "report"), default="all", help="bench/dev_split.py half")
    p.add_argument("--work-pixels", type=int, default=None,
                   help="override bgcut's MAX_DECONTAM_WORK_PIXELS (the blur-fusion fields' resolution)")
    args = p.parse_args(argv)
    if args.work_pixels:
        bgcut.options.MAX_DECONTAM_WORK_PIXELS = args.work_pixels
    samples = load_index()
    if args.half != "all":
        keep = set(stems(args.half))
        samples = [s for s in samples if s.stem in keep]
    if args.limit:
        step = max(1, len(samples) // args.limit)
        samples = samples[::step][: args.limit]
    results: dict[str, dict[str, float]] = {}
    for pair, (b1, b2) in PAIRS.items():
        errs = {False: [], True: []}
        secs = {False: [], True: []}
        for s in samples:
            rgba = decode(s.image)
            gt = np.asarray(Image.open(s.gt).convert("L"))
            for dec in (False, True):
                e, t = edge_error(rgba, gt, args.softness, b1, b2, dec)
                errs[dec].append(e)
                secs[dec].append(t)
        results[pair] = {
            "error_off": float(np.nanmean(errs[False])),
            "error_on": float(np.nanmean(errs[True])),
            "ms_off": 1000 * float(np.mean(secs[False])),
            "ms_on": 1000 * float(np.mean(secs[True])),
        }
    lines = [f"Soft band of the ground truth (box blur r={args.softness}), {len(samples)} photos "
             f"({args.half}), fields at most {bgcut.options.MAX_DECONTAM_WORK_PIXELS} px; "
             "mean |error| on 0..255 in 0 < a < 1",
             "", "| B -> B2 | without decontamination | with | bgcut ms without | with |",
             "|---|---|---|---|---|"]
    for pair, r in results.items():
        lines.append(f"| {pair} | {r['error_off']:.1f} | {r['error_on']:.1f} | {r['ms_off']:.0f} | "
                     f"{r['ms_on']:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "quality_decontam.md").write_text(text)
    (RESULTS_DIR / "quality_decontam.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
