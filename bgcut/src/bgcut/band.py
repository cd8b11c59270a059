"""Post-processing whose full-resolution cost follows the subject's outline, not the photo's area.

After the threshold ramp, a full-resolution pixel whose bilinear taps all read mask values the ramp
maps to 0 (or all to 1) is exactly 0 (or 255) in the output, so it needs no float work at all: it is
filled with uint8 rows. Only tiles where some tap is uncertain (or the taps disagree) are upsampled,
ramped, decontaminated and composited in float32, with the very same element-wise operations as
the full-resolution path (``bgcut.postprocessing.refine_alpha`` + ``composite``), so the output is
identical to it; the tests compare the two on dev photos.

The uncertain region is found per band of ``BAND_ROWS`` output rows: the mask rows the band's
pixels read give, per mask column, whether that column is certain there; full-resolution columns
whose taps (widened by a margin) meet an uncertain mask column form runs, and each run is one tile.

Refinement on band tiles: a ``BandRefiner`` (any callable with a ``margin`` attribute) is called as
``refiner(rgba_crop, alpha_crop) -> alpha_crop`` on every tile widened by ``margin`` pixels on each
side (clipped to the photo), with float32 alpha in [0, 1]; its result replaces the tile's alpha. The
uncertain region is widened by ``margin`` too, so pixels the refiner may soften lie in some tile.
A refiner that also has ``prepare(rgba, mask, options, work)`` and ``tile(rgba_tile, alpha_tile,
rows, cols)`` (``bgcut.trimap_matting.TrimapMatting``) is prepared once per photo and then asked for
each tile's alpha, without widening.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from . import options as defaults
from .composite import background_bands, to_uint8
from .decontam import BlurFusion, fields_from_low, foreground_at, work_scale
from .edges import apply_threshold
from .options import Options
from .resize import resize, taps

__all__ = ["BAND_ROWS", "BandRefiner", "band_postprocess", "band_refiner", "certain_bounds", "mask_classes",
           "supports"]

# Output rows per band: smaller bands hug a slanted outline more tightly but cost more Python steps.
BAND_ROWS = 32
# Uncertain column runs closer than this are processed as one tile (fewer, wider numpy calls).
RUN_GAP = 32
# Classes of mask values.
BG, UNSURE, FG = 0, 1, 2
# Slack around the mask values that map exactly to 0 or 255, far above float32 interpolation error.
_SLACK = 1e-4


class BandRefiner(Protocol):
    """Refinement applied to band tiles: ``(rgba_crop uint8 (h, w, 4), alpha_crop float32 (h, w)) ->
    float32 (h, w)``; ``margin``: how far (pixels) it may change alpha away from the uncertain band."""

    margin: int

    def __call__(self, rgba: np.ndarray, alpha: np.ndarray) -> np.ndarray: ...


def band_refiner(options: Options, h: int, w: int) -> BandRefiner | None:
    """The refiner ``options.refine`` runs on the band tiles of an ``h x w`` photo: 'edge' (guided
    filter, ``bgcut.guided``), 'matte' (closed-form matting, ``bgcut.trimap_matting``), else None."""
    if options.refine == "edge":
        from .guided import edge_refiner

        return edge_refiner(h, w, options.radius)
    if options.refine == "matte":
        from .trimap_matting import matte_refiner

        return matte_refiner(h, w)
    return None


def supports(rgba: np.ndarray, options: Options) -> bool:
    """Whether the band path gives the full path's result for these options and this photo: no
    full-resolution refinement or edge filters, and an opaque photo (a photo's own partial alpha
    would make every such pixel an edge pixel). ``refine='edge'`` is band refinement itself
    (``postprocess`` passes its ``bgcut.guided.EdgeRefiner``); the full path runs that refiner on
    the whole photo, which agrees with the tiles closely but not byte for byte (each tile fits the
    filter on its own subsampled grid)."""
    if options.refine not in ("none", "edge", "matte") or options.edge_shift != 0 or options.feather != 0:
        return False
    step = max(1, (1 << 22) // max(1, rgba.shape[1]))  # no full-size temporary at 48 MP
    return all(bool((rgba[r0:r0 + step, :, 3] == 255).all()) for r0 in range(0, rgba.shape[0], step))


def certain_bounds(options: Options) -> tuple[float, float]:
    """``(lo, hi)``: mask values at or below ``lo`` end as alpha 0 and at or above ``hi`` as 255, after
    ``options``' threshold (with slack for float rounding)."""
    t = options.threshold
    if t is None:
        return 0.4 / 255 - _SLACK, 254.6 / 255 + _SLACK
    half = options.threshold_softness / 2.0
    return t - half - _SLACK, t + half + _SLACK


def mask_classes(mask: np.ndarray, options: Options) -> np.ndarray:
    """Per mask value: ``BG``, ``FG`` or ``UNSURE`` (int8, the mask's shape)."""
    lo, hi = certain_bounds(options)
    cls = np.full(mask.shape, UNSURE, np.int8)
    cls[mask <= np.float32(lo)] = BG
    cls[mask >= np.float32(hi)] = FG
    return cls


def _tap_span(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output sample, the first and last input sample its taps read (zero weights included)."""
    index, _ = taps(n_in, n_out)
    return index.min(axis=1), index.max(axis=1)


def _widen(lo: np.ndarray, hi: np.ndarray, margin: int) -> tuple[np.ndarray, np.ndarray]:
    """Tap spans of each output sample's ``margin`` neighbourhood (spans are non-decreasing)."""
    if margin <= 0:
        return lo, hi
    n = lo.size
    i = np.arange(n)
    return lo[np.maximum(i - margin, 0)], hi[np.minimum(i + margin, n - 1)]


def _runs(flags: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """``[c0, c1)`` runs of True, joining runs fewer than ``gap`` samples apart."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.view(np.int8), [0]))))
    runs: list[tuple[int, int]] = []
    for c0, c1 in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        if runs and c0 - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], c1)
        else:
            runs.append((c0, c1))
    return runs


def _alpha_tile(mask: np.ndarray, size: tuple[int, int], rows: tuple[int, int], cols: tuple[int, int],
                options: Options) -> np.ndarray:
    """The full path's alpha (refine_alpha with refine='none') on one tile, float32."""
    a = resize(mask, size, rows=rows, cols=cols)
    np.clip(a, 0.0, 1.0, out=a)
    if options.threshold is not None:
        a = apply_threshold(a, options.threshold, options.threshold_softness, inplace=True)
    np.clip(a, 0.0, 1.0, out=a)
    return a


def _fields(work: Any, mask: np.ndarray, options: Options, size: tuple[int, int]) -> BlurFusion:
    """Blur-fusion fields from the working copy and the mask resampled straight to the fields' size
    (no full-resolution alpha): at or below 0.5 MP the same arrays as the full path."""
    h, w = size
    s = work_scale(h, w, defaults.MAX_DECONTAM_WORK_PIXELS)
    low = (-(-h // s), -(-w // s))
    image = work.rgb_at(low)
    image *= np.float32(1.0 / 255.0)
    # The full path upsamples in row bands (rows first); upsample_mask resamples the same way.
    from .postprocessing import upsample_mask

    alpha = upsample_mask(mask, low)
    if options.threshold is not None:
        alpha = apply_threshold(alpha, options.threshold, options.threshold_softness, inplace=True)
    np.clip(alpha, 0.0, 1.0, out=alpha)
    return fields_from_low(image, alpha, defaults.decontam_radii(h, w), (h, w), s)


def band_postprocess(
    rgba: np.ndarray,
    mask: np.ndarray,
    options: Options,
    work: Any,
    refiner: BandRefiner | None = None,
    timings: dict[str, float] | None = None,
) -> np.ndarray:
    """``postprocess`` for options ``supports`` accepts: uint8 (H, W, 4), or (H, W) for alpha output.

    ``mask``: float32 (h, w) in [0, 1] (validated); ``work``: the photo's ``WorkingCopy``.
    ``timings`` also gets ``band_fraction``: the share of the photo's pixels computed in float."""
    clock: Callable[[], float] = time.perf_counter
    t_start = clock()
    spent = {"refine": 0.0, "decontaminate": 0.0}
    tile_pixels = 0
    h, w = rgba.shape[:2]
    mh, mw = mask.shape
    margin = int(getattr(refiner, "margin", 0)) if refiner is not None else 0
    ctx = margin
    cls = mask_classes(mask, options)
    row_lo, row_hi = _tap_span(mh, h)
    col_lo, col_hi = _tap_span(mw, w)
    wide_lo, wide_hi = _widen(col_lo, col_hi, margin)
    rgb_out = options.output == "rgba"
    fields = None
    if rgb_out and options.decontaminate:
        t = clock()
        fields = _fields(work, mask, options, (h, w))
        spent["decontaminate"] += clock() - t
    background = background_bands(rgba, options) if rgb_out else None
    # A refiner that solves the whole photo once (bgcut.trimap_matting) is prepared here and then
    # only read per tile: its tiles need no context of their own.
    tiled = refiner is not None and hasattr(refiner, "prepare") and hasattr(refiner, "tile")
    if tiled:
        t = clock()
        refiner.prepare(rgba, mask, options, work)
        spent["refine"] += clock() - t
        ctx = 0
    out = np.empty((h, w, 4) if rgb_out else (h, w), np.uint8)
    for y0 in range(0, h, BAND_ROWS):
        y1 = min(h, y0 + BAND_ROWS)
        ya, yb = max(0, y0 - margin), min(h, y1 + margin)
        sub = cls[row_lo[ya]:row_hi[yb - 1] + 1]
        cmax, cmin = sub.max(axis=0), sub.min(axis=0)
        # A mask column is unsure when its rows disagree or are unsure; a pixel is certain when every
        # column its taps read is sure and all of them hold the same class.
        unsure = (cmax != cmin) | (cmin == UNSURE)
        cum = np.concatenate(([0], np.cumsum(unsure, dtype=np.int64)))
        change = np.concatenate(([0], np.cumsum(cmax[1:] != cmax[:-1], dtype=np.int64)))
        tile_cols = (cum[wide_hi + 1] - cum[wide_lo] > 0) | (change[wide_hi] - change[wide_lo] > 0)
        solid = cmax[col_lo] == FG  # meaningful where tile_cols is False
        alpha_row = np.where(solid, np.uint8(255), np.uint8(0))
        if not rgb_out:
            out[y0:y1] = alpha_row
        else:
            rgb = rgba[y0:y1, :, :3]
            if background is None:
                out[y0:y1, :, :3] = rgb
                out[y0:y1, :, 3] = alpha_row
            else:
                bg_u8 = to_uint8(background(y0, y1))
                out[y0:y1, :, :3] = np.where(solid[None, :, None], rgb, bg_u8)
                out[y0:y1, :, 3] = 255
        runs = _runs(tile_cols, RUN_GAP)
        if not runs:
            continue
        t = clock()
        tiles = []
        for c0, c1 in runs:
            if refiner is None or tiled:
                a = _alpha_tile(mask, (h, w), (y0, y1), (c0, c1), options)
                if tiled:
                    a = refiner.tile(rgba[y0:y1, c0:c1], a, (y0, y1), (c0, c1))
            else:
                ry0, ry1, rx0, rx1 = max(0, y0 - ctx), min(h, y1 + ctx), max(0, c0 - ctx), min(w, c1 + ctx)
                wide = _alpha_tile(mask, (h, w), (ry0, ry1), (rx0, rx1), options)
                wide = np.asarray(refiner(rgba[ry0:ry1, rx0:rx1], wide), np.float32)
                a = np.clip(wide[y0 - ry0:y1 - ry0, c0 - rx0:c1 - rx0], 0.0, 1.0)
            tiles.append((c0, c1, a, to_uint8(a)))
            tile_pixels += a.size
        spent["refine"] += clock() - t
        if not rgb_out:
            for c0, c1, _, a_u8 in tiles:
                out[y0:y1, c0:c1] = a_u8
            continue
        edge = None
        if fields is not None:
            t = clock()
            picks = [(np.nonzero((a_u8 > 0) & (a_u8 < 255)), c0, a) for c0, _, a, a_u8 in tiles]
            ys = np.concatenate([p[0][0] for p in picks])
            if ys.size:
                xs = np.concatenate([p[1] + c0 for p, c0, _ in picks])
                alphas = np.concatenate([a[p] for p, _, a in picks])
                image = rgba[y0 + ys, xs, :3].astype(np.float32) * np.float32(1.0 / 255.0)
                edge = (ys, xs, foreground_at(fields, (y0, y1), ys, xs, image, alphas))
            spent["decontaminate"] += clock() - t
        if background is None:
            for c0, c1, _, a_u8 in tiles:
                out[y0:y1, c0:c1, 3] = a_u8
            if edge is not None:
                out[y0 + edge[0], edge[1], :3] = to_uint8(edge[2])
            continue
        if edge is not None:
            fg_edge = np.zeros((y1 - y0, w, 3), np.float32)
            has_edge = np.zeros((y1 - y0, w), bool)
            fg_edge[edge[0], edge[1]] = edge[2]
            has_edge[edge[0], edge[1]] = True
        bg_rows = background(y0, y1)
        for c0, c1, a, _ in tiles:
            fg = rgba[y0:y1, c0:c1, :3].astype(np.float32) * np.float32(1.0 / 255.0)
            if edge is not None:
                sel = has_edge[:, c0:c1]
                fg[sel] = fg_edge[:, c0:c1][sel]
            bg = bg_rows[:, c0:c1]
            fg -= bg
            fg *= a[..., None]
            fg += bg
            out[y0:y1, c0:c1, :3] = to_uint8(fg)
    if timings is not None:
        total = clock() - t_start
        timings.update(refine=spent["refine"], decontaminate=spent["decontaminate"],
                       composite=total - spent["refine"] - spent["decontaminate"],
                       band_fraction=tile_pixels / max(1, h * w))
    return out
