"""Agreement of every published variant with its fp32 export over the dev photos (../shared/data/dev)."""

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
            "repository root); the build itself does not"
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


def run_validate(out_dir: Path, limit: int | None = None) -> int:
    """Print the IoU/MAD table; exit status 1 when a variant misses the gate."""
    manifest = out_dir / "manifest.json"
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} not found: run `python -m model_export build` first")
    images = dev_images(limit=limit)
    scores = score_manifest(out_dir, images)
    print(f"{'model':<16} {'images':>6} {'mean IoU':>9} {'min IoU':>8} {'mean |diff|':>12}  gate>={IOU_GATE}")
    for s in scores:
        verdict = "pass" if s.passes else "FAIL"
        print(f"{s.model_id:<16} {s.images:>6} {s.mean_iou:>9.4f} {s.min_iou:>8.4f} "
              f"{s.mean_abs_diff:>12.5f}  {verdict}")
    return 0 if all(s.passes for s in scores) else 1
