"""Colour-projection matting inside an automatic trimap band (NumPy only).

The trimap comes from the current alpha: pixels at least ``band`` pixels inside the 0.5 contour are
sure foreground, at least ``band`` pixels outside are sure background, the rest is unknown. For each
unknown pixel the local foreground colour F and background colour B are the box means of the sure
pixels around it, and alpha is the projection of the pixel colour onto the segment B -> F
(the estimate used by sampling-based matting, e.g. Gastal & Oliveira 2010, with mean samples).
Where F and B are too close in colour to separate, the input alpha is kept: the blend weight grows
with |F - B|^2.
"""

from __future__ import annotations

import math

import numpy as np

from .boxfilter import box_mean, max_filter, min_filter
from .resize import resize

__all__ = ["project_alpha"]

_TINY = np.float32(1e-6)


def project_alpha(
    rgba: np.ndarray,
    alpha: np.ndarray,
    band: int,
    separation: float = 0.01,
    max_work_pixels: int = 1_000_000,
) -> np.ndarray:
    """Refine ``alpha`` (float32 (H, W) in [0, 1], same size as ``rgba``) inside the unknown band.

    ``band``: half-width of the unknown region in full-resolution pixels. ``separation``: the
    squared RGB distance (colours in [0, 1]) at which the projected alpha gets half the weight.
    Works at a size of at most ``max_work_pixels`` and returns float32 (H, W).
    """
    h, w = alpha.shape
    s = max(1, math.ceil(math.sqrt(h * w / max_work_pixels)))
    size = (-(-h // s), -(-w // s))
    img = resize(rgba[..., :3], size) * np.float32(1.0 / 255.0) if s > 1 else (
        rgba[..., :3].astype(np.float32) * np.float32(1.0 / 255.0))
    a = resize(alpha, size) if s > 1 else alpha.astype(np.float32, copy=False)
    r = max(1, round(band / s))
    fg = (a >= 0.5).astype(np.float32)
    sure_fg = min_filter(fg, r)
    sure_bg = np.float32(1.0) - max_filter(fg, r)
    unknown = (sure_fg < 0.5) & (sure_bg < 0.5)
    # An unknown pixel lies within 2r of both sure regions (the band is 2r wide), so a window of
    # radius 2r + 1 always holds samples of both kinds.
    reach = 2 * r + 1
    stack = np.empty((*size, 8), np.float32)
    np.multiply(img, sure_fg[..., None], out=stack[..., 0:3])
    np.multiply(img, sure_bg[..., None], out=stack[..., 3:6])
    stack[..., 6] = sure_fg
    stack[..., 7] = sure_bg
    means = box_mean(stack, reach)
    del stack
    wf = means[..., 6:7]
    wb = means[..., 7:8]
    f_col = means[..., 0:3] / (wf + _TINY)
    b_col = means[..., 3:6] / (wb + _TINY)
    if s > 1:
        f_col = resize(f_col, (h, w))
        b_col = resize(b_col, (h, w))
        unknown = resize(unknown.astype(np.float32), (h, w)) > 0
        ok = (resize(wf[..., 0], (h, w)) > 0) & (resize(wb[..., 0], (h, w)) > 0)
        img = rgba[..., :3].astype(np.float32) * np.float32(1.0 / 255.0)
    else:
        ok = (wf[..., 0] > 0) & (wb[..., 0] > 0)
    ys, xs = np.nonzero(unknown & ok)
    out = alpha.astype(np.float32, copy=True)
    if ys.size == 0:
        return out
    fb = f_col[ys, xs] - b_col[ys, xs]
    ib = img[ys, xs] - b_col[ys, xs]
    d2 = np.sum(fb * fb, axis=1)
    proj = np.clip(np.sum(ib * fb, axis=1) / (d2 + _TINY), 0.0, 1.0)
    weight = d2 / (d2 + np.float32(separation))
    out[ys, xs] = weight * proj + (np.float32(1.0) - weight) * out[ys, xs]
    np.clip(out, 0.0, 1.0, out=out)
    return out
