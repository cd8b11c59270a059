"""Agreement measures between two masks."""

from __future__ import annotations

import numpy as np


def mask_iou(a: np.ndarray, b: np.ndarray, threshold: float = 0.5) -> float:
    """IoU of the two masks binarized at `threshold`; two empty masks agree perfectly."""
    fa, fb = a > threshold, b > threshold
    union = np.logical_or(fa, fb).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(fa, fb).sum() / union)


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())
