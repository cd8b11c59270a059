"""Separable resampling: area average when shrinking, bilinear (half-pixel centres) when enlarging.

Every output sample along one axis is a short weighted sum of input samples ("taps"). The taps are
computed once per (n_in, n_out) pair in float64 and applied in float32 with plain element-wise
NumPy ops in a fixed order, so CPython and Pyodide (wasm32) produce bit-identical results and no
BLAS is involved. Work and memory are proportional to the input size plus the output size.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["resize", "taps"]


@lru_cache(maxsize=64)
def taps(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(index, weight)``, both shaped ``(n_out, K)``, mapping ``n_in`` samples to ``n_out``.

    Shrinking uses exact box (area) weights: output sample ``i`` averages the input interval
    ``[i * n_in / n_out, (i + 1) * n_in / n_out)``. Enlarging (or equal size) uses bilinear weights
    with half-pixel centres, i.e. PyTorch's ``align_corners=False`` with edge clamping.
    Unused taps have weight 0 and a valid index, so callers never need masking.
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f"resize sizes must be >= 1, got {n_in} -> {n_out}")
    if n_out >= n_in:
        x = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
        x = np.clip(x, 0.0, n_in - 1)
        j0 = np.floor(x).astype(np.int64)
        j1 = np.minimum(j0 + 1, n_in - 1)
        frac = x - j0
        index = np.stack([j0, j1], axis=1)
        weight = np.stack([1.0 - frac, frac], axis=1)
    else:
        scale = n_in / n_out
        i = np.arange(n_out, dtype=np.float64)
        lo = i * n_in / n_out
        hi = (i + 1) * n_in / n_out
        first = np.floor(lo).astype(np.int64)
        k = int(np.ceil(scale)) + 1
        index = first[:, None] + np.arange(k)[None, :]
        overlap = np.minimum(hi[:, None], index + 1.0) - np.maximum(lo[:, None], index.astype(np.float64))
        weight = np.clip(overlap, 0.0, None) / scale
        valid = index < n_in
        weight = np.where(valid, weight, 0.0)
        index = np.minimum(index, n_in - 1)
        # Renormalise so that float64 rounding never lets a constant image drift.
        weight /= weight.sum(axis=1, keepdims=True)
    index = np.ascontiguousarray(index, dtype=np.intp)
    weight = np.ascontiguousarray(weight, dtype=np.float32)
    index.setflags(write=False)
    weight.setflags(write=False)
    return index, weight


def _apply(src: np.ndarray, index: np.ndarray, weight: np.ndarray, axis: int) -> np.ndarray:
    """Weighted gather along ``axis`` (0 or 1); the result is float32."""
    out: np.ndarray | None = None
    extra = (None,) * (src.ndim - 1)
    for k in range(index.shape[1]):
        w = weight[:, k]
        if not w.any():
            continue
        gathered = src[index[:, k]] if axis == 0 else src[:, index[:, k]]
        gathered = gathered.astype(np.float32, copy=False)
        wk = w[(slice(None), *extra)] if axis == 0 else w[(None, slice(None), *extra[1:])]
        term = gathered * wk
        if out is None:
            out = term
        else:
            out += term
    if out is None:  # every weight zero cannot happen for valid taps; keep the shape right anyway
        shape = list(src.shape)
        shape[axis] = index.shape[0]
        out = np.zeros(shape, np.float32)
    return out


def resize(
    img: np.ndarray,
    size: tuple[int, int],
    *,
    rows: tuple[int, int] | None = None,
    cols: tuple[int, int] | None = None,
) -> np.ndarray:
    """Resample ``img`` (``(H, W)`` or ``(H, W, C)``, any real dtype) to ``size = (h, w)``, as float32.

    Values keep the input's scale (uint8 input gives float32 in 0..255). ``rows=(r0, r1)`` returns
    only output rows ``r0:r1``, letting callers stream a large result in horizontal bands; the band
    equals the same rows of the full result exactly. ``cols=(c0, c1)`` (only together with ``rows``)
    likewise keeps output columns ``c0:c1``: a tile equal to the same tile of the banded result.
    """
    if img.ndim not in (2, 3):
        raise ValueError(f"resize expects (H, W) or (H, W, C), got shape {img.shape}")
    h_in, w_in = img.shape[:2]
    h_out, w_out = int(size[0]), int(size[1])
    row_index, row_weight = taps(h_in, h_out)
    col_index, col_weight = taps(w_in, w_out)
    if cols is not None:
        if rows is None:
            raise ValueError("resize: cols needs rows")
        c0, c1 = max(0, cols[0]), min(w_out, cols[1])
        col_index, col_weight = col_index[c0:max(c0, c1)], col_weight[c0:max(c0, c1)]
        w_out = col_index.shape[0]
    if rows is not None:
        r0, r1 = max(0, rows[0]), min(h_out, rows[1])
        if r1 <= r0 or w_out == 0:
            return np.zeros((max(0, r1 - r0), w_out, *img.shape[2:]), np.float32)
        row_index, row_weight = row_index[r0:r1], row_weight[r0:r1]
        h_out = r1 - r0
    # Pick the axis order that touches fewer samples; the choice depends only on shapes, so both
    # runtimes make the same one.
    cost_rows_first = row_index.shape[1] * h_out * w_in + col_index.shape[1] * h_out * w_out
    cost_cols_first = col_index.shape[1] * h_in * w_out + row_index.shape[1] * h_out * w_out
    if rows is not None or cost_rows_first <= cost_cols_first:
        tmp = img if rows is None and h_out == h_in else _apply(img, row_index, row_weight, 0)
        if w_out == w_in and cols is None:
            return np.ascontiguousarray(tmp, dtype=np.float32)
        return _apply(tmp, col_index, col_weight, 1)
    tmp = img if w_out == w_in else _apply(img, col_index, col_weight, 1)
    if h_out == h_in:
        return np.ascontiguousarray(tmp, dtype=np.float32)
    return _apply(tmp, row_index, row_weight, 0)
