"""Does edge snapping put a touch-up stroke's edge where the photo's is? Simulated strokes on the dev
set's human masks, snapping on against off.

    .venv/bin/python bench/edits_quality.py --half report            # the numbers for docs/QUALITY.md
    .venv/bin/python bench/edits_quality.py --half tune --limit 30    # while choosing the constants

For each photo of the half (bench/dev_split.py), the default pipeline's alpha (u2netp-fp32,
bgcut.pre_edit_alpha) is compared with the human mask. A simulated person fixes up to --strokes
errors with one dab each, sized to the error: at a missed subject pixel (mask 1, alpha < 0.5) a
Keep dab, at a kept background pixel (mask 0, alpha >= 0.5) an Erase dab, centred d px inside the
error region from the true outline, with radius 1.5d to 3d (drawn at random: the brush spills over
the true outline by a third to two thirds of its radius, as a hurried dab along an edge does).
Within the dabs' footprints, the share of pixels on the wrong side of 0.5 is measured: before any
stroke, after hard painting (snap off) and after snapping. The scoring ignores a 1 px band around
the human outline (its own uncertainty).

Quality, not timing: fine to run on a loaded machine (niced). Prints Markdown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dev_split import DEV, stems  # noqa: E402

import bgcut  # noqa: E402
from bgremove.decode import decode  # noqa: E402
from bgremove.models import load_model  # noqa: E402
from bgremove.pipeline import predict_mask  # noqa: E402

# Brush radius over the dab centre's depth d: the true outline lies between r / 3 and 2 r / 3 from
# the centre, so the brush spills over it by a third to two thirds of its radius.
SPILL = (1.5, 3.0)


def dabs(alpha: np.ndarray, gt: np.ndarray, n: int, rng: np.random.Generator) -> list[dict]:
    """Up to ``n`` Keep/Erase dabs on the largest errors, centred d px inside the error from the
    true outline with a radius of ``SPILL`` times d (d from 4 to 24 px, as the error's own depth
    permits)."""
    fg = alpha >= 0.5
    strokes = []
    for mode, wrong in (("keep", gt & ~fg), ("erase", ~gt & fg)):
        # Depth of each wrong pixel inside its side of the true outline.
        depth = ndimage.distance_transform_edt(gt if mode == "keep" else ~gt)
        labels, count = ndimage.label(wrong)
        if count == 0:
            continue
        sizes = ndimage.sum(wrong, labels, index=np.arange(1, count + 1))
        for lab in np.argsort(sizes)[::-1][: n]:
            region = labels == lab + 1
            reach = float(depth[region].max())
            d = min(24.0, reach / 2)
            if d < 4 or sizes[lab] < 50:
                continue
            ys, xs = np.nonzero(region & (np.abs(depth - d) < 0.75))
            if ys.size == 0:
                continue
            i = int(rng.integers(ys.size))
            spill = float(rng.uniform(*SPILL))
            strokes.append({"mode": mode, "radius": spill * d, "points": [[xs[i] + 0.5, ys[i] + 0.5]]})
    rng.shuffle(strokes)
    return strokes[:n]


def score(alpha: np.ndarray, gt: np.ndarray, where: np.ndarray) -> float:
    return float(((alpha >= 0.5) != gt)[where].mean()) if where.any() else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--half", choices=("tune", "report"), required=True)
    ap.add_argument("--limit", type=int, default=None, help="first N photos of the half")
    ap.add_argument("--strokes", type=int, default=3, help="dabs per photo")
    args = ap.parse_args()

    model = load_model("u2netp-fp32")
    options = bgcut.Options()
    names = stems(args.half, DEV)[: args.limit]
    rows = []
    for stem in names:
        image = sorted((DEV / "images").glob(stem + ".*"))[0]
        rgba = decode(image)
        gt = np.asarray(Image.open(DEV / "gt" / f"{stem}.png").convert("L")) > 127
        alpha0 = bgcut.pre_edit_alpha(rgba, predict_mask(rgba, model, None, options), options)
        strokes = dabs(alpha0, gt, args.strokes, np.random.default_rng(len(rows)))
        if not strokes:
            continue
        h, w = alpha0.shape
        edge = ndimage.binary_dilation(gt, iterations=1) & ~ndimage.binary_erosion(gt, iterations=1)
        yy, xx = np.mgrid[0:h, 0:w] + 0.5
        foot = np.zeros((h, w), bool)
        for s in strokes:
            x, y = s["points"][0]
            foot |= np.hypot(xx - x, yy - y) < s["radius"] + 0.5
        where = foot & ~edge
        result = {"stem": stem, "pixels": int(where.sum()), "before": score(alpha0, gt, where)}
        for snap in (False, True):
            doc = {"version": 1, "photo": {"width": w, "height": h},
                   "strokes": [{**s, "snap": snap} for s in strokes]}
            out = bgcut.apply_edits(alpha0, rgba, bgcut.parse_edits(doc, w, h))
            result["snap" if snap else "hard"] = score(out, gt, where)
        rows.append(result)

    def mean(key: str) -> float:
        return float(np.mean([r[key] for r in rows]))

    print(f"# Touch-up dabs on the dev set's {args.half} half: {len(rows)} photos with errors to fix, "
          f"up to {args.strokes} dabs each\n")
    print("Share of footprint pixels on the wrong side of the human outline (1 px band around it "
          "ignored), mean over photos:\n")
    print("| before | hard painting (snap off) | snapping |")
    print("|---|---|---|")
    print(f"| {mean('before'):.3f} | {mean('hard'):.3f} | {mean('snap'):.3f} |")
    better = sum(r["snap"] < r["hard"] for r in rows)
    worse = sum(r["snap"] > r["hard"] for r in rows)
    print(f"\nSnapping better than hard painting on {better} photos, worse on {worse}.")


if __name__ == "__main__":
    main()
