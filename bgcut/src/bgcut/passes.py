"""Geometry for running the model more than once per photo, shared by the browser and the CLI.

Only "run the model on this tensor" differs between the two runtimes; everything here is pure
NumPy so both sides compute the same sizes, boxes and merges:

* ``model_size``: the model's input size for a photo (square or aspect-preserving).
* Flip test-time augmentation: run on ``x`` and on ``flip_input(x)``, then ``merge_flip``.
* Coarse-to-fine crop pass: ``subject_box`` on the first mask; when it returns a box, run the model
  on ``model_input(rgba[y0:y1, x0:x1], size)`` and ``merge_crop`` the two masks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator

import numpy as np

from .pipeline import as_mask, model_input
from .resize import resize

__all__ = ["CROP_MARGIN", "CROP_MAX_AREA", "CROP_WEIGHT", "flip_input", "mask_plan", "merge_crop",
           "merge_flip", "model_size", "run_plan", "subject_box"]

# Context kept around the subject on each side, as a fraction of the box's larger side: the model
# was trained on whole photos, so it needs some background to tell the subject from it.
CROP_MARGIN = 0.15
# Skip the crop pass when the padded box covers more than this fraction of the photo: the second
# pass would see nearly the same pixels at nearly the same scale.
CROP_MAX_AREA = 0.5
# Inside the box, the crop pass's mask is averaged with the first pass's: on the dev set the
# average scored higher than either pass alone (two scales, two views of the subject).
CROP_WEIGHT = 0.5
# Inside the box, the crop pass's weight rises from 0 at the box's edges over this fraction of its
# size, so no seam appears where the two passes disagree (the margin is mostly background anyway).
CROP_RAMP = 0.08
# The merged mask is built at most this many pixels (it is resampled again by postprocess).
MAX_MERGE_PIXELS = 2_000_000


def model_size(h: int, w: int, size: int, multiple: int = 32, square: bool = True) -> tuple[int, int]:
    """Model input (height, width): ``size x size``, or the photo's aspect ratio with the long side
    at ``size`` and both sides rounded to ``multiple`` (at least one multiple)."""
    if square:
        return size, size
    scale = size / max(h, w)
    m = multiple
    return max(m, round(h * scale / m) * m), max(m, round(w * scale / m) * m)


def flip_input(x: np.ndarray) -> np.ndarray:
    """The model input mirrored left-right (last axis), as a contiguous copy."""
    return np.ascontiguousarray(np.asarray(x)[..., ::-1])


def merge_flip(mask: np.ndarray, flipped_mask: np.ndarray) -> np.ndarray:
    """Average of a mask and the un-mirrored mask of the mirrored input; float32 (h, w)."""
    a = as_mask(mask)
    b = as_mask(flipped_mask)[:, ::-1]
    if a.shape != b.shape:
        raise ValueError(f"flip TTA masks differ in shape: {a.shape} vs {b.shape}")
    return (a + b) * np.float32(0.5)


def subject_box(
    mask: np.ndarray,
    image_hw: tuple[int, int],
    margin: float = CROP_MARGIN,
    max_area: float = CROP_MAX_AREA,
    cut: float = 0.5,
) -> tuple[int, int, int, int] | None:
    """Crop box ``(y0, y1, x0, x1)`` in photo pixels around the subject of ``mask``, or None when a
    second pass is not worth it (no subject, or the padded box covers over ``max_area`` of the photo).
    """
    m = as_mask(mask) >= cut
    rows = np.flatnonzero(m.any(axis=1))
    cols = np.flatnonzero(m.any(axis=0))
    if rows.size == 0:
        return None
    h, w = int(image_hw[0]), int(image_hw[1])
    mh, mw = m.shape
    sy, sx = h / mh, w / mw
    y0, y1 = rows[0] * sy, (rows[-1] + 1) * sy
    x0, x1 = cols[0] * sx, (cols[-1] + 1) * sx
    pad = margin * max(y1 - y0, x1 - x0)
    box = (
        max(0, math.floor(y0 - pad)),
        min(h, math.ceil(y1 + pad)),
        max(0, math.floor(x0 - pad)),
        min(w, math.ceil(x1 + pad)),
    )
    area = (box[1] - box[0]) * (box[3] - box[2])
    if area > max_area * h * w or box[1] - box[0] < 2 or box[3] - box[2] < 2:
        return None
    return box


def _edge_ramp(a: int, b: int, n: int, fraction: float) -> np.ndarray:
    """Weights over ``[a, b)`` rising linearly from the box's edges over ``fraction`` of its length,
    except at edges lying on the photo's border (nothing outside to blend with there)."""
    length = b - a
    ramp = max(1, round(fraction * length))
    i = np.arange(length, dtype=np.float32)
    w = np.ones(length, np.float32)
    if a > 0:
        w = np.minimum(w, (i + 1) / np.float32(ramp + 1))
    if b < n:
        w = np.minimum(w, (length - i) / np.float32(ramp + 1))
    return w


def merge_crop(
    coarse: np.ndarray,
    fine: np.ndarray,
    box: tuple[int, int, int, int],
    image_hw: tuple[int, int],
    weight: float = CROP_WEIGHT,
) -> np.ndarray:
    """One mask for the whole photo: inside the crop ``box``, ``weight * fine + (1 - weight) *
    coarse`` (``fine``: the model's mask of the crop; ``coarse``: the first pass), with the weight
    ramped down to 0 towards the box's inner edges (``CROP_RAMP``); outside, ``coarse``.
    Returned at the photo's size, or scaled down to at most ``MAX_MERGE_PIXELS`` with the same aspect
    ratio; float32 in [0, 1]."""
    h, w = int(image_hw[0]), int(image_hw[1])
    s = min(1.0, math.sqrt(MAX_MERGE_PIXELS / (h * w)))
    oh, ow = max(1, round(h * s)), max(1, round(w * s))
    out = resize(as_mask(coarse), (oh, ow))
    y0, y1 = round(box[0] * oh / h), round(box[1] * oh / h)
    x0, x1 = round(box[2] * ow / w), round(box[3] * ow / w)
    if y1 > y0 and x1 > x0:
        inner = resize(as_mask(fine), (y1 - y0, x1 - x0))
        w = _edge_ramp(y0, y1, oh, CROP_RAMP)[:, None] * _edge_ramp(x0, x1, ow, CROP_RAMP)[None, :]
        w *= np.float32(weight)
        out[y0:y1, x0:x1] = w * inner + (np.float32(1.0) - w) * out[y0:y1, x0:x1]
    np.clip(out, 0.0, 1.0, out=out)
    return out


MaskPlan = Generator[np.ndarray, np.ndarray, np.ndarray]


def mask_plan(
    rgba: np.ndarray,
    size: int,
    multiple: int = 32,
    square: bool = True,
    flip: bool = False,
    crop: bool = False,
    crop_weight: float = CROP_WEIGHT,
) -> MaskPlan:
    """Every model run one photo needs, as a generator: it yields model inputs (float32
    [1, 3, h, w]) and is sent back each input's mask; its return value is the merged mask.

    The CLI drives it with a blocking model call (``run_plan``) and the browser worker with an
    awaited ONNX Runtime Web call, so both make exactly the same runs and merges.
    """
    h, w = rgba.shape[:2]
    mask = yield from _single(rgba, model_size(h, w, size, multiple, square), flip)
    if crop:
        box = subject_box(mask, (h, w))
        if box is not None:
            y0, y1, x0, x1 = box
            hw = model_size(y1 - y0, x1 - x0, size, multiple, square)
            fine = yield from _single(rgba[y0:y1, x0:x1], hw, flip)
            mask = merge_crop(mask, fine, box, (h, w), crop_weight)
    return mask


def _single(rgba: np.ndarray, hw: tuple[int, int], flip: bool) -> MaskPlan:
    x = model_input(rgba, hw)
    mask = as_mask((yield x))
    if flip:
        mask = merge_flip(mask, (yield flip_input(x)))
    return mask


def run_plan(plan: MaskPlan, predict: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Drive ``plan`` with a synchronous model call; returns the merged mask."""
    try:
        x = next(plan)
        while True:
            x = plan.send(predict(x))
    except StopIteration as done:
        return done.value
