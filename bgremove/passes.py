"""Model passes beyond one plain run: other input sizes, flip test-time augmentation and a
coarse-to-fine crop pass. The geometry lives in ``bgcut.passes`` (shared with the browser); this
module only decides which tensors to run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import bgcut
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


def _run(model: Model, rgba: np.ndarray, hw: tuple[int, int], flip: bool) -> np.ndarray:
    x = bgcut.model_input(rgba, hw)
    mask = model.predict(x)
    if flip:
        mask = geo.merge_flip(mask, model.predict(geo.flip_input(x)))
    return bgcut.as_mask(mask)


def predict_mask_passes(
    rgba: np.ndarray, model: Model, opts: PassOptions | None = None, timings: dict[str, float] | None = None
) -> np.ndarray:
    """The model's mask for ``rgba`` after every pass ``opts`` asks for; float32 (h, w) in [0, 1], at
    the model's resolution, or at the photo's (capped) resolution when a crop pass ran."""
    opts = opts or PassOptions()
    t0 = time.perf_counter()
    h, w = rgba.shape[:2]
    size, multiple, square = _entry_rule(model, opts)
    mask = _run(model, rgba, geo.model_size(h, w, size, multiple, square), opts.flip)
    t1 = time.perf_counter()
    crop_ran = False
    if opts.crop:
        box = geo.subject_box(mask, (h, w))
        if box is not None:
            y0, y1, x0, x1 = box
            crop = rgba[y0:y1, x0:x1]
            fine = _run(model, crop, geo.model_size(y1 - y0, x1 - x0, size, multiple, square), opts.flip)
            mask = geo.merge_crop(mask, fine, box, (h, w), opts.crop_weight)
            crop_ran = True
    if timings is not None:
        timings.update(first_pass=t1 - t0, crop_pass=time.perf_counter() - t1, crop_ran=float(crop_ran))
    return mask
