"""Alpha edge shaping: threshold (hard or soft), grow/shrink, feather. All in place-friendly float32."""

from __future__ import annotations

import numpy as np

from .boxfilter import box_mean, max_filter, min_filter

__all__ = ["apply_threshold", "feather", "shift_edge"]


def apply_threshold(
    alpha: np.ndarray, threshold: float, softness: float = 0.0, inplace: bool = False
) -> np.ndarray:
    """Map alpha through a step at ``threshold`` (``softness == 0``) or a smoothstep ramp of width
    ``softness`` centred on it. Polynomial only (no exp), so every runtime rounds identically.
    ``inplace``: overwrite ``alpha`` (float32) instead of allocating, for full-resolution callers."""
    alpha = np.asarray(alpha, dtype=np.float32)
    if softness <= 0.0:
        return (alpha >= np.float32(threshold)).astype(np.float32)
    lo = np.float32(threshold - softness / 2.0)
    x = np.subtract(alpha, lo, out=alpha) if inplace and alpha.dtype == np.float32 else alpha - lo
    x *= np.float32(1.0 / softness)
    np.clip(x, 0.0, 1.0, out=x)
    # smoothstep 3x^2 - 2x^3, evaluated as (x * x) * (3 - 2x) in place, one band of rows at a time:
    # whole-image temporaries would cost 16 bytes per pixel at 48 MP.
    rows = max(1, _BAND_PIXELS // max(1, x.shape[-1])) if x.ndim == 2 else x.shape[0] or 1
    for r0 in range(0, max(1, x.shape[0]), rows):
        band = x[r0:r0 + rows]
        square = band * band
        band *= np.float32(-2.0)
        band += np.float32(3.0)
        band *= square
    return x


# Rows per in-place band are chosen so one band's temporary stays near 4 MB.
_BAND_PIXELS = 1 << 20


def shift_edge(alpha: np.ndarray, pixels: int) -> np.ndarray:
    """Grow (``pixels > 0``, dilation) or shrink (``pixels < 0``, erosion) the alpha by a square of
    radius ``|pixels|``; soft edges move with the matte instead of being binarised."""
    if pixels > 0:
        return max_filter(alpha, pixels)
    if pixels < 0:
        return min_filter(alpha, -pixels)
    return np.asarray(alpha, dtype=np.float32)


def feather(alpha: np.ndarray, pixels: int) -> np.ndarray:
    """Soften the edge with two box blurs of radius ``pixels`` (a tent kernel ``4 * pixels + 1`` wide)."""
    if pixels <= 0:
        return np.asarray(alpha, dtype=np.float32)
    out = box_mean(box_mean(alpha, pixels), pixels)
    np.clip(out, 0.0, 1.0, out=out)
    return out
