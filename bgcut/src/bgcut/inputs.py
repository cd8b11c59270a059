"""The model's input tensor: float32 [1, 3, h, w], RGB in [0, 1] (docs/ARCHITECTURE.md, model contract)."""

from __future__ import annotations

import numpy as np

from .resize import resize
from .validate import IMAGE_EXPECTED

__all__ = ["model_input", "to_tensor"]


def to_tensor(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``rgb`` (uint8 or float32 in 0..255, (H, W, 3)) resampled to ``size = (h, w)`` as the model's
    input tensor."""
    small = resize(rgb, size)
    small *= np.float32(1.0 / 255.0)
    np.clip(small, 0.0, 1.0, out=small)
    return np.ascontiguousarray(small.transpose(2, 0, 1)[None])


def model_input(rgba: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The model's input: float32 [1, 3, h, w] RGB in [0, 1], area-downscaled (or bilinearly enlarged)
    from ``rgba`` (uint8 (H, W, 3|4)) to ``size = (h, w)``."""
    arr = np.asarray(rgba)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] not in (3, 4) or 0 in arr.shape:
        raise ValueError(IMAGE_EXPECTED + f", got {arr.dtype} {arr.shape}")
    h, w = int(size[0]), int(size[1])
    if h < 1 or w < 1:
        raise ValueError(f"model input size must be positive, got {size}")
    return to_tensor(arr[..., :3], (h, w))
