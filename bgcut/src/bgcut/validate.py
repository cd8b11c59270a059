"""Validators for the two arrays every entry point takes: the photo and the model's mask."""

from __future__ import annotations

import numpy as np

IMAGE_EXPECTED = "image must be a uint8 array shaped (H, W, 4) or (H, W, 3)"

__all__ = ["IMAGE_EXPECTED", "as_mask", "as_rgba"]


def as_rgba(rgba: np.ndarray) -> np.ndarray:
    """Validate an image as C-contiguous uint8 (H, W, 4); (H, W, 3) gains an opaque alpha."""
    arr = np.asarray(rgba)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(IMAGE_EXPECTED + f", got {arr.dtype} {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"image must be at least 1x1, got shape {arr.shape}")
    if arr.shape[2] == 3:
        full = np.empty((*arr.shape[:2], 4), np.uint8)
        full[..., :3] = arr
        full[..., 3] = 255
        return full
    return np.ascontiguousarray(arr)


def as_mask(mask: np.ndarray) -> np.ndarray:
    """Validate a model mask: (h, w), (1, h, w) or (1, 1, h, w) -> float32 (h, w) in [0, 1], NaN -> 0."""
    arr = np.asarray(mask)
    while arr.ndim > 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1 or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(
            f"mask must be numeric and shaped (h, w), (1, h, w) or (1, 1, h, w), got {np.shape(mask)}"
        )
    out = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    np.clip(out, 0.0, 1.0, out=out)
    return out
