"""Validation of every published variant against its fp32 export, on dev photos (../shared/data/dev).

Two gates, both on photos the build never saw (it calibrates on photos bundled in the scikit-image
wheel only):

* mask agreement: mean IoU >= IOU_GATE of each variant's 320x320 mask with fp32's, over all dev photos;
* what users see: the default pipeline's alpha (flip TTA, crop pass, threshold ramp), scored by IoU and
  Boundary IoU against the human masks on the ``report`` half of bench/dev_split.py; each variant may
  lose at most USER_GATE of either against fp32.

Without the dev set there is nothing to validate on: `run_validate` fails with a message saying so,
never a silent pass.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .images import load_rgb, to_input
from .metrics import mask_iou, mean_abs_diff
from .paths import DEV_DIR

IOU_GATE = 0.98
# Largest drop of mean IoU and of mean Boundary IoU (default pipeline vs ground truth) against fp32;
# U²-Net's variants (issue 19) may lose 0.003.
USER_GATE = 0.002
USER_GATES = {"u2net": 0.003}
USER_HALF = "report"


@dataclass(frozen=True)
class VariantScore:
    model_id: str
    mean_iou: float
    min_iou: float
    mean_abs_diff: float
    images: int

    @property
    def passes(self) -> bool:
        return self.mean_iou >= IOU_GATE


def dev_images(dev_dir: Path = DEV_DIR, limit: int | None = None) -> list[Path]:
    index = dev_dir / "index.csv"
    if not index.is_file():
        raise FileNotFoundError(
            f"{index} not found: validation needs the dev set at {dev_dir} (../shared/data/dev from the "
            "repository root); the build itself does not. Nothing was validated."
        )
    with index.open(newline="") as fh:
        stems = [row["stem"] for row in csv.DictReader(fh)]
    paths = [sorted((dev_dir / "images").glob(stem + ".*"))[0] for stem in stems]
    return paths[:limit] if limit else paths


def score_variants(fp32: Path, variants: dict[str, Path], images: list[Path],
                   size: int) -> list[VariantScore]:
    """Mean/min IoU at 0.5 and mean abs diff of each variant's mask against fp32's, at size x size."""
    from .variants import session
    ref = session(fp32)
    sessions = {k: session(p) for k, p in variants.items()}
    ious: dict[str, list[float]] = {k: [] for k in variants}
    mads: dict[str, list[float]] = {k: [] for k in variants}
    for path in images:
        x = to_input(load_rgb(path), size, size)
        base = ref.run(None, {"input": x})[0]
        for k, sess in sessions.items():
            out = sess.run(None, {"input": x})[0]
            ious[k].append(mask_iou(base, out))
            mads[k].append(mean_abs_diff(base, out))
    return [VariantScore(k, float(np.mean(ious[k])), float(np.min(ious[k])), float(np.mean(mads[k])),
                         len(images)) for k in variants]


def score_manifest(out_dir: Path, images: list[Path]) -> list[VariantScore]:
    manifest = json.loads((out_dir / "manifest.json").read_text())
    scores = []
    for arch in sorted({e["architecture"] for e in manifest["models"]}):
        entries = {e["variant"]: e for e in manifest["models"] if e["architecture"] == arch}
        if "fp32" not in entries:
            continue
        size = entries["fp32"]["input"]["size"]
        variants = {e["id"]: out_dir / e["file"] for v, e in entries.items()}
        scores += score_variants(out_dir / entries["fp32"]["file"], variants, images, size)
    return scores


@dataclass(frozen=True)
class UserGate:
    model_id: str
    photos: int
    iou: float
    biou: float
    fp32_iou: float
    fp32_biou: float
    gate: float = USER_GATE

    @property
    def passes(self) -> bool:
        return self.fp32_iou - self.iou <= self.gate and self.fp32_biou - self.biou <= self.gate


def user_gates(out_dir: Path, dev_dir: Path = DEV_DIR, limit: int | None = None, log=None,
               only: set[str] | None = None) -> list[UserGate]:
    """Default-pipeline IoU / Boundary IoU of every variant (or those in `only`) and of its fp32 on
    the report half, each architecture with its plan defaults from the manifest."""
    from .userscore import dev_photos, score_file
    photos = dev_photos(USER_HALF, dev_dir)
    photos = photos[:: max(1, len(photos) // limit)][:limit] if limit else photos
    manifest = json.loads((out_dir / "manifest.json").read_text())
    gates = []
    for arch in sorted({e["architecture"] for e in manifest["models"]}):
        entries = {e["variant"]: e for e in manifest["models"] if e["architecture"] == arch}
        wanted = {v: e for v, e in entries.items() if v != "fp32" and (only is None or e["id"] in only)}
        if "fp32" not in entries or not wanted:
            continue
        fp32 = entries["fp32"]
        plan = (manifest.get("plans") or {}).get(arch)
        ref = score_file(out_dir / fp32["file"], photos, log=log, input_rule=fp32["input"], plan=plan)
        for e in wanted.values():
            s = score_file(out_dir / e["file"], photos, log=log, input_rule=e["input"], plan=plan)
            gates.append(UserGate(e["id"], s.photos, s.iou, s.biou, ref.iou, ref.biou,
                                  USER_GATES.get(arch, USER_GATE)))
    return gates


def run_validate(out_dir: Path, limit: int | None = None, dev_dir: Path = DEV_DIR,
                 user: bool = True) -> int:
    """Print both gates' tables; exit status 1 when a variant misses a gate."""
    manifest = out_dir / "manifest.json"
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} not found: run `python -m model_export build` first")
    images = dev_images(dev_dir, limit=limit)
    scores = score_manifest(out_dir, images)
    print(f"{'model':<16} {'images':>6} {'mean IoU':>9} {'min IoU':>8} {'mean |diff|':>12}  gate>={IOU_GATE}")
    for s in scores:
        verdict = "pass" if s.passes else "FAIL"
        print(f"{s.model_id:<16} {s.images:>6} {s.mean_iou:>9.4f} {s.min_iou:>8.4f} "
              f"{s.mean_abs_diff:>12.5f}  {verdict}")
    ok = all(s.passes for s in scores)
    if user:
        print(f"\nDefault pipeline vs ground truth, {USER_HALF} half of bench/dev_split.py "
              f"(gate: at most {USER_GATE} below fp32 in IoU and in Boundary IoU; {USER_GATES})")
        print(f"{'model':<16} {'photos':>6} {'IoU':>7} {'fp32':>7} {'B-IoU':>7} {'fp32':>7}")
        for g in user_gates(out_dir, dev_dir, limit):
            verdict = "pass" if g.passes else "FAIL"
            print(f"{g.model_id:<16} {g.photos:>6} {g.iou:>7.4f} {g.fp32_iou:>7.4f} {g.biou:>7.4f} "
                  f"{g.fp32_biou:>7.4f}  {verdict}")
            ok = ok and g.passes
    return 0 if ok else 1
