"""Everything after the model: the mask upsampled and refined into an alpha, then composited."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import band
from . import options as defaults
from .composite import composite
from .decontam import blur_fusion_fields
from .edges import apply_threshold, feather, shift_edge
from .guided import fast_guided_filter
from .options import Options
from .resize import resize
from .validate import as_mask, as_rgba

__all__ = ["decontaminate_and_composite", "postprocess", "postprocess_full", "refine_alpha", "resolve",
           "upsample_mask"]


def upsample_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear (half-pixel centres) resize of a model mask to ``size``; float32 in [0, 1].

    Filled one band of rows at a time, so the only full-size array is the result (a 48 MP photo
    would otherwise hold several full-size temporaries)."""
    small = as_mask(mask)
    h, w = int(size[0]), int(size[1])
    out = np.empty((h, w), np.float32)
    step = max(1, UPSAMPLE_BAND_PIXELS // max(1, w))
    for r0 in range(0, h, step):
        out[r0:r0 + step] = resize(small, (h, w), rows=(r0, r0 + step))
    np.clip(out, 0.0, 1.0, out=out)
    return out


# About 4 MB of float32 per band.
UPSAMPLE_BAND_PIXELS = 1 << 20


def refine_alpha(rgba: np.ndarray, mask: np.ndarray, options: Options | None = None) -> np.ndarray:
    """Steps before compositing: upsample + guided refinement, threshold, edge shift, feather.
    Returns float32 (H, W) in [0, 1]."""
    options = options or Options()
    rgba = as_rgba(rgba)
    mask = as_mask(mask)
    h, w = rgba.shape[:2]
    if options.refine in ("none", "edge", "matte"):
        alpha = upsample_mask(mask, (h, w))
    else:
        radius = options.radius or defaults.auto_radius(h, w)
        full = options.refine == "guided"
        s = defaults.auto_subsample(h, w, radius, full=full)
        if options.subsample is not None and not full:
            s = max(options.subsample, defaults.auto_subsample(h, w, 1, full=True))
        alpha = fast_guided_filter(rgba, mask, radius, options.eps, s)
    if options.threshold is not None:
        # alpha is ours (fresh from upsampling or the filter), so the ramp may overwrite it.
        alpha = apply_threshold(alpha, options.threshold, options.threshold_softness, inplace=True)
    refiner = band.band_refiner(options, h, w)
    if refiner is not None:
        # The whole photo as one tile; postprocess's band path runs the same refiner on its tiles only.
        alpha = refiner(rgba, alpha)
    alpha = shift_edge(alpha, options.edge_shift)
    alpha = feather(alpha, options.feather)
    np.clip(alpha, 0.0, 1.0, out=alpha)
    return alpha


def postprocess(
    rgba: np.ndarray,
    mask: np.ndarray,
    options: Options | None = None,
    timings: dict[str, float] | None = None,
    work: Any = None,
    refiner: Any = None,
    edits: Any = None,
) -> np.ndarray:
    """Everything after the model: returns C-contiguous uint8 (H, W, 4), or (H, W) for ``output='mask'``.

    ``rgba``: the decoded photo, uint8 (H, W, 4) unpremultiplied (or (H, W, 3)). ``mask``: the
    model's output, float32 in [0, 1], (h, w) or (1, 1, h, w), or a ``bgcut.passes.PlanResult``.
    Pass a dict as ``timings`` to get seconds per step (refine, decontaminate, composite).
    ``work``: the photo's ``bgcut.passes.WorkingCopy`` when the caller has one (a plan's result
    carries it). ``refiner``: a ``bgcut.band.BandRefiner`` run on the edge band's tiles.

    With ``refine='none'``, no edge shift or feather and an opaque photo, only the band around the
    outline is computed in float (``bgcut.band``); the result is identical to the full-resolution
    path, which the other options take.

    ``edits``: touch-up strokes (``bgcut.edits.Edits``, or an edits file as a dict or JSON text for
    this photo's size), applied to the refined alpha before decontamination and compositing; with
    strokes this is ``bgcut.edits.finish(rgba, pre_edit_alpha(...), options, edits)``.
    """
    options = options or Options()
    if edits is not None:
        from . import edits as touchup  # imports this module: import it only when strokes come

        if not isinstance(edits, touchup.Edits):
            edits = touchup.parse_edits(edits, np.shape(rgba)[1], np.shape(rgba)[0])
        if len(edits):
            t0 = time.perf_counter()
            alpha = touchup.pre_edit_alpha(rgba, mask, options, work, refiner)
            if timings is not None:
                timings["refine"] = time.perf_counter() - t0
            return touchup.finish(rgba, alpha, options, edits, timings)
    rgba, mask, work, refiner = resolve(rgba, mask, options, work, refiner)
    if work is not None:
        out = band.band_postprocess(rgba, as_mask(mask), options, work, refiner, timings)
        return np.ascontiguousarray(out)
    return postprocess_full(rgba, mask, options, timings)


def resolve(rgba: np.ndarray, mask: Any, options: Options, work: Any = None,
            refiner: Any = None) -> tuple[np.ndarray, Any, Any, Any]:
    """``postprocess``'s arguments made concrete: the photo as RGBA, the bare mask (a plan's result
    unpacked), the working copy when the band path serves ``options`` (else None: the full path)
    and the edge refiner ``options`` call for."""
    if hasattr(mask, "work") and hasattr(mask, "mask"):
        work = work if work is not None else mask.work
        mask = mask.mask
    rgba = as_rgba(rgba)
    if refiner is None:
        refiner = band.band_refiner(options, rgba.shape[0], rgba.shape[1])
    if not band.supports(rgba, options):
        return rgba, mask, None, refiner
    if work is None:
        from .passes import WorkingCopy

        work = WorkingCopy(rgba)
    return rgba, mask, work, refiner


def postprocess_full(
    rgba: np.ndarray,
    mask: np.ndarray,
    options: Options | None = None,
    timings: dict[str, float] | None = None,
) -> np.ndarray:
    """``postprocess`` computed at full resolution everywhere (every option; the band path's
    reference)."""
    options = options or Options()
    clock: Callable[[], float] = time.perf_counter
    t0 = clock()
    rgba = as_rgba(rgba)
    alpha = refine_alpha(rgba, mask, options)
    if timings is not None:
        timings["refine"] = clock() - t0
    return decontaminate_and_composite(rgba, alpha, options, timings)


def decontaminate_and_composite(rgba: np.ndarray, alpha: np.ndarray, options: Options,
                                timings: dict[str, float] | None = None) -> np.ndarray:
    """The last steps on a finished float alpha (H, W): the edge band's colours re-estimated (RGBA
    output with ``decontaminate``) and the background composited; C-contiguous uint8."""
    clock: Callable[[], float] = time.perf_counter
    t1 = clock()
    fields = None
    if options.decontaminate and options.output == "rgba":
        h, w = alpha.shape
        radii = defaults.decontam_radii(h, w)
        fields = blur_fusion_fields(rgba, alpha, radii, defaults.MAX_DECONTAM_WORK_PIXELS)
    t2 = clock()
    out = composite(rgba, alpha, options, fields)
    if timings is not None:
        timings.update(decontaminate=t2 - t1, composite=clock() - t2)
    return np.ascontiguousarray(out)
