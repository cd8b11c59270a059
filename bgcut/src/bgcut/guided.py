"""Guided filter with a colour guide (He, Sun & Tang 2010/2013) and its fast variant (He & Sun 2015).

The fast variant fits the local linear model ``q = a . I + b`` on a subsampled guide and mask,
then upsamples the smooth coefficient fields and applies them to the full-resolution guide in
horizontal bands, so the only full-size arrays are the input image and the resulting alpha.

``EdgeRefiner`` is the soft-edge (hair, fur) refinement run only on the outline's band tiles
(``bgcut.band``): the fast guided filter of the already thresholded alpha crop, then a gentle ramp
that re-centres the filtered edge on 0.5. Chosen on the matting-dev tuning half (docs/QUALITY.md).
"""

from __future__ import annotations

import numpy as np

from . import options as defaults
from .boxfilter import box_mean
from .edges import apply_threshold
from .resize import resize

__all__ = ["EdgeRefiner", "apply_coefficients", "edge_refiner", "fast_guided_filter", "guided_coefficients",
           "guided_filter"]

# Rows per band when applying coefficients: keeps each float32 temporary near 16 MB.
_BAND_ELEMENTS = 1 << 22


def guided_coefficients(guide: np.ndarray, p: np.ndarray, r: int, eps: float) -> np.ndarray:
    """Box-averaged linear coefficients ``(h, w, 4)`` = (a_r, a_g, a_b, b) such that q = a . I + b.

    ``guide`` is float32 ``(h, w, 3)`` in [0, 1], ``p`` float32 ``(h, w)``. The 3x3 covariance is
    inverted with explicit cofactors (element-wise, no LAPACK) so every runtime rounds alike.
    """
    h, w = p.shape
    g = guide.astype(np.float32, copy=False)
    p = p.astype(np.float32, copy=False)
    stack = np.empty((h, w, 13), np.float32)
    stack[..., 0:3] = g
    stack[..., 3] = p
    stack[..., 4:7] = g * p[..., None]
    pairs = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    for k, (i, j) in enumerate(pairs):
        np.multiply(g[..., i], g[..., j], out=stack[..., 7 + k])
    means = box_mean(stack, r)
    del stack
    mean_i = means[..., 0:3]
    mean_p = means[..., 3]
    cov_ip = means[..., 4:7] - mean_i * mean_p[..., None]
    eps32 = np.float32(eps)
    rr = means[..., 7] - mean_i[..., 0] * mean_i[..., 0] + eps32
    rg = means[..., 8] - mean_i[..., 0] * mean_i[..., 1]
    rb = means[..., 9] - mean_i[..., 0] * mean_i[..., 2]
    gg = means[..., 10] - mean_i[..., 1] * mean_i[..., 1] + eps32
    gb = means[..., 11] - mean_i[..., 1] * mean_i[..., 2]
    bb = means[..., 12] - mean_i[..., 2] * mean_i[..., 2] + eps32
    coef = solve_coefficients((rr, rg, rb, gg, gb, bb), cov_ip, mean_i, mean_p)
    return box_mean(coef, r)


def solve_coefficients(
    sigma: tuple[np.ndarray, ...], cov: np.ndarray, mean_i: np.ndarray, mean_p: np.ndarray
) -> np.ndarray:
    """Per-pixel linear model ``p = a . I + b`` of a guided fit: float32 (h, w, 4) holding ``a``
    (3) and ``b``. ``sigma``: the guide's 3x3 covariance (plus the regulariser) as its six
    distinct entries ``(rr, rg, rb, gg, gb, bb)``; ``cov``: (h, w, 3) covariance of guide and
    target; ``mean_i`` (h, w, 3) and ``mean_p`` (h, w): the window means. Solved by cofactors
    (closed form, element-wise, no BLAS: the same rounding in CPython and Pyodide)."""
    rr, rg, rb, gg, gb, bb = sigma
    inv_rr = gg * bb - gb * gb
    inv_rg = gb * rb - rg * bb
    inv_rb = rg * gb - gg * rb
    inv_gg = rr * bb - rb * rb
    inv_gb = rb * rg - rr * gb
    inv_bb = rr * gg - rg * rg
    det = rr * inv_rr + rg * inv_rg + rb * inv_rb
    # Sigma + eps*I is positive definite, but guard against float32 underflow on flat regions.
    det = np.maximum(det, np.float32(1e-30))
    cr, cg, cb = cov[..., 0], cov[..., 1], cov[..., 2]
    coef = np.empty((*mean_p.shape, 4), np.float32)
    coef[..., 0] = (inv_rr * cr + inv_rg * cg + inv_rb * cb) / det
    coef[..., 1] = (inv_rg * cr + inv_gg * cg + inv_gb * cb) / det
    coef[..., 2] = (inv_rb * cr + inv_gb * cg + inv_bb * cb) / det
    coef[..., 3] = mean_p - (coef[..., 0] * mean_i[..., 0] + coef[..., 1] * mean_i[..., 1]
                             + coef[..., 2] * mean_i[..., 2])
    return coef


def apply_coefficients(coef: np.ndarray, guide: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``q = a . (guide * scale) + b`` for same-sized ``coef (h, w, 4)`` and ``guide (h, w, >=3)``."""
    a_scale = np.float32(scale)
    q = coef[..., 3].copy()
    for c in range(3):
        q += (coef[..., c] * a_scale) * guide[..., c].astype(np.float32, copy=False)
    return q


def guided_filter(guide: np.ndarray, p: np.ndarray, r: int, eps: float) -> np.ndarray:
    """Full-resolution colour guided filter of ``p`` (float32 (h, w)) by ``guide`` ((h, w, 3), [0, 1])."""
    coef = guided_coefficients(guide, p, r, eps)
    return apply_coefficients(coef, guide)


def fast_guided_filter(
    rgba: np.ndarray,
    mask: np.ndarray,
    r: int,
    eps: float,
    s: int,
) -> np.ndarray:
    """Fast guided filter: fit at 1/``s`` resolution, apply at the size of ``rgba`` (uint8 (H, W, >=3)).

    ``mask`` may have any size (typically the model's output); it is resampled straight to the
    working size, so the full-resolution unrefined mask is never built. ``r`` is in full-resolution
    pixels. Returns float32 alpha ``(H, W)`` clipped to [0, 1].
    """
    h_full, w_full = rgba.shape[:2]
    s = max(1, int(s))
    h_low, w_low = -(-h_full // s), -(-w_full // s)
    r_low = max(1, round(r / s))
    guide_low = resize(rgba[..., :3], (h_low, w_low))
    guide_low *= np.float32(1.0 / 255.0)
    p_low = np.clip(resize(mask, (h_low, w_low)), 0.0, 1.0)
    coef = guided_coefficients(guide_low, p_low, r_low, eps)
    del guide_low, p_low
    alpha = np.empty((h_full, w_full), np.float32)
    band = max(1, _BAND_ELEMENTS // max(1, 4 * w_full))
    for r0 in range(0, h_full, band):
        r1 = min(h_full, r0 + band)
        coef_band = resize(coef, (h_full, w_full), rows=(r0, r1))
        q = apply_coefficients(coef_band, rgba[r0:r1], 1.0 / 255.0)
        np.clip(q, 0.0, 1.0, out=alpha[r0:r1])
    return alpha


class EdgeRefiner:
    """Guided-filter refinement of an alpha crop, for the band tiles of ``bgcut.band`` (or a whole photo).

    ``radius``: guided-filter radius in full-resolution pixels; ``eps``: its regularisation (guide
    in [0, 1]); ``subsample``: fit at 1/``subsample`` resolution; ``threshold``/``softness``: the
    smoothstep ramp applied afterwards (None: none). ``margin``: how far from a pixel the result can
    still depend on the input (two box windows plus one subsampled pixel), so a tile widened by it
    gives the same interior as the whole photo would, up to float rounding.
    """

    def __init__(self, radius: int, eps: float, subsample: int = 1, threshold: float | None = None,
                 softness: float = 0.0) -> None:
        if radius < 1 or subsample < 1 or eps <= 0:
            raise ValueError(f"EdgeRefiner needs radius >= 1, subsample >= 1, eps > 0; got {radius}, "
                             f"{subsample}, {eps}")
        self.radius = int(radius)
        self.eps = float(eps)
        self.subsample = int(subsample)
        self.threshold = threshold
        self.softness = float(softness)
        self.margin = 2 * self.radius + 2 * self.subsample

    def __call__(self, rgba: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """``rgba``: uint8 (h, w, >=3) crop; ``alpha``: float32 (h, w) in [0, 1] -> float32 (h, w)."""
        a = fast_guided_filter(rgba, np.asarray(alpha, np.float32), self.radius, self.eps, self.subsample)
        if self.threshold is not None:
            a = apply_threshold(a, self.threshold, self.softness, inplace=True)
        np.clip(a, 0.0, 1.0, out=a)
        return a


def edge_refiner(h: int, w: int, radius: int | None = None) -> EdgeRefiner:
    """The ``refine='edge'`` refiner for an ``h x w`` photo, from the defaults in ``bgcut.options``
    (``radius``: full-resolution pixels, None = ``EDGE_RADIUS_FRACTION`` of the long side, at most
    ``EDGE_RADIUS_MAX``)."""
    r = radius or min(defaults.EDGE_RADIUS_MAX,
                      max(defaults.GUIDED_RADIUS_MIN, round(max(h, w) * defaults.EDGE_RADIUS_FRACTION)))
    s = max(1, r // defaults.EDGE_SUBSAMPLE_PER_RADIUS)
    return EdgeRefiner(r, defaults.EDGE_EPS, s, defaults.EDGE_THRESHOLD, defaults.EDGE_SOFTNESS)
