"""O(N) box mean and running min/max along image axes, with bounded temporaries.

The box mean uses float64 cumulative sums (sequential, hence identical on every platform) over
chunks of the other axis, so a 48 MP image never needs a full-size float64 copy. Windows are
clipped at the border and divided by the number of samples they actually cover, as in He et al.'s
guided-filter reference.
"""

from __future__ import annotations

import numpy as np

__all__ = ["box_mean", "box_mean_axis", "max_filter", "min_filter"]

# Elements per float64 temporary when working through an axis in chunks (~32 MB).
_CHUNK_ELEMENTS = 1 << 22


def _chunks(n_other: int, n_axis: int) -> range:
    step = max(1, _CHUNK_ELEMENTS // max(1, n_axis))
    return range(0, n_other, step)


def _window_mean(csum: np.ndarray, r: int, n: int, axis: int, out: np.ndarray) -> None:
    """Turn an inclusive-prefix sum (length n + 1 along ``axis``) into clipped window means."""

    def sl(a: int, b: int) -> tuple[slice, ...]:
        return (slice(None),) * axis + (slice(a, b),)

    def counts(c: np.ndarray) -> np.ndarray:
        return c.reshape((1,) * axis + (-1,) + (1,) * (csum.ndim - axis - 1))

    w = 2 * r + 1
    if n > w:
        # Interior windows are full: plain slices, no gathers.
        out[sl(r, n - r)] = (csum[sl(w, n + 1)] - csum[sl(0, n + 1 - w)]) * (1.0 / w)
        head = np.arange(r + 1, w, dtype=np.float64)  # windows of outputs 0..r-1
        out[sl(0, r)] = (csum[sl(r + 1, w)] - csum[sl(0, 1)]) / counts(head)
        tail = np.arange(w - 1, r, -1, dtype=np.float64)  # outputs n-r..n-1
        out[sl(n - r, n)] = (csum[sl(n, n + 1)] - csum[sl(n - 2 * r, n - r)]) / counts(tail)
        return
    i = np.arange(n)
    hi = np.minimum(i + r + 1, n)
    lo = np.maximum(i - r, 0)
    cnt = counts((hi - lo).astype(np.float64))
    out[...] = (np.take(csum, hi, axis=axis) - np.take(csum, lo, axis=axis)) / cnt


def box_mean_axis(x: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Mean over a window of ``2r + 1`` samples along ``axis`` (0 or 1), clipped at the borders."""
    x = np.asarray(x)
    out = np.empty(x.shape, np.float32)
    n = x.shape[axis] if x.ndim else 0
    if r <= 0 or x.size == 0:
        out[...] = x
        return out
    other = 1 - axis
    n_other = x.shape[other]
    per_line = max(1, x.size // max(1, n_other))
    step = max(1, _CHUNK_ELEMENTS // per_line)
    for c0 in range(0, n_other, step):
        c1 = min(n_other, c0 + step)
        idx = (slice(None),) * other + (slice(c0, c1),)
        part = x[idx]
        shape = list(part.shape)
        shape[axis] = n + 1
        csum = np.empty(shape, np.float64)
        csum[(slice(None),) * axis + (slice(0, 1),)] = 0.0
        np.cumsum(part, axis=axis, dtype=np.float64, out=csum[(slice(None),) * axis + (slice(1, None),)])
        _window_mean(csum, r, n, axis, out[idx])
    return out


def box_mean(x: np.ndarray, r: int) -> np.ndarray:
    """2-D box mean of radius ``r`` over the first two axes of ``(H, W)`` or ``(H, W, C)``; float32."""
    if r <= 0:
        return np.asarray(x, dtype=np.float32).copy()
    return box_mean_axis(box_mean_axis(x, r, 0), r, 1)


def _running_extreme(x: np.ndarray, r: int, axis: int, take_max: bool) -> np.ndarray:
    """Van Herk / Gil-Werman running max (or min) over ``2r + 1`` samples along ``axis``.

    Cost is independent of ``r``: two block-wise prefix scans and one element-wise combine.
    """
    if r <= 0:
        return x.copy()
    op = np.maximum if take_max else np.minimum
    pad_value = -np.inf if take_max else np.inf
    moved = np.moveaxis(x, axis, 0)
    n = moved.shape[0]
    w = 2 * r + 1
    blocks = -(-(n + 2 * r) // w)
    total = blocks * w
    padded = np.full((total, *moved.shape[1:]), pad_value, np.float32)
    padded[r : r + n] = moved
    shaped = padded.reshape(blocks, w, *moved.shape[1:])
    prefix = op.accumulate(shaped, axis=1).reshape(padded.shape)
    suffix = op.accumulate(shaped[:, ::-1], axis=1)[:, ::-1].reshape(padded.shape)
    # Window for output i spans padded[i : i + w]; it meets at most two blocks.
    result = op(suffix[0:n], prefix[w - 1 : w - 1 + n])
    return np.ascontiguousarray(np.moveaxis(result, 0, axis))


def _extreme_2d(x: np.ndarray, r: int, take_max: bool) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if r <= 0 or x.size == 0:
        return x.copy()
    h, w = x.shape[:2]
    # Chunk along the other axis so the padded scans stay small on 48 MP images.
    tmp = np.empty(x.shape, np.float32)
    for c0 in _chunks(w, h):
        c1 = min(w, c0 + max(1, _CHUNK_ELEMENTS // max(1, h)))
        tmp[:, c0:c1] = _running_extreme(x[:, c0:c1], r, 0, take_max)
    for r0 in _chunks(h, w):
        r1 = min(h, r0 + max(1, _CHUNK_ELEMENTS // max(1, w)))
        tmp[r0:r1] = _running_extreme(tmp[r0:r1], r, 1, take_max)
    return tmp


def max_filter(x: np.ndarray, r: int) -> np.ndarray:
    """Maximum over a ``(2r+1) x (2r+1)`` square; float32, borders ignore outside samples."""
    return _extreme_2d(x, r, True)


def min_filter(x: np.ndarray, r: int) -> np.ndarray:
    """Minimum over a ``(2r+1) x (2r+1)`` square; float32, borders ignore outside samples."""
    return _extreme_2d(x, r, False)
