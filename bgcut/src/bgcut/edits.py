"""Touch-up edits: Keep / Erase brush strokes, stored as data and replayed on the alpha.

The edits file (JSON, version 1), in full-resolution photo pixels after EXIF orientation (the
output image's coordinates); pixel (i, j) covers x in [i, i + 1), y in [j, j + 1)::

    {"version": 1, "photo": {"width": W, "height": H},
     "strokes": [{"mode": "keep" | "erase", "radius": 30.0, "snap": true, "points": [[x, y], ...]}]}

A stroke's footprint is the union of discs of ``radius`` along the polyline through its points
(``bgcut.footprint``); "keep" paints alpha towards 1 there, "erase" towards 0, with a one-pixel
antialiased rim. With ``snap`` (the default) only the core (0.4 of the radius) is painted
outright; the rest of the footprint follows the photo's own edges (``bgcut.snap``): rim pixels
that look like the core are painted, rim pixels that look like what lies outside the brush keep
their alpha. Strokes apply in order, each reading the alpha the previous ones left, and each
touches only its own footprint, so cost follows the strokes' area, never the photo's.

Where edits apply: after refinement (threshold, refine), before colour decontamination and
compositing (``finish``), so the composite uses the edited alpha. ``pre_edit_alpha`` gives the
alpha ``bgcut.postprocess`` would produce, for a host that keeps it while a person paints.

Limits (``EditsError``, a ValueError whose text is for people, refuses the whole file): version
other than 1, a photo size other than the photo's, unknown keys, more than ``MAX_STROKES`` strokes
or ``MAX_POINTS`` points in all, a stroke without points, coordinates that are not finite numbers
or lie beyond ``MAX_COORD``, and strokes that would take more than ``MAX_WORK`` distance
evaluations. Radii outside [``RADIUS_MIN``, ``RADIUS_MAX``] are clipped, with a note in
``Edits.warnings``.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import band
from .composite import composite
from .decontam import fields_from_low, work_scale
from .footprint import Pieces, centres, min_distance, pieces, region, work_estimate
from .options import MAX_DECONTAM_WORK_PIXELS, Options, decontam_radii
from .postprocessing import decontaminate_and_composite, refine_alpha, resolve
from .resize import resize
from .snap import SNAP_CORE, SNAP_WINDOW, fit, membership
from .validate import as_mask, as_rgba

__all__ = ["EDITS_VERSION", "MAX_POINTS", "MAX_STROKES", "RADIUS_MAX", "RADIUS_MIN", "Edits", "EditsError",
           "Stroke", "apply_edits", "finish", "parse_edits", "pre_edit_alpha"]

EDITS_VERSION = 1
MODES = ("keep", "erase")
# A minute of continuous drawing at 120 pointer events per second is ~7 000 points; these leave
# room for a long session and still refuse files made to exhaust memory or time.
MAX_STROKES = 10_000
MAX_POINTS = 200_000
# Brush radii in full-resolution pixels: below half a pixel a stroke paints nothing visible, and
# 2048 px covers a 64 MP photo's short side with one dab.
RADIUS_MIN = 0.5
RADIUS_MAX = 2048.0
MAX_COORD = 1e6
# Distance evaluations for all strokes together (~10 ns each natively): a few seconds at most.
MAX_WORK = 1.5e9
# Straight pieces (bgcut.footprint) for all strokes together: each costs a Python step.
MAX_PIECES = 1_000_000
# Text larger than this is not read at all (200 000 points of long decimals fit in ~10 MB).
MAX_TEXT_BYTES = 64 << 20
# Tiles of the footprint's box worked on at full resolution at a time (bounded temporaries).
TILE = 256
# The snapping fit runs on a grid of at most this many cells per stroke (coarser for big strokes;
# the fitted coefficients are smooth and applied to the full-resolution photo).
MAX_FIT_CELLS = 1 << 19
# ... and at least this many fit cells per window radius.
FIT_CELLS_PER_WINDOW = 12


class EditsError(ValueError):
    """A bad or refused edits file; ``str(err)`` is a sentence for people."""


@dataclass(frozen=True, eq=False)
class Stroke:
    """One brush stroke: ``points`` float64 (n, 2) as (x, y) in full-resolution pixels."""

    mode: str
    radius: float
    snap: bool
    points: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "radius": self.radius, "snap": self.snap, "points": self.points.tolist()}


@dataclass(frozen=True, eq=False)
class Edits:
    """A parsed, checked edits file for a ``width`` x ``height`` photo."""

    width: int
    height: int
    strokes: tuple[Stroke, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.strokes)

    def prefix(self, n: int) -> Edits:
        """The first ``n`` strokes (undo: replay fewer)."""
        return replace(self, strokes=self.strokes[:n])

    def suffix(self, n: int) -> Edits:
        """The strokes after the first ``n`` (apply them to an alpha that already has the first n)."""
        return replace(self, strokes=self.strokes[n:])

    def to_dict(self) -> dict[str, Any]:
        return {"version": EDITS_VERSION, "photo": {"width": self.width, "height": self.height},
                "strokes": [s.to_dict() for s in self.strokes]}


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _refuse_constant(name: str) -> Any:
    raise EditsError(f"The edits file contains {name}, which is not a number a stroke can use.")


def _load(data: dict | str | bytes | bytearray) -> Any:
    if isinstance(data, dict):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > MAX_TEXT_BYTES:
            raise EditsError(f"The edits file is {len(data) >> 20} MB; the limit is "
                             f"{MAX_TEXT_BYTES >> 20} MB.")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise EditsError("The edits file is not UTF-8 text (expected JSON).") from None
    if not isinstance(data, str):
        raise EditsError(f"Edits must be JSON text or a dict, got {type(data).__name__}.")
    if len(data) > MAX_TEXT_BYTES:
        raise EditsError(f"The edits file is {len(data) >> 20} MB; the limit is {MAX_TEXT_BYTES >> 20} MB.")
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise EditsError(f"The edits file is not valid JSON ({err.msg} at line {err.lineno}, "
                         f"column {err.colno}).") from None
    except RecursionError:
        raise EditsError("The edits file is nested too deeply to be an edits file.") from None


def _keys(obj: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        raise EditsError(f"The edits file has unknown key(s) {', '.join(map(repr, unknown))} in {where}; "
                         f"known: {', '.join(allowed)}.")


def _points(raw: Any, n: int) -> np.ndarray:
    where = f"stroke {n}"
    if not isinstance(raw, list) or not raw:
        raise EditsError(f"In the edits file, {where} has no points (expected a list of [x, y] pairs).")
    for p in raw:
        if not (isinstance(p, list) and len(p) == 2 and _number(p[0]) and _number(p[1])):
            raise EditsError(f"In the edits file, {where} has a point that is not an [x, y] pair of numbers "
                             f"({json.dumps(p, default=str)[:60]}).")
    pts = np.array(raw, dtype=np.float64)
    if not np.isfinite(pts).all():
        raise EditsError(f"In the edits file, {where} has a coordinate that is not a finite number.")
    if float(np.abs(pts).max()) > MAX_COORD:
        raise EditsError(f"In the edits file, {where} has a coordinate beyond {MAX_COORD:g} pixels.")
    return pts


def parse_edits(data: dict | str | bytes, width: int, height: int) -> Edits:
    """Check an edits file (JSON text, bytes, or the parsed dict) against a ``width`` x ``height``
    photo; raises ``EditsError`` with a message for people. See the module docstring for limits."""
    doc = _load(data)
    if not isinstance(doc, dict):
        raise EditsError("The edits file must hold a JSON object with version, photo and strokes.")
    _keys(doc, ("version", "photo", "strokes"), "the file")
    version = doc.get("version")
    if not (_is_int(version) and int(version) == EDITS_VERSION):
        raise EditsError(f"The edits file has version {version!r}; this program reads version "
                         f"{EDITS_VERSION}.")
    photo = doc.get("photo")
    if not isinstance(photo, dict) or not _is_int(photo.get("width")) or not _is_int(photo.get("height")):
        raise EditsError('The edits file must say which photo size it is for: '
                         '"photo": {"width": W, "height": H}.')
    _keys(photo, ("width", "height"), '"photo"')
    pw, ph = int(photo["width"]), int(photo["height"])
    if (pw, ph) != (int(width), int(height)):
        raise EditsError(f"The edits file is for a {pw} x {ph} photo, but this photo is {width} x {height} "
                         "pixels; edits only replay on the photo they were drawn on (same size and "
                         "orientation).")
    raw = doc.get("strokes")
    if not isinstance(raw, list):
        raise EditsError('The edits file must have a "strokes" list.')
    if len(raw) > MAX_STROKES:
        raise EditsError(f"The edits file has {len(raw)} strokes; the limit is {MAX_STROKES}.")
    total = sum(len(s["points"]) for s in raw
                if isinstance(s, dict) and isinstance(s.get("points"), list))
    if total > MAX_POINTS:
        raise EditsError(f"The edits file has {total} points; the limit is {MAX_POINTS} in all.")
    strokes: list[Stroke] = []
    warnings: list[str] = []
    work, parts = 0.0, 0
    for n, s in enumerate(raw, 1):
        if not isinstance(s, dict):
            raise EditsError(f"In the edits file, stroke {n} is not an object.")
        _keys(s, ("mode", "radius", "snap", "points"), f"stroke {n}")
        mode = s.get("mode")
        if mode not in MODES:
            raise EditsError(f'In the edits file, stroke {n} has mode {mode!r}; expected "keep" or "erase".')
        snap = s.get("snap", True)
        if not isinstance(snap, bool):
            raise EditsError(f"In the edits file, stroke {n} has snap {snap!r}; expected true or false.")
        radius = s.get("radius")
        if not _number(radius) or not math.isfinite(radius) or radius <= 0:
            raise EditsError(f"In the edits file, stroke {n} has radius {radius!r}; expected a positive "
                             "number of pixels.")
        radius = float(radius)
        if not RADIUS_MIN <= radius <= RADIUS_MAX:
            clipped = min(RADIUS_MAX, max(RADIUS_MIN, radius))
            warnings.append(f"Stroke {n}: radius {radius:g} px clipped to {clipped:g} px.")
            radius = clipped
        pts = _points(s.get("points"), n)
        # Distances are read up to the footprint's antialiased rim (the snapping fit reads them on
        # its coarse grid, within the same reach).
        cost, count = work_estimate(pts, radius, radius + 1.0, int(width), int(height))
        work += cost
        parts += count
        if work > MAX_WORK or parts > MAX_PIECES:
            what = (f"{MAX_WORK:.1e} pixel evaluations" if work > MAX_WORK
                    else f"{MAX_PIECES} straight pieces of twice the radius")
            raise EditsError(f"The edits file's strokes are too large to draw (stroke {n} passes {what}); "
                             "use fewer or shorter strokes, or a larger brush.")
        strokes.append(Stroke(mode, radius, snap, pts))
    return Edits(int(width), int(height), tuple(strokes), tuple(warnings))


def _as_alpha(alpha: np.ndarray, inplace: bool) -> np.ndarray:
    a = alpha if inplace else np.asarray(alpha)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"alpha must be shaped (H, W), got {a.shape}")
    if a.dtype == np.uint8 and not inplace:
        return a.astype(np.float32) * np.float32(1.0 / 255.0)
    if a.dtype != np.float32 or (inplace and not (isinstance(a, np.ndarray) and a.flags.writeable)):
        raise ValueError(f"alpha must be float32 in [0, 1] (writable with inplace) or uint8, got {a.dtype}")
    return a if inplace else a.copy()


def apply_edits(alpha: np.ndarray, rgb: np.ndarray, edits: Edits | None,
                timings: dict[str, float] | None = None, inplace: bool = False) -> np.ndarray:
    """``alpha`` (float32 (H, W) in [0, 1], or uint8) with ``edits``' strokes applied in order;
    ``rgb``: the photo, uint8 (H, W, 3) or (H, W, 4) (only RGB is read). Returns a new float32
    array and leaves ``alpha`` alone, or with ``inplace`` (float32 ``alpha`` only) paints into
    ``alpha`` and returns it, saving a full-size copy. Only pixels within a stroke's radius + 0.5
    px change."""
    t0 = time.perf_counter()
    out = _as_alpha(alpha, inplace)
    h, w = out.shape
    image = np.asarray(rgb)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[:2] != (h, w) or image.shape[2] < 3:
        raise ValueError(f"rgb must be uint8 shaped ({h}, {w}, 3|4), got {image.dtype} {image.shape}")
    if edits is None:
        return out
    if (edits.width, edits.height) != (w, h):
        raise EditsError(f"The edits are for a {edits.width} x {edits.height} photo, but this photo is "
                         f"{w} x {h} pixels.")
    for stroke in edits.strokes:
        _apply_stroke(out, image, stroke)
    if timings is not None:
        timings["edits"] = time.perf_counter() - t0
    return out


def _box(p: Pieces, margin: float, w: int, h: int) -> tuple[int, int, int, int] | None:
    x_min, y_min, x_max, y_max = p.bounds()
    x0, y0 = max(0, math.floor(x_min - margin)), max(0, math.floor(y_min - margin))
    x1, y1 = min(w, math.ceil(x_max + margin)), min(h, math.ceil(y_max + margin))
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1


def _apply_stroke(alpha: np.ndarray, rgb: np.ndarray, stroke: Stroke) -> None:
    h, w = alpha.shape
    r = stroke.radius
    reach = r + 0.5  # coverage is clip(r + 0.5 - d, 0, 1): zero from here on
    p = pieces(stroke.points, r, region(w, h, reach))
    if len(p) == 0:
        return
    foot = _box(p, reach, w, h)
    if foot is None:
        return
    target = np.float32(1.0 if stroke.mode == "keep" else 0.0)
    snapper = _Snapper(alpha, rgb, p, r, stroke.mode, w, h) if stroke.snap else None
    fx0, fy0, fx1, fy1 = foot
    core = r * SNAP_CORE
    for ty0 in range(fy0, fy1, TILE):
        ty1 = min(fy1, ty0 + TILE)
        ys = centres(ty0, ty1)
        band = p.rows(float(ys[0]), float(ys[-1]), reach)
        if len(band) == 0:
            continue
        for tx0 in range(fx0, fx1, TILE):
            tx1 = min(fx1, tx0 + TILE)
            xs = centres(tx0, tx1)
            near = band.cols(float(xs[0]), float(xs[-1]), reach)
            if len(near) == 0:
                continue  # a long stroke's box is mostly far from it: no work there
            d = min_distance(near, reach, ys, xs)
            cov = np.clip(reach - d, 0.0, 1.0).astype(np.float32)
            if not cov.any():
                continue
            if snapper is not None:
                m = snapper.membership(ty0, ty1, tx0, tx1)
                m[d <= core] = 1.0
                cov *= m
            tile = alpha[ty0:ty1, tx0:tx1]
            tile += cov * (target - tile)


class _Snapper:
    """The snapping fit of one stroke, made from the alpha before the stroke, on a coarse grid over
    the footprint widened by two window radii (the fit's reach)."""

    def __init__(self, alpha: np.ndarray, rgb: np.ndarray, p: Pieces, r: float, mode: str, w: int,
                 h: int) -> None:
        window = max(1.0, r * SNAP_WINDOW)
        box = _box(p, r + 0.5 + 2 * window + 1, w, h)
        assert box is not None  # the footprint's box is inside it and not empty
        x0, y0, x1, y1 = box
        self.box = box
        bh, bw = y1 - y0, x1 - x0
        # Grid cell size: fine enough for FIT_CELLS_PER_WINDOW cells per window radius, coarse
        # enough for MAX_FIT_CELLS cells over the box.
        s = max(1.0, window / FIT_CELLS_PER_WINDOW, math.sqrt(bh * bw / MAX_FIT_CELLS))
        s = float(math.ceil(s))
        gh, gw = max(1, math.ceil(bh / s)), max(1, math.ceil(bw / s))
        self.grid = (gh, gw)
        guide = resize(rgb[y0:y1, x0:x1, :3], (gh, gw))
        guide *= np.float32(1.0 / 255.0)
        prior = np.clip(resize(alpha[y0:y1, x0:x1], (gh, gw)), 0.0, 1.0)
        d = min_distance(p, r + 1.0, centres(y0, y1, gh), centres(x0, x1, gw))
        inside = d < r + 0.5
        weight = np.where(inside, np.float32(0.0), np.float32(1.0)).astype(np.float32)
        label = prior if mode == "keep" else np.float32(1.0) - prior
        core = d <= r * SNAP_CORE
        weight[core] = 1.0
        label[core] = 1.0
        radius = max(1, round(window * gh / bh))
        self.coef = fit(guide, weight, label.astype(np.float32), radius)
        self.rgb = rgb

    def membership(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        """Fitted membership at full-resolution pixels ``y0:y1, x0:x1`` (inside the box)."""
        bx0, by0, bx1, by1 = self.box
        size = (by1 - by0, bx1 - bx0)
        if self.grid == size:
            coef = self.coef[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0]
        else:
            coef = resize(self.coef, size, rows=(y0 - by0, y1 - by0), cols=(x0 - bx0, x1 - bx0))
        return membership(coef, self.rgb[y0:y1, x0:x1])


def pre_edit_alpha(rgba: np.ndarray, mask: Any, options: Options | None = None, work: Any = None,
                   refiner: Any = None) -> np.ndarray:
    """The alpha before any stroke, float32 (H, W) in [0, 1]: what ``bgcut.postprocess`` gives for
    these arguments (same ones) before it multiplies in the photo's own alpha and composites.
    On the band path (opaque photo, default options) it is the band path's uint8 alpha / 255."""
    options = options or Options()
    rgba, mask, work, refiner = resolve(rgba, mask, options, work, refiner)
    if work is not None:
        a8 = band.band_postprocess(rgba, as_mask(mask), replace(options, output="mask"), work, refiner)
        return a8.astype(np.float32) * np.float32(1.0 / 255.0)
    return refine_alpha(rgba, mask, options)


def finish(rgba: np.ndarray, alpha: np.ndarray, options: Options | None = None, edits: Edits | None = None,
           timings: dict[str, float] | None = None) -> np.ndarray:
    """The result from a pre-composite alpha: ``edits`` applied (if any), colours decontaminated and
    the background composited as ``options`` say. ``rgba``: uint8 (H, W, 4|3); ``alpha``: float32
    (H, W) in [0, 1] (or uint8). Returns uint8 (H, W, 4), or (H, W) for ``output='mask'``."""
    options = options or Options()
    rgba = as_rgba(rgba)
    if np.asarray(alpha).shape != rgba.shape[:2]:
        raise ValueError(f"alpha must be shaped {rgba.shape[:2]}, got {np.asarray(alpha).shape}")
    if edits is not None and len(edits):
        a = apply_edits(alpha, rgba, edits, timings)
    else:  # composite only reads the alpha: no copy
        a = np.asarray(alpha)
        if a.dtype == np.uint8:
            a = a.astype(np.float32) * np.float32(1.0 / 255.0)
        a = a.astype(np.float32, copy=False)
    h, w = a.shape
    s = work_scale(h, w, MAX_DECONTAM_WORK_PIXELS)
    if s == 1:  # small photos: exactly postprocess's own tail
        return decontaminate_and_composite(rgba, a, options, timings)
    t1 = time.perf_counter()
    fields = None
    if options.decontaminate and options.output == "rgba":
        # Block means instead of an area resize of the whole photo: this runs on every stroke's
        # end, and the resize of a 12 MP photo and its alpha was half of it (the fields are
        # blurred far more than a block anyway).
        counts = np.outer(_block_counts(h, s), _block_counts(w, s)).astype(np.float32)
        # Sums of at most s * s uint8 values are exact in float32.
        image = np.stack([_block_sum(rgba[..., c], s) for c in range(3)], axis=-1)
        image /= (counts * np.float32(255.0))[..., None]
        low = _block_sum(a, s)
        low /= counts
        fields = fields_from_low(image, low, decontam_radii(h, w), (h, w), s)
    t2 = time.perf_counter()
    out = composite(rgba, a, options, fields)
    if timings is not None:
        timings.update(decontaminate=t2 - t1, composite=time.perf_counter() - t2)
    return np.ascontiguousarray(out)


def _block_counts(n: int, s: int) -> np.ndarray:
    """Samples in each of the ceil(n / s) blocks along an axis (the last one clipped)."""
    return np.minimum(s, n - np.arange(0, n, s))


def _block_sum(x: np.ndarray, s: int) -> np.ndarray:
    """float32 sums of the ``s x s`` blocks of ``x`` (H, W) (blocks clipped at the edges), in the
    same order on every runtime; temporaries of 1/s of the input."""
    h, w = x.shape
    oh, ow = -(-h // s), -(-w // s)
    rows = np.zeros((oh, w), np.float32)
    for k in range(s):
        part = x[k::s]
        rows[:part.shape[0]] += part
    out = np.zeros((oh, ow), np.float32)
    for k in range(s):
        part = rows[:, k::s]
        out[:, :part.shape[1]] += part
    return out
