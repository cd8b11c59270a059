"""Model passes beyond one plain run: other input sizes, flip test-time augmentation and a
coarse-to-fine crop pass. The geometry lives in ``bgcut.passes`` (shared with the browser); this
module only decides which tensors to run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bgcut import passes as geo

from .models import Model


@dataclass(frozen=True)
class PassOptions:
    """How the model is run on one photo.

    size: long side of the model input (None: the manifest's size for the model).
    square: squash to ``size x size`` (None: the manifest's rule) or keep the aspect ratio.
    flip: also run on the mirrored input and average the two masks.
    crop: when the subject is small, run again on a crop around it and blend that mask in.
    crop_weight: the crop pass's weight inside its box (1: replace the first pass there).
    """

    size: int | None = None
    square: bool | None = None
    flip: bool = False
    crop: bool = False
    crop_weight: float = geo.CROP_WEIGHT

    def __post_init__(self) -> None:
        if not 0.0 <= self.crop_weight <= 1.0:
            raise ValueError(f"crop_weight must be in [0, 1], got {self.crop_weight!r}")
        if self.size is not None and not (isinstance(self.size, int) and 32 <= self.size <= 2048):
            raise ValueError(f"model input size must be None or an integer in 32..2048, got {self.size!r}")


    @classmethod
    def from_options(cls, options: object) -> PassOptions:
        """The passes an options object asks for (``bgcut.Options`` fields ``flip_tta``, ``crop_pass``,
        ``model_size``, ``model_square`` when it has them; a single plain pass otherwise)."""
        return cls(
            size=getattr(options, "model_size", None),
            square=getattr(options, "model_square", None),
            flip=bool(getattr(options, "flip_tta", False)),
            crop=bool(getattr(options, "crop_pass", False)),
        )


def _entry_rule(model: Model, opts: PassOptions) -> tuple[int, int, bool]:
    entry = getattr(model, "entry", None)
    size = opts.size or (entry.size if entry else 320)
    multiple = entry.multiple if entry else 32
    square = opts.square if opts.square is not None else (entry.square if entry else True)
    return size, multiple, square


def predict_mask_passes(
    rgba: np.ndarray, model: Model, opts: PassOptions | None = None, timings: dict[str, float] | None = None
) -> np.ndarray:
    """The model's mask for ``rgba`` after every pass ``opts`` asks for; float32 (h, w) in [0, 1], at
    the model's resolution, or at the photo's (capped) resolution when a crop pass ran."""
    opts = opts or PassOptions()
    size, multiple, square = _entry_rule(model, opts)
    runs = 0
    inference = 0.0

    def predict(x: np.ndarray) -> np.ndarray:
        nonlocal runs, inference
        runs += 1
        t = time.perf_counter()
        out = model.predict(x)
        inference += time.perf_counter() - t
        return out

    t0 = time.perf_counter()
    plan = geo.mask_plan(rgba, size, multiple, square, opts.flip, opts.crop, opts.crop_weight)
    mask = geo.run_plan(plan, predict)
    if timings is not None:
        timings.update(passes=time.perf_counter() - t0, inference=inference, model_runs=float(runs))
    return mask
