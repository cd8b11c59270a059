"""The options of one cut-out and every tunable default, in one place.

``Options`` field defaults plus the module constants below are the only place defaults live; the
browser, the CLI and the benchmarks all take them from here (a model's manifest may override the
field defaults for that model: ``Options.from_dict(d, plan)``). The constants are grouped as the
options are: the model-run plan (bgcut.passes), then the post-processing after it. Buffer sizes
that only bound memory, never results, stay beside the loops they size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

__all__ = ["EXTRA_PASS_MODES", "OUTPUT_MODES", "PLAN_FIELDS", "REFINE_MODES", "Options", "auto_radius",
           "auto_subsample", "decontam_radii"]

REFINE_MODES = ("none", "guided", "fast_guided", "edge", "matte")
# 'mask': the alpha alone, as the page's and the CLI's format 'mask' deliver it.
OUTPUT_MODES = ("rgba", "mask")
EXTRA_PASS_MODES = ("auto", "always")
# The Options fields the model-run plan reads (bgcut.passes.mask_plan); the others are post-processing.
PLAN_FIELDS = ("mirror", "crop", "extra_passes", "model_size", "model_square")

# --- The model-run plan (bgcut.passes.mask_plan) ---
# The working copy: the photo block-averaged once to at most this many pixels. Every model input
# and the decontamination fields are built from it, so a 12-48 MP photo is read once; at 1 MP the
# crop box of a subject covering a quarter of a 4:3 photo still holds 320 px per side (the model's
# input), and anything smaller would send such crops back to the full photo. Photos up to 1 MP
# (every dev photo) are used as they are.
WORK_PIXELS = 1_000_000
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
# extra_passes='auto' (docs/QUALITY.md, tuned on the dev set's tuning half with bench/pass_gain.py):
# the mirror pass runs when more than this fraction of the first mask is uncertain (a confident
# mask gains nothing from a second opinion) ...
AUTO_MIRROR_MIN_UNCERTAIN = 0.04
# ... the crop pass whenever CROP_MAX_AREA allows it (no smaller cut kept the scores) ...
AUTO_CROP_MAX_AREA = CROP_MAX_AREA
# ... and the crop's mirror when the first run was mirrored and more than this fraction of the
# crop's own mask is uncertain. Together: 22% fewer runs than running every pass, every score
# within 0.002 on the tuning half.
AUTO_CROP_MIRROR_MIN_UNCERTAIN = 0.1
# A mask value counts as uncertain between these two.
UNCERTAIN_BAND = (0.05, 0.95)

# --- Post-processing (bgcut.postprocess) ---

# Guided-filter radius as a fraction of the image's long side (the model sees ~320 px, so the
# mask's blur scale grows with the photo).
GUIDED_RADIUS_FRACTION = 1 / 120
GUIDED_RADIUS_MIN = 2
# He & Sun suggest subsampling by about r/4; we also cap the working size to bound memory.
FAST_SUBSAMPLE_PER_RADIUS = 4
MAX_GUIDED_WORK_PIXELS = 1_000_000
# The full-resolution "guided" mode still subsamples above this size (48 MP in a browser tab).
MAX_FULL_GUIDED_PIXELS = 4_000_000
# refine='edge': guided filter on the outline's band tiles only (bgcut.guided.EdgeRefiner), fitted
# at 1/(r/3) resolution, then a smoothstep ramp re-centred on the filtered edge. Chosen on the
# matting-dev tuning half with the binary dev set's tuning half held (docs/QUALITY.md, hair).
EDGE_RADIUS_FRACTION = 1 / 120
# Each band tile is widened by ~2r on both sides and refitted, so the cost grows with r squared on
# large photos (14 MP: 9.7 s at r = 40, 1.1 s at r = 12, loaded machine); every photo the choice was
# measured on (<= 1.4 MP) has r <= 12, so the cap changes none of the measured numbers.
EDGE_RADIUS_MAX = 16
EDGE_SUBSAMPLE_PER_RADIUS = 3
EDGE_EPS = 1e-3
EDGE_THRESHOLD = 0.45
EDGE_SOFTNESS = 0.6
# refine='matte': closed-form matting (bgcut.trimap_matting.TrimapMatting) in the automatic trimap
# band on the outline's band tiles, solved at a subsample that brings the long side to at most
# MATTE_WORK_LONG_SIDE (so a 12 MP photo is solved at 1/4 scale), then guided-filter upsampling.
# Chosen on the matting-dev tuning half (docs/QUALITY.md, hair); opt-in, see there for why.
MATTE_BAND = 3
MATTE_WORK_LONG_SIDE = 1000
MATTE_EPS = 1e-6
MATTE_PRIOR = 1e-3
MATTE_ITERATIONS = 200
# Blur fusion radii as fractions of the long side (Forte & Pitie use 90 and 6 px); the large one must
# reach past the soft band into solid foreground, so it grows with the photo.
DECONTAM_LARGE_FRACTION = 1 / 10
DECONTAM_SMALL_FRACTION = 1 / 100
# 125k rather than 500k: the fields are blurs of radius >= 1/100 of the long side, and on the dev
# set's tuning half the edge colour error was no worse (10.3 vs 10.4 on 0..255) at a third of the
# time (bench/quality_decontam.py --work-pixels, docs/QUALITY.md).
MAX_DECONTAM_WORK_PIXELS = 125_000
# "blur" background: work at this long side, box-blur by this fraction of it, three passes.
BLUR_BACKGROUND_LONG_SIDE = 256
BLUR_BACKGROUND_FRACTION = 0.025

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def auto_radius(h: int, w: int) -> int:
    """Default guided-filter radius in full-resolution pixels for an ``h x w`` image."""
    return max(GUIDED_RADIUS_MIN, round(max(h, w) * GUIDED_RADIUS_FRACTION))


def auto_subsample(h: int, w: int, radius: int, full: bool = False) -> int:
    """Subsampling factor for the guided filter: ~r/4 (fast) or 1 (full), capped by working memory."""
    cap = MAX_FULL_GUIDED_PIXELS if full else MAX_GUIDED_WORK_PIXELS
    s_mem = math.ceil(math.sqrt(h * w / cap))
    s_speed = 1 if full else radius // FAST_SUBSAMPLE_PER_RADIUS
    return max(1, s_mem, s_speed)


def decontam_radii(h: int, w: int) -> tuple[int, int]:
    """Blur-fusion (large, small) radii in full-resolution pixels."""
    long_side = max(h, w)
    large = max(4, round(long_side * DECONTAM_LARGE_FRACTION))
    return large, max(1, round(long_side * DECONTAM_SMALL_FRACTION))


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float | np.floating)) and math.isfinite(float(v))


@dataclass(frozen=True, eq=False)
class Options:
    """What :func:`bgcut.postprocess` does after the model.

    refine: 'none' (default; bilinear upsampling only), 'edge' (soft hair/fur edges: guided filter
        on the outline's band only, after the threshold; ``radius`` overrides its size), 'matte'
        (closed-form matting in the outline's trimap band at reduced resolution, after the
        threshold; slower, bgcut.trimap_matting),
        'fast_guided' (guided filter fitted at reduced resolution) or 'guided' (full resolution
        up to 4 MP). On the dev set no guided
        setting raised IoU or Boundary IoU (docs/QUALITY.md); they soften hair edges.
    radius: guided-filter radius in full-resolution pixels; None = scaled to the image size.
    eps: guided-filter regularisation (guide in [0, 1]); larger = smoother, less edge-following.
    subsample: fast guided filter's subsampling factor; None = automatic.
    threshold: None (keep soft alpha) or a cut in (0, 1); default 0.4, because u2netp's 0.5 level
        lies inside the true outline (docs/QUALITY.md).
    threshold_softness: 0 = hard step at ``threshold``; > 0 = smoothstep ramp of that width.
    edge_shift: grow (> 0) or shrink (< 0) the alpha edge by this many pixels.
    feather: blur radius of the alpha edge in pixels (0 = off).
    decontaminate: re-estimate foreground colours in the edge band (RGBA output only).
    background: 'transparent', '#rrggbb', 'blur', or an image as uint8 (h, w, 3|4) array
        (resized to cover, centre-cropped).
    output: 'rgba' (H, W, 4) or 'mask' (H, W): the alpha alone.

    The model-run plan (``PLAN_FIELDS``: read by bgcut.passes.mask_plan, which the CLI and the
    browser worker drive; bgcut.postprocess ignores them):

    mirror: the mirror pass: also run the model on the mirrored photo and average (twice the model
        time).
    crop: the crop pass: when the subject is small, run the model again on a crop around it and blend.
    extra_passes: 'auto' (default) runs the mirror and crop passes that ``mirror`` and ``crop``
        allow only when the first run's mask says they are worth it (docs/QUALITY.md); 'always'
        runs every allowed pass.
    model_size: the model input's long side (None: the manifest's size for the model).
    model_square: squash the input to a square (None: the manifest's rule) or keep the aspect.
    """

    refine: str = "none"
    radius: int | None = None
    eps: float = 1e-4
    subsample: int | None = None
    threshold: float | None = 0.4
    threshold_softness: float = 0.3
    edge_shift: int = 0
    feather: int = 0
    decontaminate: bool = True
    background: Any = "transparent"
    output: str = "rgba"
    # The model-run plan (PLAN_FIELDS).
    mirror: bool = True
    crop: bool = True
    extra_passes: str = "auto"
    model_size: int | None = None
    model_square: bool | None = None

    def __post_init__(self) -> None:
        if self.refine not in REFINE_MODES:
            raise ValueError(f"refine must be one of {REFINE_MODES}, got {self.refine!r}")
        if self.radius is not None and not (_is_int(self.radius) and 1 <= self.radius <= 512):
            raise ValueError(f"radius must be None or an integer in 1..512, got {self.radius!r}")
        if not (_is_number(self.eps) and 0 < self.eps <= 10):
            raise ValueError(f"eps must be a number in (0, 10], got {self.eps!r}")
        if self.subsample is not None and not (_is_int(self.subsample) and 1 <= self.subsample <= 64):
            raise ValueError(f"subsample must be None or an integer in 1..64, got {self.subsample!r}")
        if self.threshold is not None and not (_is_number(self.threshold) and 0 < self.threshold < 1):
            raise ValueError(f"threshold must be None or a number in (0, 1), got {self.threshold!r}")
        if not (_is_number(self.threshold_softness) and 0 <= self.threshold_softness <= 1):
            raise ValueError(
                f"threshold_softness must be a number in [0, 1], got {self.threshold_softness!r}"
            )
        if not (_is_int(self.edge_shift) and -256 <= self.edge_shift <= 256):
            raise ValueError(f"edge_shift must be an integer in -256..256 (pixels), got {self.edge_shift!r}")
        if not (_is_int(self.feather) and 0 <= self.feather <= 256):
            raise ValueError(f"feather must be an integer in 0..256 (pixels), got {self.feather!r}")
        if not isinstance(self.decontaminate, bool | np.bool_):
            raise ValueError(f"decontaminate must be a bool, got {self.decontaminate!r}")
        if self.output not in OUTPUT_MODES:
            raise ValueError(f"output must be one of {OUTPUT_MODES}, got {self.output!r}")
        for key in ("mirror", "crop"):
            if not isinstance(getattr(self, key), bool | np.bool_):
                raise ValueError(f"{key} must be a bool, got {getattr(self, key)!r}")
        if self.extra_passes not in EXTRA_PASS_MODES:
            raise ValueError(f"extra_passes must be one of {EXTRA_PASS_MODES}, got {self.extra_passes!r}")
        if self.model_size is not None and not (_is_int(self.model_size) and 32 <= self.model_size <= 2048):
            raise ValueError(f"model_size must be None or an integer in 32..2048, got {self.model_size!r}")
        if self.model_square is not None and not isinstance(self.model_square, bool | np.bool_):
            raise ValueError(f"model_square must be None or a bool, got {self.model_square!r}")
        self._check_background()

    def _check_background(self) -> None:
        bg = self.background
        if isinstance(bg, str):
            if bg in ("transparent", "blur") or _HEX.match(bg):
                return
            raise ValueError(
                f"background must be 'transparent', 'blur', '#rrggbb' or an image array, got {bg!r}"
            )
        if isinstance(bg, np.ndarray):
            if bg.dtype != np.uint8 or bg.ndim != 3 or bg.shape[2] not in (3, 4) or min(bg.shape[:2]) < 1:
                raise ValueError(
                    f"background image must be a uint8 array shaped (h, w, 3) or (h, w, 4), "
                    f"got dtype {bg.dtype} shape {bg.shape}"
                )
            return
        raise ValueError(f"background must be a string or a uint8 image array, got {type(bg).__name__}")

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None, defaults: dict[str, Any] | None = None) -> Options:
        """Build from a plain dict (what JavaScript passes through Pyodide). Unknown keys raise
        ValueError; integral floats (JS numbers) are accepted for integer fields.

        defaults: a model's plan defaults (the model manifest's ``plans[architecture]``, keys named
        like these fields); they replace the field defaults, and every key of ``d`` wins over them.
        """
        if d is not None and not isinstance(d, dict):
            raise ValueError(f"options must be a dict, got {type(d).__name__}")
        if defaults is not None and not isinstance(defaults, dict):
            raise ValueError(f"model plan defaults must be a dict, got {type(defaults).__name__}")
        known = {f.name for f in fields(cls)}
        for what, given in (("model plan", defaults), ("option", d)):
            unknown = sorted(set(given or ()) - known)
            if unknown:
                names = ", ".join(map(repr, unknown))
                raise ValueError(f"unknown {what}(s) {names}; known: {', '.join(sorted(known))}")
        kwargs = {**(defaults or {}), **(d or {})}
        for key in ("radius", "subsample", "edge_shift", "feather", "model_size"):
            v = kwargs.get(key)
            if isinstance(v, float) and v.is_integer():
                kwargs[key] = int(v)
        return cls(**kwargs)

    def background_rgb(self) -> tuple[int, int, int] | None:
        """The solid background colour as integers, or None if the background is not a colour."""
        bg = self.background
        if isinstance(bg, str) and bg.startswith("#"):
            return int(bg[1:3], 16), int(bg[3:5], 16), int(bg[5:7], 16)
        return None
