"""Mask-quality metrics: IoU, Boundary IoU (Cheng et al., CVPR 2021), MAE and SAD.

Every function takes the predicted alpha as float in [0, 1] and the ground truth as a boolean (or
0/255) mask of the same (H, W) shape. Binary metrics cut the prediction at 0.5.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

__all__ = ["BAND_FRACTION", "band_width", "binarize_gt", "boundary_iou", "boundary_region", "iou", "mae",
           "sad", "score"]

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
