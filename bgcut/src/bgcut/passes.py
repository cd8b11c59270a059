"""The model-run plan for one photo, shared by the browser worker and the CLI.

Only "run the model on this tensor" differs between the two runtimes; everything here is pure NumPy
so both sides make the same runs, sizes, boxes and merges. A driver does::

    rule = InputRule.from_entry(manifest_entry["input"])   # the model's input-size rule
    work = WorkingCopy(rgba)                               # the one area downscale of the photo
    plan = mask_plan(work, options, rule)                  # a generator
    x = next(plan)                                         # float32 [1, 3, h, w]
    while True: x = plan.send(run_model(x))                # until StopIteration(PlanResult)
    bgcut.postprocess(rgba, result.mask, options, work=work)

``run_plan`` is that loop for a blocking model call (the CLI); the worker awaits ONNX Runtime Web
inside the same loop. The plan:

* first run on the working copy at the rule's size;
* the mirror pass (test-time augmentation) when ``options.mirror`` allows it and, with
  ``options.extra_passes == 'auto'``, the first mask is uncertain enough to gain from it (the crop
  pass is mirrored likewise when the first run was and the crop's own mask is uncertain enough);
* the crop pass when ``options.crop`` allows it, the subject's padded box covers at most
  ``CROP_MAX_AREA`` of the photo and, with 'auto', at most ``AUTO_CROP_MAX_AREA``; it runs on the
  box of the working copy when that holds the model's input resolution, else on the photo's box
  (then small: its cost stays bounded by the model's size times the working copy's scale).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .decontam import work_scale
from .inputs import to_tensor
from .options import (
    AUTO_CROP_MAX_AREA,
    AUTO_CROP_MIRROR_MIN_UNCERTAIN,
    AUTO_MIRROR_MIN_UNCERTAIN,
    CROP_MARGIN,
    CROP_MAX_AREA,
    CROP_RAMP,
    CROP_WEIGHT,
    MAX_MERGE_PIXELS,
    UNCERTAIN_BAND,
    WORK_PIXELS,
)
from .resize import resize
from .validate import as_mask, as_rgba

# The plan's tunable constants live in bgcut.options (one home for defaults); they are named here
# too because the plan's signatures and callers use them.
__all__ = ["AUTO_CROP_MAX_AREA", "AUTO_CROP_MIRROR_MIN_UNCERTAIN", "AUTO_MIRROR_MIN_UNCERTAIN",
           "CROP_MARGIN", "CROP_MAX_AREA", "CROP_RAMP", "CROP_WEIGHT", "MAX_MERGE_PIXELS", "UNCERTAIN_BAND",
           "WORK_PIXELS", "InputRule", "PlanResult", "WorkingCopy", "block_sums", "mask_plan",
           "mask_uncertainty", "merge_crop", "merge_mirror", "mirror_input", "model_size", "run_plan",
           "subject_box"]

# Rows per band when building the working copy: bounds memory only, never the result.
WORK_BAND_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class InputRule:
    """A model's input size rule, read from its manifest entry's ``input`` object (the one place
    that reads it): ``size x size`` when ``square``, else the photo's aspect ratio with the long side
    at ``size`` and both sides rounded to ``multiple``. A missing ``multiple`` means 1, a missing
    ``square`` means keep the aspect ratio; ``size`` is required."""

    size: int = 320
    multiple: int = 32
    square: bool = True

    @classmethod
    def from_entry(cls, entry_input: Mapping[str, Any]) -> InputRule:
        try:
            size = int(entry_input["size"])
            multiple = int(entry_input.get("multiple", 1))
            square = bool(entry_input.get("square", False))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"model input rule needs an integer 'size', got {entry_input!r}: {exc}") from exc
        if size < 1 or multiple < 1:
            raise ValueError(f"model input size and multiple must be positive, got {entry_input!r}")
        return cls(size, multiple, square)

    def with_options(self, options: Any) -> InputRule:
        """The rule after the ``model_size`` / ``model_square`` overrides of ``options``."""
        size = getattr(options, "model_size", None) or self.size
        square = getattr(options, "model_square", None)
        return InputRule(size, self.multiple, self.square if square is None else bool(square))

    def size_for(self, h: int, w: int) -> tuple[int, int]:
        """Model input (height, width) for an ``h x w`` photo."""
        return model_size(h, w, self.size, self.multiple, self.square)


def model_size(h: int, w: int, size: int, multiple: int = 32, square: bool = True) -> tuple[int, int]:
    """Model input (height, width): ``size x size``, or the photo's aspect ratio with the long side
    at ``size`` and both sides rounded to ``multiple`` (at least one multiple)."""
    if square:
        return size, size
    scale = size / max(h, w)
    m = multiple
    return max(m, round(h * scale / m) * m), max(m, round(w * scale / m) * m)


class WorkingCopy:
    """The photo and its one downscaled copy (RGB, 0..255, at most ``WORK_PIXELS``).

    ``rgb`` is the photo's own uint8 RGB view when it is already small enough (nothing is copied or
    resampled then), else float32 block means: pixel ``(i, j)`` averages the photo's block
    ``[i*scale, (i+1)*scale) x [j*scale, (j+1)*scale)`` (clipped at the photo's edges). Block means
    rather than an area resize to an arbitrary size because their sums are exact integers: any
    host may add them up (``block_sums``; the browser does it in JavaScript, where it is 15 times
    faster than NumPy in WebAssembly) and pass them as ``sums`` with the same result.
    """

    def __init__(
        self, rgba: np.ndarray, max_pixels: int = WORK_PIXELS, sums: np.ndarray | None = None
    ) -> None:
        self.rgba = as_rgba(rgba)
        h, w = self.rgba.shape[:2]
        self.scale = work_scale(h, w, max_pixels)
        if self.scale == 1:
            self.rgb: np.ndarray = self.rgba[..., :3]
            return
        s = self.scale
        size = (-(-h // s), -(-w // s))
        if sums is None:
            sums = block_sums(self.rgba, s)
        sums = np.asarray(sums)
        if sums.shape != (*size, 3):
            raise ValueError(f"block sums of a {h}x{w} photo at scale {s} must be shaped {(*size, 3)}, "
                             f"got {sums.shape}")
        rows = np.full(size[0], s, np.float32)
        rows[-1] = h - (size[0] - 1) * s
        cols = np.full(size[1], s, np.float32)
        cols[-1] = w - (size[1] - 1) * s
        inv = np.float32(1.0) / (rows[:, None] * cols[None, :])
        self.rgb = sums.astype(np.float32)
        self.rgb *= inv[..., None]

    @property
    def shape(self) -> tuple[int, int]:
        """The photo's (H, W)."""
        return self.rgba.shape[0], self.rgba.shape[1]

    def rgb_at(self, size: tuple[int, int]) -> np.ndarray:
        """The photo's RGB area-resampled to ``size`` from the working copy, float32 in 0..255."""
        return resize(self.rgb, size)

    def model_input(self, size: tuple[int, int], box: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """float32 [1, 3, h, w] in [0, 1] of the photo (or its ``box`` in photo pixels) at ``size``.

        The box is cut from the working copy when the copy holds at least ``size`` pixels there;
        otherwise from the photo (the box is then small, so this stays cheap)."""
        src = self.rgb
        if box is not None:
            y0, y1, x0, x1 = box
            s = self.scale
            wy0, wy1, wx0, wx1 = y0 // s, -(-y1 // s), x0 // s, -(-x1 // s)
            if self.scale > 1 and wy1 - wy0 >= size[0] and wx1 - wx0 >= size[1]:
                src = self.rgb[wy0:wy1, wx0:wx1]
            else:
                src = self.rgba[y0:y1, x0:x1, :3]
        return to_tensor(src, size)


def block_sums(rgba: np.ndarray, scale: int) -> np.ndarray:
    """uint32 ``(ceil(H/scale), ceil(W/scale), 3)``: the sum of each ``scale x scale`` block's RGB
    (blocks clipped at the photo's edges), in bands of rows so 48 MP stays near 16 MB of temporaries."""
    h, w = rgba.shape[:2]
    s = int(scale)
    oh, ow = -(-h // s), -(-w // s)
    out = np.zeros((oh, ow, 3), np.uint32)
    step = max(1, WORK_BAND_ELEMENTS // (3 * w * 4))
    for r0 in range(0, oh, step):
        r1 = min(oh, r0 + step)
        rows = np.zeros((r1 - r0, w, 3), np.uint32)
        for k in range(s):
            part = rgba[r0 * s + k:min(h, r1 * s):s, :, :3]
            rows[:part.shape[0]] += part
        for k in range(s):
            part = rows[:, k::s]
            out[r0:r1, :part.shape[1]] += part
    return out


def mirror_input(x: np.ndarray) -> np.ndarray:
    """The model input mirrored left-right (last axis), as a contiguous copy."""
    return np.ascontiguousarray(np.asarray(x)[..., ::-1])


def merge_mirror(mask: np.ndarray, mirrored_mask: np.ndarray) -> np.ndarray:
    """Average of a mask and the un-mirrored mask of the mirrored input; float32 (h, w)."""
    a = as_mask(mask)
    b = as_mask(mirrored_mask)[:, ::-1]
    if a.shape != b.shape:
        raise ValueError(f"mirror pass masks differ in shape: {a.shape} vs {b.shape}")
    return (a + b) * np.float32(0.5)


def mask_uncertainty(mask: np.ndarray) -> float:
    """The fraction of mask pixels strictly inside ``UNCERTAIN_BAND`` (neither clearly subject nor
    clearly background)."""
    m = as_mask(mask)
    lo, hi = UNCERTAIN_BAND
    return float(np.count_nonzero((m > lo) & (m < hi))) / m.size


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


class PlanResult(NamedTuple):
    """What a plan returns: the merged mask (model-sized, or photo-sized up to ``MAX_MERGE_PIXELS``
    after a crop pass), the working copy for ``postprocess(work=...)``, and the model runs made."""

    mask: np.ndarray
    work: WorkingCopy
    runs: int


MaskPlan = Generator[np.ndarray, np.ndarray, PlanResult]


def mask_plan(
    photo: np.ndarray | WorkingCopy,
    options: Any,
    rule: InputRule | None = None,
    crop_weight: float = CROP_WEIGHT,
) -> MaskPlan:
    """Every model run one photo needs, as a generator: it yields model inputs (float32
    [1, 3, h, w]) and is sent back each input's mask; it returns a ``PlanResult``.

    ``options``: a ``bgcut.Options`` (its ``mirror``, ``crop``, ``extra_passes``,
    ``model_size`` and ``model_square`` are read). ``rule``: the model's ``InputRule``.
    """
    work = photo if isinstance(photo, WorkingCopy) else WorkingCopy(photo)
    rule = (rule or InputRule()).with_options(options)
    auto = getattr(options, "extra_passes", "always") == "auto"
    h, w = work.shape
    runs = 0
    x = work.model_input(rule.size_for(h, w))
    mask = as_mask((yield x))
    runs += 1
    mirror = bool(getattr(options, "mirror", False))
    if mirror and auto:
        mirror = mask_uncertainty(mask) > AUTO_MIRROR_MIN_UNCERTAIN
    if mirror:
        mask = merge_mirror(mask, (yield mirror_input(x)))
        runs += 1
    if getattr(options, "crop", False):
        box = subject_box(mask, (h, w), max_area=AUTO_CROP_MAX_AREA if auto else CROP_MAX_AREA)
        if box is not None:
            y0, y1, x0, x1 = box
            xc = work.model_input(rule.size_for(y1 - y0, x1 - x0), box)
            fine = as_mask((yield xc))
            runs += 1
            if mirror and (not auto or mask_uncertainty(fine) > AUTO_CROP_MIRROR_MIN_UNCERTAIN):
                fine = merge_mirror(fine, (yield mirror_input(xc)))
                runs += 1
            mask = merge_crop(mask, fine, box, (h, w), crop_weight)
    return PlanResult(mask, work, runs)


def run_plan(plan: MaskPlan, predict: Callable[[np.ndarray], np.ndarray]) -> PlanResult:
    """Drive ``plan`` with a synchronous model call; returns its ``PlanResult``."""
    try:
        x = next(plan)
        while True:
            x = plan.send(predict(x))
    except StopIteration as done:
        return done.value
