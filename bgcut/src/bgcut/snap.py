"""Edge snapping for brush strokes: a class-balanced, weighted colour guided filter (He, Sun &
Tang's local linear model ``q = a . I + b``, fitted by weighted least squares) that tells, for each
pixel of the brush's rim, whether it looks like the stroke's core or like what lies outside.

Labels (what the fit learns from): the stroke's core says "this is the brush's target"
(membership 1); pixels outside the footprint keep what the alpha already says (membership = alpha
for Keep, 1 - alpha for Erase); the rest of the footprint is unlabelled and gets the fitted value.
Within each window the two classes (membership 1 and 0, soft labels split between them) weigh the
same, however many pixels each has, so the fit says 1/2 where colour does not separate them; the
brush paints there (``membership`` maps [0.15, 1/2] to [0, 1]): snapping only holds paint back from
pixels whose colour says they belong to the other side. A class with few samples in a window
(below ``CLASS_FLOOR`` of it) weighs proportionally less, and a tiny weight of membership 1
everywhere decides windows with no label at all. The 3x3 systems are solved with explicit
cofactors, element by element, as in ``bgcut.guided``, so every runtime rounds alike.
"""

from __future__ import annotations

import numpy as np

from .boxfilter import box_mean
from .guided import solve_coefficients

__all__ = ["SNAP_CORE", "SNAP_EPS", "SNAP_WINDOW", "fit", "membership"]

# The core (radius SNAP_CORE * r) always takes the brush's target; the snapping acts on the rest.
# Chosen with the window on the dev set's tuning half (bench/edits_quality.py: simulated dabs that
# spill over the true outline by a third to two thirds of their radius; 0.25 to 0.55 tried).
SNAP_CORE = 0.4
# Window radius of the local linear fit, as a fraction of the brush radius: an unlabelled rim
# pixel (between the core and the footprint's edge, 0.6 r wide) sees labels of both kinds within
# its window, or through the coefficients' smoothing (0.5 to 1.0 tried).
SNAP_WINDOW = 0.5
# Regularisation with the guide in [0, 1]: a colour step of a few levels already outweighs it, so
# edges between distinct colours snap; sensor noise (~4 levels, variance 2.5e-4) does not.
SNAP_EPS = 1e-3
# The coefficients' smoothing radius, as a fraction of the fit window's.
SMOOTH_DIVISOR = 4
# Share of a window below which a class's weight shrinks in proportion (a few stray samples do not
# get half the say).
CLASS_FLOOR = np.float32(0.005)
# Fitted values at or below this are the other side outright (the fit's leftovers from noise and
# rounding would otherwise tint a few percent of paint over it).
OTHER_SIDE = 0.15
# Weight of the "membership 1" default every pixel carries.
_DEFAULT_WEIGHT = np.float32(1e-3)
_PAIRS = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))


def _class_sums(guide: np.ndarray, w: np.ndarray, r: int) -> np.ndarray:
    """Box means of (w, w I (3), w I I^T (6 unique)) -> (h, w, 10)."""
    h, wd = w.shape
    stack = np.empty((h, wd, 10), np.float32)
    stack[..., 0] = w
    np.multiply(guide, w[..., None], out=stack[..., 1:4])
    for k, (i, j) in enumerate(_PAIRS):
        np.multiply(stack[..., 1 + i], guide[..., j], out=stack[..., 4 + k])
    return box_mean(stack, r)


def fit(guide: np.ndarray, weight: np.ndarray, label: np.ndarray, r: int,
        eps: float | None = None) -> np.ndarray:
    """Coefficients (h, w, 4) = (a_r, a_g, a_b, b) of the class-balanced weighted fit of ``label`` by
    ``guide`` (float32 (h, w, 3) in [0, 1]; ``weight``, ``label``: float32 (h, w)) over windows of
    radius ``r``, averaged over windows of radius ``r // SMOOTH_DIVISOR`` only: a window that saw
    one side of an edge alone says "everything is that side", and averaging many of those across
    an edge (the plain guided filter's second box) would blur the very edge it should find.
    """
    pos = _class_sums(guide, weight * label + _DEFAULT_WEIGHT, r)
    neg = _class_sums(guide, weight * (np.float32(1.0) - label), r)
    # Balanced: each class's sums divided by its own weight, halved; below the floor, in proportion.
    alpha = np.float32(0.5) / np.maximum(pos[..., 0], CLASS_FLOOR)
    beta = np.float32(0.5) / np.maximum(neg[..., 0], CLASS_FLOOR)
    s = pos * alpha[..., None] + neg * beta[..., None]
    del neg
    inv = np.float32(1.0) / s[..., 0]
    mean_i = s[..., 1:4] * inv[..., None]
    # Label sums: positives carry label 1 and negatives 0, so sum(w m) = the positive weight.
    mean_m = pos[..., 0] * alpha * inv
    cov = pos[..., 1:4] * (alpha * inv)[..., None] - mean_i * mean_m[..., None]
    e = np.float32(SNAP_EPS if eps is None else eps)

    def var(k: int, i: int, j: int) -> np.ndarray:
        return s[..., 4 + k] * inv - mean_i[..., i] * mean_i[..., j]

    rr, rg, rb = var(0, 0, 0) + e, var(1, 0, 1), var(2, 0, 2)
    gg, gb, bb = var(3, 1, 1) + e, var(4, 1, 2), var(5, 2, 2) + e
    coef = solve_coefficients((rr, rg, rb, gg, gb, bb), cov, mean_i, mean_m)
    return box_mean(coef, r // SMOOTH_DIVISOR)


def membership(coef: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """How much of the brush a pixel takes, in [0, 1]: the fit ``a . I + b`` at full resolution
    (``coef`` (h, w, 4) already sampled at the pixels of ``rgb``, uint8 (h, w, >=3)), where 1/2 (colour
    cannot tell) and above paint fully, and ``OTHER_SIDE`` (the other side's colour) and below not
    at all."""
    scale = np.float32(1.0 / 255.0)
    m = coef[..., 3].copy()
    for c in range(3):
        m += (coef[..., c] * scale) * rgb[..., c].astype(np.float32)
    m -= np.float32(OTHER_SIDE)
    m *= np.float32(1.0 / (0.5 - OTHER_SIDE))
    np.clip(m, 0.0, 1.0, out=m)
    return m
