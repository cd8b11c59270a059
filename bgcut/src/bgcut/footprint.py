"""A brush stroke's footprint: the union of capsules (radius ``r``) around a polyline.

Distances are evaluated at sample centres given as sorted coordinate vectors, so the same code
serves full-resolution tiles and the coarse grid the snapping fit runs on. Each piece of the
polyline only touches the samples inside its own bounding box (widened by the reach), which keeps
the cost proportional to the stroke's area, never the photo's. Everything is float64 element-wise
arithmetic and ``sqrt``, which IEEE 754 rounds alike in CPython and Pyodide.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Pieces", "min_distance", "pieces"]

# Points closer than this fraction of the radius to the last kept point are dropped: the polyline
# moves by less than that distance (the footprint by at most r / 20), and a pointer that sat still
# for a thousand events costs one capsule instead of a thousand.
THIN_FRACTION = 1 / 20
# Segments longer than this many radii are split into collinear pieces (same union, but each
# piece's bounding box hugs the capsule instead of spanning a long diagonal).
PIECE_RADII = 2.0


class Pieces:
    """A stroke's polyline as straight pieces: start points ``a`` and end points ``b``, (n, 2) float64
    (x, y), plus the bounding box of each piece (``lo``, ``hi``, (n, 2))."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a = a
        self.b = b
        self.lo = np.minimum(a, b)
        self.hi = np.maximum(a, b)

    def __len__(self) -> int:
        return int(self.a.shape[0])

    def bounds(self) -> tuple[float, float, float, float]:
        """``(x_min, y_min, x_max, y_max)`` over all pieces' end points."""
        lo = self.lo.min(axis=0)
        hi = self.hi.max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _thin(points: np.ndarray, tol: float) -> np.ndarray:
    """Drop each point within ``tol`` of the last kept one (the last point is always kept)."""
    if points.shape[0] <= 2 or tol <= 0:
        return points
    step = np.diff(points, axis=0)
    tol2 = tol * tol
    if bool(((step * step).sum(axis=1) >= tol2).all()):
        return points  # every point is far from its predecessor, which is then the last kept one
    keep = [0]
    lx, ly = float(points[0, 0]), float(points[0, 1])
    for i, (x, y) in enumerate(points.tolist()):
        if (x - lx) * (x - lx) + (y - ly) * (y - ly) >= tol2:
            keep.append(i)
            lx, ly = x, y
    if keep[-1] != points.shape[0] - 1:
        keep.append(points.shape[0] - 1)
    return points[keep]


def pieces(points: np.ndarray, radius: float) -> Pieces:
    """The pieces of a stroke through ``points`` ((n, 2) float64 x, y) drawn with ``radius``.

    A single point is one zero-length piece (a disc)."""
    pts = _thin(np.asarray(points, np.float64), radius * THIN_FRACTION)
    if pts.shape[0] == 1:
        return Pieces(pts.copy(), pts.copy())
    a, b = pts[:-1], pts[1:]
    seg = b - a
    length = np.sqrt((seg * seg).sum(axis=1))
    # np.repeat takes intp counts: int32 on wasm32 (Pyodide), int64 here.
    counts = np.maximum(1, np.ceil(length / (PIECE_RADII * radius))).astype(np.intp)
    if int(counts.max()) == 1:
        return Pieces(a.copy(), b.copy())
    idx = np.repeat(np.arange(a.shape[0]), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = (np.arange(idx.size) - first).astype(np.float64)
    n = counts[idx].astype(np.float64)
    t0, t1 = (k / n)[:, None], ((k + 1) / n)[:, None]
    return Pieces(a[idx] + seg[idx] * t0, a[idx] + seg[idx] * t1)


def work_estimate(points: np.ndarray, radius: float, reach: float, width: int, height: int) -> float:
    """Upper bound on the samples ``min_distance`` evaluates for this stroke at full resolution
    (after thinning, as ``pieces`` does: a pointer held still costs one dab)."""
    pts = _thin(np.asarray(points, np.float64), radius * THIN_FRACTION)
    if pts.shape[0] < 2:
        side = 2 * reach + 1
        return min(side, width) * min(side, height)
    seg = np.abs(np.diff(pts, axis=0))
    length = np.sqrt((seg * seg).sum(axis=1))
    n = np.maximum(1, np.ceil(length / (PIECE_RADII * radius)))
    w = np.minimum(seg[:, 0] / n + 2 * reach + 1, width)
    h = np.minimum(seg[:, 1] / n + 2 * reach + 1, height)
    return float((n * w * h).sum())


def min_distance(p: Pieces, reach: float, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Distance from each sample centre (``ys`` x ``xs``, ascending float64 vectors) to the polyline,
    float64 (len(ys), len(xs)); ``inf`` where it is ``reach`` or more from every piece's box."""
    out = np.full((ys.size, xs.size), np.inf)
    if ys.size == 0 or xs.size == 0:
        return out
    near = ((p.lo[:, 0] - reach <= xs[-1]) & (p.hi[:, 0] + reach >= xs[0])
            & (p.lo[:, 1] - reach <= ys[-1]) & (p.hi[:, 1] + reach >= ys[0]))
    for i in np.flatnonzero(near).tolist():
        ax, ay = float(p.a[i, 0]), float(p.a[i, 1])
        ex, ey = float(p.b[i, 0]) - ax, float(p.b[i, 1]) - ay
        x0 = int(np.searchsorted(xs, p.lo[i, 0] - reach, "left"))
        x1 = int(np.searchsorted(xs, p.hi[i, 0] + reach, "right"))
        y0 = int(np.searchsorted(ys, p.lo[i, 1] - reach, "left"))
        y1 = int(np.searchsorted(ys, p.hi[i, 1] + reach, "right"))
        if x0 >= x1 or y0 >= y1:
            continue
        px = (xs[x0:x1] - ax)[None, :]
        py = (ys[y0:y1] - ay)[:, None]
        length2 = ex * ex + ey * ey
        if length2 > 0.0:
            t = (px * ex + py * ey) * (1.0 / length2)
            np.clip(t, 0.0, 1.0, out=t)
            qx = px - t * ex
            qy = py - t * ey
        else:
            qx, qy = px, py
        d2 = qx * qx + qy * qy
        view = out[y0:y1, x0:x1]
        np.minimum(view, d2, out=view)
    np.sqrt(out, out=out)
    return out


def centres(start: int, stop: int, n: int | None = None) -> np.ndarray:
    """Sample centres of pixels ``start..stop-1`` (``n`` = None), or of ``n`` equal cells covering
    ``[start, stop)`` (a coarse grid), as float64."""
    if n is None:
        return np.arange(start, stop, dtype=np.float64) + 0.5
    step = (stop - start) / n
    return start + (np.arange(n, dtype=np.float64) + 0.5) * step
