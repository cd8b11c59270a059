"""Which dev photos gain from the mirror and crop passes, and a per-photo rule for running them.

    nice -n 10 .venv/bin/python bench/pass_gain.py                 # both models, table + rule search
    .venv/bin/python bench/pass_gain.py --model u2netp-fp32         # one model

Every model run one photo can need (first pass, its mirror, the crop pass and the crop's mirror) is
computed once per (model file, photo) and cached under ``.cache/pass_gain/``; every plan is then
composed from those raw masks with the shipped merge code (``bgcut.passes``), post-processed with the
shipped options and scored. Rules are chosen on ``bench/dev_split.py``'s ``tune`` half only and
reported on the ``report`` half (and overall/DAVIS on each half).

A rule looks at the first pass's mask only (what the plan has when it decides):

* ``uncertain``: the fraction of mask pixels in (0.05, 0.95); the mirror pass runs when it is above
  a cut (a confident mask gains little from a second opinion).
* ``area``: the padded subject box's share of the photo (the crop pass already requires <= 0.5);
  the crop pass runs when the box is at most a cut.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bgcut  # noqa: E402
from bench.dev_split import stems  # noqa: E402
from bench.quality import load_index, summarize  # noqa: E402
from bench.quality_metrics import score  # noqa: E402
from bgcut import passes as geo  # noqa: E402
from bgremove.decode import decode  # noqa: E402
from bgremove.models import Manifest, OnnxModel  # noqa: E402

CACHE = ROOT / ".cache" / "pass_gain"


@dataclass
class Raw:
    """The raw model outputs for one photo: first pass and its mirror; the crop pass (and its
    mirror) on the box of the flip-merged first pass; the crop pass on the box of the first pass
    alone, when that box differs (the plan without the mirror takes that one)."""

    first: np.ndarray
    first_flip: np.ndarray
    box: tuple[int, int, int, int] | None
    crop: np.ndarray | None
    crop_flip: np.ndarray | None
    box_nf: tuple[int, int, int, int] | None
    crop_nf: np.ndarray | None


def _box(a: np.ndarray) -> tuple[int, int, int, int] | None:
    return tuple(int(v) for v in a) if a.size else None


def raw_masks(model: OnnxModel, stem: str, rgba: np.ndarray) -> Raw:
    path = CACHE / f"{model.id}-{model.entry.sha256[:12]}" / f"{stem}.npz"
    if path.is_file():
        z = np.load(path)
        return Raw(z["first"], z["first_flip"], _box(z["box"]), z["crop"], z["crop_flip"], _box(z["box_nf"]),
                   z["crop_nf"])
    rule = model.entry.rule
    work = geo.WorkingCopy(rgba)
    h, w = rgba.shape[:2]
    x = work.model_input(rule.size_for(h, w))
    first = model.predict(x)
    first_flip = model.predict(geo.mirror_input(x))
    empty = np.zeros((0,), np.float32)
    box = geo.subject_box(geo.merge_mirror(first, first_flip), (h, w))
    crop = crop_flip = crop_nf = empty
    if box is not None:
        xc = work.model_input(rule.size_for(box[1] - box[0], box[3] - box[2]), box)
        crop = model.predict(xc)
        crop_flip = model.predict(geo.mirror_input(xc))
    box_nf = geo.subject_box(first, (h, w))
    if box_nf is not None:
        if box_nf == box:
            crop_nf = crop
        else:
            xc = work.model_input(rule.size_for(box_nf[1] - box_nf[0], box_nf[3] - box_nf[2]), box_nf)
            crop_nf = model.predict(xc)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, first=first, first_flip=first_flip, box=np.asarray(box or [], np.int64), crop=crop,
             crop_flip=crop_flip, box_nf=np.asarray(box_nf or [], np.int64), crop_nf=crop_nf)
    return Raw(first, first_flip, box, crop, crop_flip, box_nf, crop_nf)


def _area(box: tuple[int, int, int, int] | None, hw: tuple[int, int]) -> float:
    return 1.0 if box is None else (box[1] - box[0]) * (box[3] - box[2]) / (hw[0] * hw[1])


def plans(raw: Raw, hw: tuple[int, int]) -> dict[str, tuple[np.ndarray, int]]:
    """The merged mask and model runs of every fixed plan, from the cached raw runs."""
    first = bgcut.as_mask(raw.first)
    flipped = geo.merge_mirror(raw.first, raw.first_flip)
    out = {"plain": (first, 1), "flip": (flipped, 2)}
    if raw.box_nf is not None:
        out["crop"] = (geo.merge_crop(first, raw.crop_nf, raw.box_nf, hw), 2)
    else:
        out["crop"] = out["plain"]
    if raw.box is not None:
        out["flip-crop"] = (geo.merge_crop(flipped, geo.merge_mirror(raw.crop, raw.crop_flip), raw.box,
                                           hw), 4)
        out["flip-crop1"] = (geo.merge_crop(flipped, raw.crop, raw.box, hw), 3)
    else:
        out["flip-crop"] = out["flip-crop1"] = out["flip"]
    return out


PLANS = ("plain", "flip", "crop", "flip-crop", "flip-crop1")


def evaluate(model_id: str, half: str, rescore: bool = False) -> list[dict]:
    """Per photo: what the first run tells, and the scores and runs of every fixed plan (kept in
    ``bench/results/`` so that rule searches need not post-process again; ``rescore`` redoes it)."""
    model = OnnxModel(Manifest().entry(model_id), threads=1)
    stored = ROOT / "bench" / "results" / f"pass_gain_rows_{model_id}-{model.entry.sha256[:12]}_{half}.json"
    if stored.is_file() and not rescore:
        rows = json.loads(stored.read_text())
        for r in rows:  # rows stored before the crop's own uncertainty was recorded
            if "uncertain_crop" not in r:
                z = np.load(CACHE / f"{model.id}-{model.entry.sha256[:12]}" / f"{r['stem']}.npz")
                r["uncertain_crop"] = geo.mask_uncertainty(z["crop"]) if z["box"].size else 0.0
        return rows
    keep = set(stems(half))
    options = bgcut.Options(output="mask", decontaminate=False)
    out = []
    for s in load_index():
        if s.stem not in keep:
            continue
        rgba = decode(s.image)
        hw = rgba.shape[:2]
        gt = np.asarray(Image.open(s.gt).convert("L"))
        raw = raw_masks(model, s.stem, rgba)
        first = bgcut.as_mask(raw.first)
        row = {"stem": s.stem, "source": s.source, "category": s.category,
               "uncertain": geo.mask_uncertainty(first),
               "uncertain_rel": geo.mask_uncertainty(first) / max(1e-6, float(np.mean(first >= 0.5))),
               "uncertain_crop": geo.mask_uncertainty(raw.crop) if raw.box is not None else 0.0,
               "area_nf": _area(raw.box_nf, hw), "area_f": _area(raw.box, hw), "scores": {}}
        for name, (mask, runs) in plans(raw, hw).items():
            alpha = bgcut.postprocess(rgba, mask, options).astype(np.float32) / 255
            row["scores"][name] = {**score(alpha, gt), "runs": runs}
        out.append(row)
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text(json.dumps(out))
    return out


def rule_plan(row: dict, flip_cut: float, crop_cut: float, crop_flip_cut: float = -1.0,
              feature: str = "uncertain") -> str:
    """The plan a rule picks: mirror when the first mask is uncertain enough (``feature`` above
    ``flip_cut``), crop when the subject's padded box (on the mask the plan has by then) covers at
    most ``crop_cut``; the crop pass is mirrored when the first pass was and the crop's own mask
    is uncertain enough (above ``crop_flip_cut``)."""
    flip = row[feature] > flip_cut
    crop = (row["area_f"] if flip else row["area_nf"]) <= crop_cut
    if flip and crop:
        return "flip-crop" if row["uncertain_crop"] > crop_flip_cut else "flip-crop1"
    return {(False, False): "plain", (True, False): "flip", (False, True): "crop"}[(flip, crop)]


def table(rows: list[dict], pick) -> dict:
    picked = [{"stem": r["stem"], "source": r["source"], "category": r["category"], **r["scores"][pick(r)]}
              for r in rows]
    groups = summarize(picked)
    runs = float(np.mean([p["runs"] for p in picked]))
    return {"runs": runs, **{g: groups[g] for g in ("overall", "DAVIS") if g in groups}}


def fmt(name: str, t: dict) -> str:
    o, d = t["overall"], t.get("DAVIS", {"iou": float("nan"), "biou": float("nan")})
    return (f"| {name} | {t['runs']:.2f} | {o['iou']:.4f} | {o['biou']:.4f} | {d['iou']:.4f} | "
            f"{d['biou']:.4f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", default=[], help="model id (repeatable)")
    ap.add_argument("--tolerance", type=float, default=0.002,
                    help="largest drop (IoU, B-IoU; overall and DAVIS) a rule may cost on the tune half")
    ap.add_argument("--rescore", action="store_true", help="post-process and score again")
    args = ap.parse_args(argv)
    models = args.model or ["u2netp-fp32", "u2netp-uint8"]
    flip_cuts = [-1.0, 0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5,
                 1.0, 1e9]
    crop_cuts = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]
    report: dict = {}
    for model_id in models:
        halves = {h: evaluate(model_id, h, args.rescore) for h in ("tune", "report")}
        print(f"\n## {model_id}\n")
        header = "| plan | runs/photo | IoU | B-IoU | DAVIS IoU | DAVIS B-IoU |\n|---|---|---|---|---|---|"
        for h, rows in halves.items():
            gain_flip = [r["scores"]["flip"]["biou"] - r["scores"]["plain"]["biou"] for r in rows]
            gain_crop = [r["scores"]["flip-crop"]["biou"] - r["scores"]["flip"]["biou"]
                         for r in rows if r["area_f"] <= geo.CROP_MAX_AREA]
            print(f"{h}: {len(rows)} photos; mirror raises B-IoU on {sum(g > 0.002 for g in gain_flip)}, "
                  f"lowers it on {sum(g < -0.002 for g in gain_flip)}; crop (after mirror) runs on "
                  f"{len(gain_crop)}, raises on {sum(g > 0.002 for g in gain_crop)}, lowers on "
                  f"{sum(g < -0.002 for g in gain_crop)}")
            print(header)
            for name in PLANS:
                print(fmt(name, table(rows, lambda r, n=name: n)))
        # Search on the tune half: fewest runs whose overall and DAVIS IoU / B-IoU stay within
        # the tolerance of flip-crop (a margin under the 0.005 budget for the report half).
        tune = halves["tune"]
        ref = table(tune, lambda r: "flip-crop")
        best = None
        for feature in ("uncertain", "uncertain_rel"):
            for fc in flip_cuts:
                for cc in crop_cuts:
                    for cm in (-1.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 1e9):
                        t = table(tune, lambda r, a=(fc, cc, cm, feature): rule_plan(r, *a))
                        ok = all(ref[g][m] - t[g][m] <= args.tolerance
                                 for g in ("overall", "DAVIS") for m in ("iou", "biou"))
                        if ok and (best is None or t["runs"] < best[1]["runs"] - 1e-9):
                            best = ((fc, cc, cm, feature), t)
        assert best is not None
        fc, cc, cm, feature = best[0]

        def chosen(r: dict, a: tuple = best[0]) -> str:
            return rule_plan(r, *a)

        print(f"\nchosen on tune (tolerance {args.tolerance}): mirror when {feature} > {fc}, crop when box "
              f"area <= {cc}, crop pass mirrored when the first was and its mask's uncertainty > {cm}\n")
        print(header)
        for h, rows in halves.items():
            print(fmt(f"{h}: flip-crop (today)", table(rows, lambda r: "flip-crop")))
            print(fmt(f"{h}: rule", table(rows, chosen)))
        report[model_id] = {"flip_cut": fc, "crop_cut": cc, "crop_flip_cut": cm, "feature": feature,
                            **{h: {"flip-crop": table(rows, lambda r: "flip-crop"),
                                   "rule": table(rows, chosen),
                                   **{n: table(rows, lambda r, n=n: n) for n in PLANS}}
                               for h, rows in halves.items()}}
    out = ROOT / "bench" / "results" / "pass_gain.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(out.read_text()) if out.is_file() else {}
    out.write_text(json.dumps({**stored, **report}, indent=1))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
