"""Edge snapping for brush strokes: a weighted colour guided filter (He, Sun & Tang's local linear
model ``m = a . I + b``, fitted by weighted least squares) that spreads a stroke's intent to the
pixels of the brush's rim that look like it.

Labels (what the fit learns from): the stroke's core says "this is the brush's target"
(membership 1); pixels outside the footprint keep what the alpha already says (membership = alpha
for Keep, 1 - alpha for Erase); the rest of the footprint is unlabelled and gets the fitted value.
A tiny weight of membership 1 everywhere decides windows without any label (the user painted
there, and nothing says otherwise). The 3x3 systems are solved with explicit cofactors, element by
element, as in ``bgcut.guided``, so every runtime rounds alike.
"""

from __future__ import annotations

import numpy as np

from .boxfilter import box_mean

__all__ = ["SNAP_CORE", "SNAP_EPS", "SNAP_WINDOW", "fit", "membership"]

# The core (radius SNAP_CORE * r) always takes the brush's target; the snapping acts on the rest.
SNAP_CORE = 0.25
# Window radius of the local linear fit, as a fraction of the brush radius: an unlabelled rim
# pixel (between the core and the footprint's edge, 3r/4 wide) sees labels within r / 2.
SNAP_WINDOW = 0.5
# Regularisation with the guide in [0, 1]: a colour step of a few levels already outweighs it, so
# edges between distinct colours snap, and flat areas fall back to the labels' mean.
SNAP_EPS = 1e-3
# The coefficients' smoothing radius, as a fraction of the fit window's.
SMOOTH_DIVISOR = 4
# Weight of the "membership 1" default every pixel carries.
_DEFAULT_WEIGHT = np.float32(1e-3)


def fit(guide: np.ndarray, weight: np.ndarray, label: np.ndarray, r: int,
        eps: float = SNAP_EPS) -> np.ndarray:
    """Coefficients (h, w, 4) = (a_r, a_g, a_b, b) of the weighted fit of ``label`` by ``guide``
    (float32 (h, w, 3) in [0, 1]; ``weight``, ``label``: float32 (h, w)) over windows of radius
    ``r``, averaged over windows of radius ``r // SMOOTH_DIVISOR`` only: a window that saw labels
    of one side of an edge alone says "everything is that side", and averaging many of those
    across an edge (the plain guided filter's second box) would blur the very edge it should find.
    """
    h, w = weight.shape
    wt = weight + _DEFAULT_WEIGHT
    wm = weight * label + _DEFAULT_WEIGHT
    stack = np.empty((h, w, 14), np.float32)
    stack[..., 0] = wt
    np.multiply(guide, wt[..., None], out=stack[..., 1:4])
    stack[..., 4] = wm
    np.multiply(guide, wm[..., None], out=stack[..., 5:8])
    pairs = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    for k, (i, j) in enumerate(pairs):
        np.multiply(stack[..., 1 + i], guide[..., j], out=stack[..., 8 + k])
    sums = box_mean(stack, r)
    del stack
    inv_w = np.float32(1.0) / sums[..., 0]
    mean_i = sums[..., 1:4] * inv_w[..., None]
    mean_m = sums[..., 4] * inv_w
    cov = sums[..., 5:8] * inv_w[..., None] - mean_i * mean_m[..., None]
    e = np.float32(eps)

    def var(k: int, i: int, j: int) -> np.ndarray:
        return sums[..., 8 + k] * inv_w - mean_i[..., i] * mean_i[..., j]

    rr, rg, rb = var(0, 0, 0) + e, var(1, 0, 1), var(2, 0, 2)
    gg, gb, bb = var(3, 1, 1) + e, var(4, 1, 2), var(5, 2, 2) + e
    c_rr = gg * bb - gb * gb
    c_rg = gb * rb - rg * bb
    c_rb = rg * gb - gg * rb
    c_gg = rr * bb - rb * rb
    c_gb = rb * rg - rr * gb
    c_bb = rr * gg - rg * rg
    det = np.maximum(rr * c_rr + rg * c_rg + rb * c_rb, np.float32(1e-30))
    cr, cg, cb = cov[..., 0], cov[..., 1], cov[..., 2]
    coef = np.empty((h, w, 4), np.float32)
    coef[..., 0] = (c_rr * cr + c_rg * cg + c_rb * cb) / det
    coef[..., 1] = (c_rg * cr + c_gg * cg + c_gb * cb) / det
    coef[..., 2] = (c_rb * cr + c_gb * cg + c_bb * cb) / det
    coef[..., 3] = mean_m - (coef[..., 0] * mean_i[..., 0] + coef[..., 1] * mean_i[..., 1]
                             + coef[..., 2] * mean_i[..., 2])
    return box_mean(coef, r // SMOOTH_DIVISOR)


def membership(coef: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """The fitted membership ``a . I + b`` at full resolution, clipped to [0, 1]: ``coef`` (h, w, 4)
    already sampled at the pixels of ``rgb`` (uint8 (h, w, >=3))."""
    scale = np.float32(1.0 / 255.0)
    m = coef[..., 3].copy()
    for c in range(3):
        m += (coef[..., c] * scale) * rgb[..., c].astype(np.float32)
    np.clip(m, 0.0, 1.0, out=m)
    return m
