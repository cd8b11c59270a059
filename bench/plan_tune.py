"""Per-model plan defaults: which mirror/crop passes and which threshold suit a model best.

    nice -n 10 .venv/bin/python bench/plan_tune.py --model u2net-fp32            # tune, then report
    nice -n 10 .venv/bin/python bench/plan_tune.py --model u2net-fp32 --model u2netp-fp32
    nice -n 10 .venv/bin/python bench/plan_tune.py --variants u2net-fp32 u2net-fp16 u2net-q6

The model runs come from ``bench/pass_gain.py``'s per-photo cache (first pass, its mirror, the crop
pass and its mirror, each run once per model file and photo); every candidate plan is composed from
them with the shipped merge code and post-processed with the shipped ``bgcut.postprocess``. A plan is
a set of ``bgcut.Options`` fields, exactly what ``model_export/manifest.py``'s ``PLANS`` stores per
architecture. Two steps, both on the ``tune`` half of ``bench/dev_split.py`` only: the pass plan at
the shipped threshold, then the threshold (and ramp width) for that plan. The chosen plan and
today's defaults are then scored on the ``report`` half, the numbers docs/MODELS.md quotes.
``--variants FP32 ID...`` scores other files of the same architecture on the report half under the
plan the manifest stores for it (``plans[arch]``), next to the fp32 file, with per-photo changes.
Results: bench/results/plan_tune.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bgcut  # noqa: E402
from bench.dev_split import stems  # noqa: E402
from bench.pass_gain import plans, raw_masks, rule_plan  # noqa: E402
from bench.quality import load_index, summarize  # noqa: E402
from bench.quality_metrics import score  # noqa: E402
from bgcut import passes as geo  # noqa: E402
from bgremove.decode import decode  # noqa: E402
from bgremove.models import Manifest, OnnxModel  # noqa: E402

# (mirror, crop, extra_passes) -> which of pass_gain's fixed plans a photo runs.
PASS_PLANS = {
    "plain": {"mirror": False, "crop": False, "extra_passes": "auto"},
    "flip-auto": {"mirror": True, "crop": False, "extra_passes": "auto"},
    "flip-always": {"mirror": True, "crop": False, "extra_passes": "always"},
    "crop": {"mirror": False, "crop": True, "extra_passes": "auto"},
    "flip-crop-auto": {"mirror": True, "crop": True, "extra_passes": "auto"},
    "flip-crop-always": {"mirror": True, "crop": True, "extra_passes": "always"},
}
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5)
SOFTNESS = (0.2, 0.3, 0.4)
DEFAULT = {"threshold": 0.4, "threshold_softness": 0.3}


def pick(row: dict, name: str) -> str:
    """The fixed plan (bench/pass_gain.py) the shipped mask_plan runs for this photo under `name`."""
    auto_flip = row["uncertain"] > geo.AUTO_MIRROR_MIN_UNCERTAIN
    if name == "plain":
        return "plain"
    if name == "flip-auto":
        return "flip" if auto_flip else "plain"
    if name == "flip-always":
        return "flip"
    if name == "crop":
        return "crop" if row["area_nf"] <= geo.AUTO_CROP_MAX_AREA else "plain"
    if name == "flip-crop-always":
        return "flip-crop" if row["area_f"] <= geo.CROP_MAX_AREA else "flip"
    return rule_plan(row, geo.AUTO_MIRROR_MIN_UNCERTAIN, geo.AUTO_CROP_MAX_AREA,
                     geo.AUTO_CROP_MIRROR_MIN_UNCERTAIN)


class Photos:
    """One half's photos with their cached raw model runs, scored under any (pass plan, threshold)."""

    def __init__(self, model: OnnxModel, half: str) -> None:
        keep = set(sorted(stems(half))[::EVERY])
        self.items = []
        for s in load_index():
            if s.stem not in keep:
                continue
            rgba = decode(s.image)
            raw = raw_masks(model, s.stem, rgba)
            first = bgcut.as_mask(raw.first)
            hw = rgba.shape[:2]
            row = {"uncertain": geo.mask_uncertainty(first), "area_nf": _area(raw.box_nf, hw),
                   "area_f": _area(raw.box, hw),
                   "uncertain_crop": geo.mask_uncertainty(raw.crop) if raw.box is not None else 0.0}
            self.items.append((s, rgba, plans(raw, hw), row))
        self._cache: dict = {}
        self._per: dict = {}

    def per_photo(self, plan: str, threshold: float, softness: float) -> dict[str, tuple[float, float]]:
        self.run(plan, threshold, softness)
        return self._per[(plan, threshold, softness)]

    def run(self, plan: str, threshold: float, softness: float) -> dict:
        key = (plan, threshold, softness)
        if key not in self._cache:
            options = bgcut.Options(output="mask", decontaminate=False, threshold=threshold,
                                    threshold_softness=softness)
            rows = []
            for s, rgba, fixed, row in self.items:
                mask, runs = fixed[pick(row, plan)]
                alpha = bgcut.postprocess(rgba, mask, options).astype(np.float32) / 255
                gt = np.asarray(Image.open(s.gt).convert("L"))
                rows.append({"stem": s.stem, "source": s.source, "category": s.category, "runs": runs,
                             **score(alpha, gt)})
            groups = summarize(rows)
            self._per[key] = {r["stem"]: (r["iou"], r["biou"]) for r in rows}
            self._cache[key] = {"runs": float(np.mean([r["runs"] for r in rows])),
                                "iou": groups["overall"]["iou"], "biou": groups["overall"]["biou"],
                                "photos": len(rows)}
        return self._cache[key]


def _area(box: tuple[int, int, int, int] | None, hw: tuple[int, int]) -> float:
    return 1.0 if box is None else (box[1] - box[0]) * (box[3] - box[2]) / (hw[0] * hw[1])


def _gain(r: dict) -> float:
    return r["iou"] + r["biou"]


MODELS_DIR: Path | None = None
# 1: the whole half; N: every Nth photo of it (sorted by stem), for a quick look on a busy machine.
EVERY = 1


def tune(model_id: str, log=print) -> dict:
    model = OnnxModel(Manifest(MODELS_DIR).entry(model_id), threads=1)
    tune_half = Photos(model, "tune")
    passes = {name: tune_half.run(name, DEFAULT["threshold"], DEFAULT["threshold_softness"])
              for name in PASS_PLANS}
    for name, r in passes.items():
        log(f"{model_id} tune {name:18s} runs {r['runs']:.2f} IoU {r['iou']:.4f} B-IoU {r['biou']:.4f}")
    best_pass = max(passes, key=lambda n: _gain(passes[n]))
    grid = {(t, s): tune_half.run(best_pass, t, s) for t in THRESHOLDS for s in SOFTNESS}
    for (t, s), r in grid.items():
        log(f"{model_id} tune {best_pass} threshold {t} softness {s}: "
            f"IoU {r['iou']:.4f} B-IoU {r['biou']:.4f}")
    t, s = max(grid, key=lambda k: _gain(grid[k]))
    chosen = {"threshold": t, "threshold_softness": s, **PASS_PLANS[best_pass]}
    report_half = Photos(model, "report")
    out = {"plan": chosen, "pass_plan": best_pass,
           "tune": {"chosen": grid[(t, s)], "default": passes["flip-crop-auto"]},
           "report": {"chosen": report_half.run(best_pass, t, s),
                      "default": report_half.run("flip-crop-auto", DEFAULT["threshold"],
                                                 DEFAULT["threshold_softness"]),
                      **{f"{n}@default-threshold": report_half.run(n, DEFAULT["threshold"],
                                                                   DEFAULT["threshold_softness"])
                         for n in PASS_PLANS}}}
    log(f"{model_id}: chosen on tune {chosen}")
    for half in ("tune", "report"):
        for k in ("default", "chosen"):
            r = out[half][k]
            log(f"  {half:6s} {k:8s} IoU {r['iou']:.4f} B-IoU {r['biou']:.4f} runs/photo {r['runs']:.2f}")
    return out


def pass_plan_name(plan: dict) -> str:
    """The PASS_PLANS name of a manifest plan's pass fields."""
    keys = ("mirror", "crop", "extra_passes")
    for name, fields in PASS_PLANS.items():
        if all(plan.get(k, getattr(bgcut.Options(), k)) == fields[k] for k in keys):
            return name
    raise ValueError(f"plan {plan} is none of {sorted(PASS_PLANS)}")


def variants(fp32_id: str, others: list[str], log=print) -> dict:
    """Report-half scores of `others` and of `fp32_id` under the manifest's plan for their architecture,
    run through the shipped pipeline (model_export.userscore: the CLI's plan driver and
    post-processing), with the mean per-photo change against fp32."""
    from model_export.userscore import dev_photos, score_file
    manifest = Manifest(MODELS_DIR)
    raw = json.loads((manifest.dir / "manifest.json").read_text())
    entries = {e["id"]: e for e in raw["models"]}
    plan = raw["plans"][manifest.entry(fp32_id).architecture]
    photos = dev_photos("report")
    photos = sorted(photos, key=lambda p: p.stem)[::EVERY]
    out: dict = {"plan": plan, "every": EVERY}
    scores = {}
    for model_id in [fp32_id, *others]:
        e = entries[model_id]
        scores[model_id] = score_file(manifest.dir / e["file"], photos, input_rule=e["input"], plan=plan)
    ref = scores[fp32_id]
    for model_id, sc in scores.items():
        moved = [abs(sc.per_photo[k][0] - ref.per_photo[k][0]) + abs(sc.per_photo[k][1] - ref.per_photo[k][1])
                 for k in sc.per_photo]
        r = {"photos": sc.photos, "iou": sc.iou, "biou": sc.biou, "d_iou": sc.iou - ref.iou,
             "d_biou": sc.biou - ref.biou, "mean_abs": float(np.mean(moved)),
             "moved_over_0.01": int(sum(m > 0.01 for m in moved))}
        out[model_id] = r
        log(f"{model_id}: report IoU {r['iou']:.4f} ({r['d_iou']:+.4f}) B-IoU {r['biou']:.4f} "
            f"({r['d_biou']:+.4f}), mean |change| {r['mean_abs']:.4f}, "
            f"{r['moved_over_0.01']} of {r['photos']} photos moved > 0.01")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", default=[], help="model id (repeatable)")
    ap.add_argument("--variants", nargs="+", metavar=("FP32_ID", "ID"),
                    help="score these files against the fp32 file under the manifest's plan (report half)")
    ap.add_argument("--models", type=Path, default=None, help="models folder (default: web/models)")
    ap.add_argument("--every", type=int, default=1, help="every Nth photo of each half (default: all)")
    ap.add_argument("--raw", nargs="+", metavar=("HALF", "ID"),
                    help="only run and cache these models' passes on a half (for a later --variants)")
    args = ap.parse_args(argv)
    global MODELS_DIR, EVERY
    MODELS_DIR, EVERY = args.models, args.every
    if args.raw:
        for model_id in args.raw[1:]:
            Photos(OnnxModel(Manifest(MODELS_DIR).entry(model_id), threads=1), args.raw[0])
        return 0
    if args.variants:
        results = {"variants:" + args.variants[0]: variants(args.variants[0], args.variants[1:])}
    else:
        results = {m: tune(m) for m in args.model or ["u2net-fp32"]}
    path = ROOT / "bench" / "results" / "plan_tune.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**stored, **results}, indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
