"""What users see: the default pipeline's alpha scored against human masks, for any ONNX model file.

The quantization gate is not the agreement of 320x320 masks (a variant can disagree with fp32 on
pixels the post-processing discards, and agree on ones it keeps); it is the alpha the app and CLI
produce with their shipped defaults (``bgcut.Options()``: flip TTA, crop pass, threshold ramp), scored
by IoU and Boundary IoU as in ``bench/quality.py``.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .paths import DEV_DIR, ROOT


@dataclass(frozen=True)
class Photo:
    stem: str
    image: Path
    gt: Path


@dataclass(frozen=True)
class UserScore:
    """Mean IoU and Boundary IoU of one model's default-pipeline alpha over a set of photos."""

    model: str
    photos: int
    iou: float
    biou: float
    per_photo: dict[str, tuple[float, float]]


def _bench_module(name: str):
    # bench/ is a plain folder of scripts at the repository root; its metrics are the project's one
    # definition of IoU and Boundary IoU, so validate uses them rather than a copy.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import importlib
    return importlib.import_module(f"bench.{name}")


def dev_photos(half: str, dev_dir: Path = DEV_DIR) -> list[Photo]:
    """The photos of one half of the dev split (``bench/dev_split.py``): 'tune', 'report' or 'all'."""
    index = dev_dir / "index.csv"
    if not index.is_file():
        raise FileNotFoundError(
            f"{index} not found: the user-visible quality gate needs the dev set at {dev_dir} "
            "(../shared/data/dev beside the repository); the build itself does not")
    split = _bench_module("dev_split")
    wanted = set(split.stems(half, dev_dir))
    out = []
    with index.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["stem"] not in wanted:
                continue
            images = sorted((dev_dir / "images").glob(row["stem"] + ".*"))
            if not images:
                raise FileNotFoundError(f"{dev_dir / 'images'}: no image for stem {row['stem']!r}")
            out.append(Photo(row["stem"], images[0], dev_dir / "gt" / f"{row['stem']}.png"))
    return out


class _FileModel:
    """A model file run like the app's default model (manifest entry fields taken from `like`)."""

    def __init__(self, path: Path, size: int = 320, multiple: int = 32, square: bool = True,
                 threads: int = 1) -> None:
        import onnxruntime as ort
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.id = path.name
        self.size, self.multiple, self.square = size, multiple, square

    def input_size(self, h: int, w: int) -> tuple[int, int]:
        from bgcut.passes import model_size
        return model_size(h, w, self.size, self.multiple, self.square)

    def predict(self, model_input: np.ndarray) -> np.ndarray:
        (mask,) = self._session.run(["mask"], {"input": np.ascontiguousarray(model_input, np.float32)})
        return np.asarray(mask, np.float32).reshape(mask.shape[-2:])


def default_alpha(rgba: np.ndarray, model: object, plan: dict | None = None) -> np.ndarray:
    """The alpha (float in [0, 1]) the CLI and the app produce with their shipped defaults, or with
    a model's plan defaults (the manifest's ``plans[arch]``: bgcut.Options fields) over them."""
    import bgcut
    from bgremove.passes import PassOptions, predict_mask_passes
    defaults = bgcut.Options.from_dict(dict(plan or {}))
    mask = predict_mask_passes(rgba, model, PassOptions.from_options(defaults))
    options = bgcut.Options.from_dict({**(plan or {}), "output": "mask", "decontaminate": False})
    return bgcut.postprocess(rgba, mask, options).astype(np.float32) / 255.0


def score_file(path: Path, photos: list[Photo], threads: int = 1, log=None,
               input_rule: dict | None = None, plan: dict | None = None) -> UserScore:
    """IoU / Boundary IoU of `path`'s default-pipeline alpha against each photo's ground truth.

    `input_rule` is the manifest entry's "input" (size, multiple, square); U²-Netp's 320 square by default.
    `plan`: the model's plan defaults (manifest ``plans[arch]``), None for bgcut.Options()'s.
    """
    from PIL import Image

    from bgremove.decode import decode
    metrics = _bench_module("quality_metrics")
    rule = input_rule or {}
    model = _FileModel(Path(path), rule.get("size", 320), rule.get("multiple", 32), rule.get("square", True),
                       threads=threads)
    per: dict[str, tuple[float, float]] = {}
    for i, p in enumerate(photos):
        rgba = decode(p.image)
        gt = np.asarray(Image.open(p.gt).convert("L"))
        alpha = default_alpha(rgba, model, plan)
        s = metrics.score(alpha, gt)
        per[p.stem] = (float(s["iou"]), float(s["biou"]))
        if log and (i + 1) % 25 == 0:
            log(f"  {Path(path).name}: {i + 1}/{len(photos)} photos")
    ious = [v[0] for v in per.values()]
    bious = [v[1] for v in per.values()]
    return UserScore(Path(path).name, len(per), float(np.mean(ious)), float(np.mean(bious)), per)
