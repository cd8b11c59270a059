"""Mask-quality metrics: IoU, Boundary IoU (Cheng et al., CVPR 2021), MAE and SAD against binary
masks, and the matting metrics (SAD, MSE, gradient error, soft-band MAE) against soft alpha mattes.

Every function takes the predicted alpha as float in [0, 1] and the ground truth of the same (H, W)
shape. The binary metrics take a boolean (or 0/255) mask and cut the prediction at 0.5; the matting
metrics (``matting_*``, ``soft_band``) take the soft ground truth as uint8 0..255 or float in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

__all__ = ["BAND_FRACTION", "GRADIENT_SIGMA", "SOFT_BAND_DILATION", "band_width", "binarize_gt",
           "boundary_iou", "boundary_region", "iou", "mae", "matting_gradient", "matting_mse", "matting_sad",
           "matting_score", "sad", "score", "soft_alpha", "soft_band", "soft_band_bias", "soft_band_mae"]

# Cheng et al.'s default: the band is 2% of the image diagonal.
BAND_FRACTION = 0.02


def binarize_gt(gt: np.ndarray) -> np.ndarray:
    """Boolean ground truth from a 0/255 (or 0/1, or boolean) mask."""
    gt = np.asarray(gt)
    if gt.dtype == bool:
        return gt
    top = 255 if gt.max(initial=0) > 1 else 1
    return gt >= top / 2


def _check(alpha: np.ndarray, gt: np.ndarray) -> None:
    if alpha.shape != gt.shape or alpha.ndim != 2:
        raise ValueError(f"alpha {alpha.shape} and gt {gt.shape} must be the same (H, W) shape")


def iou(alpha: np.ndarray, gt: np.ndarray, cut: float = 0.5) -> float:
    """Intersection over union of ``alpha >= cut`` and ``gt``; 1.0 when both are empty."""
    _check(alpha, gt)
    pred = alpha >= cut
    g = binarize_gt(gt)
    union = np.count_nonzero(pred | g)
    return 1.0 if union == 0 else np.count_nonzero(pred & g) / union


def band_width(h: int, w: int, fraction: float = BAND_FRACTION) -> int:
    """Boundary band width d in pixels: ``round(fraction * diagonal)``, at least 1."""
    return max(1, round(fraction * math.hypot(h, w)))


def boundary_region(mask: np.ndarray, d: int) -> np.ndarray:
    """Pixels of ``mask`` within distance ``d`` of its contour (``mask & G_d`` in Cheng et al.).

    Matches the reference implementation, which erodes ``d`` times with a 3x3 square after padding
    with zeros: a pixel is in the band when its chessboard distance to the nearest background pixel
    (the outside of the image counts as background) is at most ``d``.
    """
    padded = np.pad(mask.astype(bool), 1, constant_values=False)
    dist = ndimage.distance_transform_cdt(padded, metric="chessboard")[1:-1, 1:-1]
    return mask.astype(bool) & (dist <= d)


def boundary_iou(alpha: np.ndarray, gt: np.ndarray, d: int | None = None, cut: float = 0.5) -> float:
    """Boundary IoU: IoU of the two masks' inner boundary bands; ``d`` defaults to 2% of the diagonal."""
    _check(alpha, gt)
    d = band_width(*gt.shape) if d is None else d
    pb = boundary_region(alpha >= cut, d)
    gb = boundary_region(binarize_gt(gt), d)
    union = np.count_nonzero(pb | gb)
    return 1.0 if union == 0 else np.count_nonzero(pb & gb) / union


def mae(alpha: np.ndarray, gt: np.ndarray) -> float:
    """Mean absolute difference between the soft alpha and the 0/1 ground truth."""
    _check(alpha, gt)
    return float(np.mean(np.abs(alpha.astype(np.float64) - binarize_gt(gt))))


def sad(alpha: np.ndarray, gt: np.ndarray) -> float:
    """Sum of absolute differences, in thousands (the matting literature's unit)."""
    _check(alpha, gt)
    return float(np.sum(np.abs(alpha.astype(np.float64) - binarize_gt(gt)))) / 1000.0


def score(alpha: np.ndarray, gt: np.ndarray) -> dict[str, float]:
    """All four metrics for one image."""
    return {"iou": iou(alpha, gt), "biou": boundary_iou(alpha, gt), "mae": mae(alpha, gt),
            "sad": sad(alpha, gt)}


# Soft ground truth: the band of "hair" pixels is the GT's fractional pixels grown by this radius.
SOFT_BAND_DILATION = 3
# Rhemann et al. (CVPR 2009) gradient error: first-order Gaussian derivatives with this sigma.
GRADIENT_SIGMA = 1.4


def soft_alpha(gt: np.ndarray) -> np.ndarray:
    """Soft ground truth as float64 in [0, 1] (uint8 is read as 0..255, floats as 0..1)."""
    gt = np.asarray(gt)
    if gt.dtype == bool:
        return gt.astype(np.float64)
    if np.issubdtype(gt.dtype, np.integer):
        return gt.astype(np.float64) / 255.0
    return np.clip(gt.astype(np.float64), 0.0, 1.0)


def soft_band(gt: np.ndarray, dilation: int = SOFT_BAND_DILATION) -> np.ndarray:
    """Ground-truth pixels strictly between 0 and 1, dilated by a disc of radius ``dilation`` pixels."""
    a = soft_alpha(gt)
    fractional = (a > 0.0) & (a < 1.0)
    if dilation <= 0 or not fractional.any():
        return fractional
    # Euclidean distance to the nearest fractional pixel, so the band grows by a disc, not a square.
    return ndimage.distance_transform_edt(~fractional) <= dilation


def matting_sad(alpha: np.ndarray, gt: np.ndarray) -> float:
    """Sum of absolute differences against the soft ground truth, in thousands."""
    _check(alpha, gt)
    return float(np.sum(np.abs(alpha.astype(np.float64) - soft_alpha(gt)))) / 1000.0


def matting_mse(alpha: np.ndarray, gt: np.ndarray) -> float:
    """Mean squared error against the soft ground truth (alpha in [0, 1]; tables show it x1000)."""
    _check(alpha, gt)
    d = alpha.astype(np.float64) - soft_alpha(gt)
    return float(np.mean(d * d))


def matting_gradient(alpha: np.ndarray, gt: np.ndarray, sigma: float = GRADIENT_SIGMA) -> float:
    """Gradient error (Rhemann et al. 2009): sum over the image of the squared difference of the
    Gaussian-derivative gradient magnitudes, alpha in [0, 1], in thousands."""
    _check(alpha, gt)
    gp = ndimage.gaussian_gradient_magnitude(alpha.astype(np.float64), sigma)
    gg = ndimage.gaussian_gradient_magnitude(soft_alpha(gt), sigma)
    return float(np.sum((gp - gg) ** 2)) / 1000.0


def soft_band_mae(alpha: np.ndarray, gt: np.ndarray, dilation: int = SOFT_BAND_DILATION) -> float:
    """Mean absolute alpha error inside :func:`soft_band`; NaN when the ground truth has no soft pixel."""
    _check(alpha, gt)
    band = soft_band(gt, dilation)
    if not band.any():
        return float("nan")
    return float(np.mean(np.abs(alpha.astype(np.float64)[band] - soft_alpha(gt)[band])))


def soft_band_bias(alpha: np.ndarray, gt: np.ndarray, dilation: int = SOFT_BAND_DILATION) -> float:
    """Mean *signed* alpha error inside :func:`soft_band` (> 0: too opaque there, the outline too far
    out); NaN when the ground truth has no soft pixel."""
    _check(alpha, gt)
    band = soft_band(gt, dilation)
    if not band.any():
        return float("nan")
    return float(np.mean(alpha.astype(np.float64)[band] - soft_alpha(gt)[band]))


def matting_score(alpha: np.ndarray, gt: np.ndarray) -> dict[str, float]:
    """The matting metrics for one image against soft ground truth, plus IoU of both cut at 0.5."""
    a = soft_alpha(gt)
    return {"sad": matting_sad(alpha, gt), "mse": matting_mse(alpha, gt), "grad": matting_gradient(alpha, gt),
            "band_mae": soft_band_mae(alpha, gt), "iou": iou(alpha, a >= 0.5)}
