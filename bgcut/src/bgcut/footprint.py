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

    def rows(self, y0: float, y1: float, reach: float) -> Pieces:
        """The pieces whose box, widened by ``reach``, meets rows ``y0..y1`` (a band's candidates,
        so each tile of it tests fewer pieces)."""
        return self._keep((self.lo[:, 1] - reach <= y1) & (self.hi[:, 1] + reach >= y0))

    def cols(self, x0: float, x1: float, reach: float) -> Pieces:
        """The pieces whose box, widened by ``reach``, meets columns ``x0..x1``."""
        return self._keep((self.lo[:, 0] - reach <= x1) & (self.hi[:, 0] + reach >= x0))

    def _keep(self, keep: np.ndarray) -> Pieces:
        return self if bool(keep.all()) else Pieces(self.a[keep], self.b[keep])

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


def _clip(a: np.ndarray, b: np.ndarray, rect: tuple[float, float, float, float]
          ) -> tuple[np.ndarray, np.ndarray]:
    """The part of each segment ``a -> b`` inside ``rect = (x0, y0, x1, y1)`` (Liang-Barsky);
    segments wholly outside are dropped. Ends already inside are kept bit for bit."""
    d = b - a
    t0 = np.zeros(a.shape[0])
    t1 = np.ones(a.shape[0])
    for axis, lo, hi in ((0, rect[0], rect[2]), (1, rect[1], rect[3])):
        da, pa = d[:, axis], a[:, axis]
        flat = da == 0
        inside = (pa >= lo) & (pa <= hi)
        safe = np.where(flat, 1.0, da)
        ta, tb = (lo - pa) / safe, (hi - pa) / safe
        t0 = np.maximum(t0, np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(ta, tb)))
        t1 = np.minimum(t1, np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(ta, tb)))
    keep = t0 <= t1
    # Dropped segments may hold +-inf here; clamp so no 0 * inf is ever formed.
    t0, t1 = np.minimum(t0, 1.0), np.maximum(t1, 0.0)
    a2 = np.where((t0 > 0)[:, None], a + d * t0[:, None], a)
    b2 = np.where((t1 < 1)[:, None], a + d * t1[:, None], b)
    return a2[keep], b2[keep]


def _segments(points: np.ndarray, radius: float, rect: tuple[float, float, float, float] | None
              ) -> tuple[np.ndarray, np.ndarray]:
    """The thinned polyline's segments (a single point: one zero-length segment), clipped to
    ``rect``: a part of a segment farther than the reach from the photo cannot paint it."""
    pts = _thin(np.asarray(points, np.float64), radius * THIN_FRACTION)
    a, b = (pts, pts) if pts.shape[0] == 1 else (pts[:-1], pts[1:])
    if rect is not None:
        a, b = _clip(a, b, rect)
    return a, b


def region(width: int, height: int, reach: float) -> tuple[float, float, float, float]:
    """The rectangle, in photo coordinates, within which a stroke of this reach can paint a pixel."""
    m = reach + 1.0
    return -m, -m, width + m, height + m


def pieces(points: np.ndarray, radius: float, rect: tuple[float, float, float, float] | None = None
           ) -> Pieces:
    """The pieces of a stroke through ``points`` ((n, 2) float64 x, y) drawn with ``radius``, only
    within ``rect`` (``region``) when given. A single point is one zero-length piece (a disc)."""
    a, b = _segments(points, radius, rect)
    if a.shape[0] == 0:
        return Pieces(a.copy(), b.copy())
    seg = b - a
    length = np.sqrt((seg * seg).sum(axis=1))
    # np.repeat takes intp counts: int32 on wasm32 (Pyodide), int64 here.
    counts = np.maximum(1, np.ceil(length / (PIECE_RADII * radius))).astype(np.intp)
    if int(counts.max(initial=1)) == 1:
        return Pieces(a.copy(), b.copy())
    idx = np.repeat(np.arange(a.shape[0]), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = (np.arange(idx.size) - first).astype(np.float64)
    n = counts[idx].astype(np.float64)
    t0, t1 = (k / n)[:, None], ((k + 1) / n)[:, None]
    return Pieces(a[idx] + seg[idx] * t0, a[idx] + seg[idx] * t1)


def work_estimate(points: np.ndarray, radius: float, reach: float, width: int, height: int
                  ) -> tuple[float, int]:
    """``(samples, pieces)``: an upper bound on the samples ``min_distance`` evaluates for this
    stroke at full resolution, and its number of pieces (after thinning and clipping, as
    ``pieces`` does: a pointer held still is one dab, a line far past the photo costs nothing)."""
    a, b = _segments(points, radius, region(width, height, reach))
    seg = np.abs(b - a)
    length = np.sqrt((seg * seg).sum(axis=1))
    n = np.maximum(1, np.ceil(length / (PIECE_RADII * radius)))
    w = np.minimum(seg[:, 0] / n + 2 * reach + 1, width)
    h = np.minimum(seg[:, 1] / n + 2 * reach + 1, height)
    return float((n * w * h).sum()), int(n.sum())


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
