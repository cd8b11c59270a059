"""Closed-form matting (Levin, Lischinski & Weiss 2008) solved only inside an automatic trimap band.

The trimap comes from the mask: pixels within ``band`` (working) pixels of the 0.5 contour, and
pixels the threshold ramp left fractional, are unknown; the rest keeps its alpha as the boundary
condition. Alpha in the unknown band minimises ``a' L a + prior * |a - a0|^2``, where ``L`` is the
matting Laplacian of 3x3 windows (each window's alpha is an affine function of its colours) and
``a0`` the mask's own alpha, so where colours do not decide, the model's guess stands.

Everything is NumPy only (the browser ships no SciPy): ``L`` is assembled as a 5x5 stencil per
unknown pixel (``np.bincount`` over the windows' 9x9 blocks), the 3x3 covariances are inverted with
explicit cofactors, and the system is solved by Jacobi-preconditioned conjugate gradients in
float64 with a fixed iteration cap, so CPython and Pyodide follow the same arithmetic.

The solve runs once per photo at 1/``subsample`` resolution; the solved band is brought back to
full resolution by the guided filter (its coefficients fitted at the working size, applied to the
full-resolution colours of each band tile), and only the band's pixels change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import options as defaults
from .boxfilter import max_filter, min_filter
from .edges import apply_threshold
from .guided import apply_coefficients, guided_coefficients
from .resize import resize

__all__ = ["TrimapMatting", "matte_refiner", "matting_stencil", "solve_band", "unknown_band"]

# Window member offsets (dy, dx) of a 3x3 window, row by row.
_OFFSETS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
# Stencil slot of the relative offset (ey, ex) in [-2, 2]^2 between two members of one window.
_CENTRE = 12


def _slot(ey: int, ex: int) -> int:
    return (ey + 2) * 5 + (ex + 2)


def unknown_band(alpha: np.ndarray, band: int, soft: tuple[float, float] = (0.02, 0.98)) -> np.ndarray:
    """Unknown pixels of the automatic trimap: within ``band`` pixels (square window) of the 0.5
    contour of ``alpha`` (float (h, w) in [0, 1]), or fractional (strictly inside ``soft``)."""
    hard = (alpha >= 0.5).astype(np.float32)
    near = max_filter(hard, band) != min_filter(hard, band) if band > 0 else np.zeros(alpha.shape, bool)
    return near | ((alpha > soft[0]) & (alpha < soft[1]))


def _inverse3(c: np.ndarray) -> np.ndarray:
    """Inverse of symmetric positive definite 3x3 matrices ``(m, 3, 3)`` by cofactors (no LAPACK)."""
    a, b, cc = c[:, 0, 0], c[:, 0, 1], c[:, 0, 2]
    d, e, f = c[:, 1, 1], c[:, 1, 2], c[:, 2, 2]
    inv = np.empty_like(c)
    inv[:, 0, 0] = d * f - e * e
    inv[:, 0, 1] = inv[:, 1, 0] = cc * e - b * f
    inv[:, 0, 2] = inv[:, 2, 0] = b * e - cc * d
    inv[:, 1, 1] = a * f - cc * cc
    inv[:, 1, 2] = inv[:, 2, 1] = b * cc - a * e
    inv[:, 2, 2] = a * d - b * b
    det = a * inv[:, 0, 0] + b * inv[:, 0, 1] + cc * inv[:, 0, 2]
    inv /= np.maximum(det, 1e-300)[:, None, None]
    return inv


def matting_stencil(image: np.ndarray, unknown: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray,
                                                                                     np.ndarray]:
    """The matting Laplacian's rows for the ``unknown`` pixels as a 5x5 stencil.

    ``image``: float64 (h, w, 3) in [0, 1]; ``unknown``: bool (h, w). Returns ``(ys, xs, stencil)``:
    the unknown pixels in raster order and float64 ``(n, 25)`` weights, slot ``(ey + 2) * 5 + ex + 2``
    for the neighbour at ``(y + ey, x + ex)``. Windows are the 3x3 squares centred inside the image.
    """
    h, w = unknown.shape
    ys, xs = np.nonzero(unknown)
    n = ys.size
    # np.intp throughout: bincount takes only the platform's index type (int32 in wasm32 Pyodide).
    row_of = np.full((h + 2, w + 2), -1, np.intp)
    row_of[ys + 1, xs + 1] = np.arange(n)
    # Window centres: every interior pixel whose window holds an unknown pixel.
    centres = np.zeros((h, w), bool)
    if h >= 3 and w >= 3:
        near = max_filter(unknown.astype(np.float32), 1) > 0.5
        centres[1:-1, 1:-1] = near[1:-1, 1:-1]
    cy, cx = np.nonzero(centres)
    if cy.size == 0:
        return ys, xs, np.zeros((n, 25), np.float64)
    colours = np.stack([image[cy + dy, cx + dx] for dy, dx in _OFFSETS], axis=1)  # (m, 9, 3)
    mean = colours.mean(axis=1, keepdims=True)
    dev = colours - mean
    cov = np.einsum("mjc,mjd->mcd", dev, dev) / 9.0
    cov += (eps / 9.0) * np.eye(3)
    affinity = np.matmul(np.matmul(dev, _inverse3(cov)), dev.transpose(0, 2, 1))
    affinity += 1.0
    affinity /= 9.0
    # L = sum over windows of (I - affinity); each (member j, member k) pair adds to j's row at the
    # slot of k's offset from j. One bincount over all pairs of the members that are unknown.
    affinity *= -1.0
    affinity[:, np.arange(9), np.arange(9)] += 1.0
    rows = np.stack([row_of[cy + dy + 1, cx + dx + 1] for dy, dx in _OFFSETS], axis=1)  # (m, 9)
    slot = np.array([[_slot(dyk - dyj, dxk - dxj) for dyk, dxk in _OFFSETS] for dyj, dxj in _OFFSETS])
    keep = rows >= 0
    keys = (rows[:, :, None] * 25 + slot[None].astype(np.intp))[keep]
    stencil = np.bincount(keys.ravel(), weights=affinity[keep].ravel(), minlength=n * 25)
    return ys, xs, stencil.reshape(n, 25)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Dot product by NumPy's pairwise sum, not BLAS: the same rounding in Pyodide (no BLAS) and
    CPython, and no BLAS threads fighting over a loaded machine."""
    return float(np.multiply(a, b).sum())


def solve_band(image: np.ndarray, alpha: np.ndarray, unknown: np.ndarray, eps: float = 1e-5,
               prior: float = 1e-2, iterations: int = 200, tol: float = 1e-6) -> np.ndarray:
    """Closed-form alpha inside ``unknown``; elsewhere ``alpha`` is kept and acts as the boundary.

    ``image``: float (h, w, 3) in [0, 1]; ``alpha``: float (h, w) in [0, 1], also the prior the
    solution is pulled towards with weight ``prior``. Returns float64 (h, w) clipped to [0, 1].
    """
    a0 = np.clip(np.asarray(alpha, np.float64), 0.0, 1.0)
    out = a0.copy()
    ys, xs, stencil = matting_stencil(np.asarray(image, np.float64), unknown, eps)
    n = ys.size
    if n == 0:
        return out
    h, w = a0.shape
    # Flat indices of every unknown pixel's 5x5 neighbours in a field padded by 2.
    wp = w + 4
    offsets = np.array([ey * wp + ex for ey in range(-2, 3) for ex in range(-2, 3)], np.intp)
    neighbours = ((ys + 2) * wp + xs + 2)[:, None] + offsets[None]

    def gather(field: np.ndarray) -> np.ndarray:
        """Stencil times a padded (h + 4, w + 4) field, at the unknown pixels."""
        return np.einsum("nk,nk->n", stencil, field.ravel()[neighbours])

    known = np.zeros((h + 4, w + 4), np.float64)
    known[2:-2, 2:-2] = a0
    known[ys + 2, xs + 2] = 0.0
    start = a0[ys, xs]
    rhs = prior * start - gather(known)
    diag = stencil[:, _CENTRE] + prior
    precond = 1.0 / np.maximum(diag, 1e-12)
    field = np.zeros((h + 4, w + 4), np.float64)

    def apply(v: np.ndarray) -> np.ndarray:
        field[ys + 2, xs + 2] = v
        return gather(field) + prior * v

    x = start.copy()
    r = rhs - apply(x)
    z = precond * r
    p = z.copy()
    rz = float(_dot(r, z))
    stop = tol * math.sqrt(float(_dot(rhs, rhs))) + 1e-30
    for _ in range(iterations):
        ap = apply(p)
        pap = float(_dot(p, ap))
        if pap <= 0.0:
            break
        step = rz / pap
        x += step * p
        r -= step * ap
        if math.sqrt(float(_dot(r, r))) < stop:
            break
        z = precond * r
        rz_next = float(_dot(r, z))
        p *= rz_next / rz
        p += z
        rz = rz_next
    out[ys, xs] = np.clip(x, 0.0, 1.0)
    return out


class TrimapMatting:
    """Band refiner: closed-form matting in the automatic trimap's unknown band at reduced resolution.

    ``band``: unknown half-width in working pixels; ``subsample``: working scale (1 = full
    resolution); ``eps``: the Laplacian's regularisation (colours in [0, 1]); ``prior``: pull towards
    the input alpha; ``iterations``: conjugate-gradient cap; ``guide_radius``/``guide_eps``: the
    guided filter that brings the working-size solution back to full resolution (radius in working
    pixels); ``threshold``/``softness``: a smoothstep ramp applied to the solved band afterwards
    (None: none). ``margin``: full-resolution pixels beyond which the input alpha cannot change.

    The band is solved once per photo: ``bgcut.band`` calls ``prepare`` with the photo and its mask,
    then ``tile`` for each band tile, which only reads the solution (tiles never see a seam where
    two separate solves disagree). Called directly, ``refiner(rgba, alpha)`` solves and returns
    the whole photo (``postprocess_full``'s path).
    """

    def __init__(self, band: int = 4, subsample: int = 1, eps: float = 1e-5, prior: float = 1e-2,
                 iterations: int = 200, guide_radius: int = 1, guide_eps: float = 1e-4,
                 threshold: float | None = None, softness: float = 0.0) -> None:
        if band < 1 or subsample < 1 or eps <= 0 or prior < 0 or iterations < 1 or guide_radius < 1:
            raise ValueError(f"TrimapMatting needs band >= 1, subsample >= 1, eps > 0, prior >= 0, "
                             f"iterations >= 1, guide_radius >= 1; got {band}, {subsample}, {eps}, "
                             f"{prior}, {iterations}, {guide_radius}")
        self.band = int(band)
        self.subsample = int(subsample)
        self.eps = float(eps)
        self.prior = float(prior)
        self.iterations = int(iterations)
        self.guide_radius = int(guide_radius)
        self.guide_eps = float(guide_eps)
        self.threshold = threshold
        self.softness = float(softness)
        # The unknown band reaches ``band`` working pixels past the contour, the guided upsampling's
        # coefficients two radii further, and interpolation one working pixel.
        self.margin = (self.band + 2 * self.guide_radius + 1) * self.subsample + 1
        self._solved: np.ndarray | None = None
        self._coef: np.ndarray | None = None
        self._unknown: np.ndarray | None = None
        self._size: tuple[int, int] = (0, 0)

    def _low(self, h: int, w: int) -> tuple[int, int]:
        s = self.subsample
        return -(-h // s), -(-w // s)

    def _solve(self, image: np.ndarray, a_low: np.ndarray, size: tuple[int, int]) -> None:
        """Solve at the working size (``image`` float (h, w, 3) in [0, 1], ``a_low`` float (h, w))."""
        self._size = size
        unknown = unknown_band(a_low, self.band)
        self._unknown = unknown if unknown.any() else None
        if self._unknown is None:
            return
        solved = solve_band(image, a_low, unknown, self.eps, self.prior, self.iterations).astype(np.float32)
        if self.subsample == 1:
            self._solved, self._coef = solved, None
        else:
            # Coefficients only on the band's box, padded by the filter's reach (two box windows) and
            # one pixel of interpolation, so every value the tiles read equals the whole image's.
            self._solved = None
            ys, xs = np.nonzero(unknown)
            pad = 2 * self.guide_radius + 2
            lh, lw = unknown.shape
            y0, y1 = max(0, int(ys.min()) - pad), min(lh, int(ys.max()) + 1 + pad)
            x0, x1 = max(0, int(xs.min()) - pad), min(lw, int(xs.max()) + 1 + pad)
            self._coef = np.zeros((lh, lw, 4), np.float32)
            self._coef[y0:y1, x0:x1] = guided_coefficients(np.asarray(image[y0:y1, x0:x1], np.float32),
                                                           solved[y0:y1, x0:x1], self.guide_radius,
                                                           self.guide_eps)

    def prepare(self, rgba: np.ndarray, mask: np.ndarray, options: Any, work: Any = None) -> None:
        """Solve the photo's band once from the model's ``mask`` (any size) thresholded as
        ``options`` says, at the working size; colours from ``work`` (a ``WorkingCopy``) if given."""
        h, w = rgba.shape[:2]
        low = self._low(h, w)
        image = work.rgb_at(low) if work is not None else resize(rgba[..., :3], low)
        image *= np.float32(1.0 / 255.0)
        a_low = np.clip(resize(mask, low), 0.0, 1.0)
        if options.threshold is not None:
            a_low = apply_threshold(a_low, options.threshold, options.threshold_softness, inplace=True)
        np.clip(a_low, 0.0, 1.0, out=a_low)
        self._solve(image, a_low, (h, w))

    def tile(self, rgba: np.ndarray, alpha: np.ndarray, rows: tuple[int, int],
             cols: tuple[int, int]) -> np.ndarray:
        """The prepared solution on the tile ``rows x cols`` of the photo (``rgba``: the tile's
        pixels; ``alpha``: its unrefined float32 alpha, kept outside the band) -> float32."""
        out = np.array(alpha, np.float32)
        if self._unknown is None:
            return out
        size = self._size
        changed = resize(self._unknown.astype(np.float32), size, rows=rows, cols=cols) > 0.0
        if not changed.any():
            return out
        if self._solved is not None:
            q = self._solved[rows[0]:rows[1], cols[0]:cols[1]]
        else:
            coef = resize(self._coef, size, rows=rows, cols=cols)
            q = apply_coefficients(coef, rgba, 1.0 / 255.0)
        q = np.clip(q[changed], 0.0, 1.0)
        if self.threshold is not None:
            q = apply_threshold(q, self.threshold, self.softness, inplace=True)
        out[changed] = q
        np.clip(out, 0.0, 1.0, out=out)
        return out

    def __call__(self, rgba: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """``rgba``: uint8 (h, w, >=3); ``alpha``: float32 (h, w) in [0, 1] -> float32 (h, w)."""
        alpha = np.asarray(alpha, np.float32)
        h, w = alpha.shape
        low = self._low(h, w)
        if self.subsample > 1:
            image = resize(rgba[..., :3], low) * np.float32(1.0 / 255.0)
            a_low = np.clip(resize(alpha, low), 0.0, 1.0)
        else:
            image = rgba[..., :3].astype(np.float32) * np.float32(1.0 / 255.0)
            a_low = alpha
        self._solve(image, a_low, (h, w))
        return self.tile(rgba, alpha, (0, h), (0, w))


def matte_refiner(h: int, w: int) -> TrimapMatting:
    """The ``refine='matte'`` refiner for an ``h x w`` photo, from the defaults in ``bgcut.options``."""
    s = max(1, math.ceil(max(h, w) / defaults.MATTE_WORK_LONG_SIDE))
    return TrimapMatting(defaults.MATTE_BAND, s, defaults.MATTE_EPS, defaults.MATTE_PRIOR,
                         defaults.MATTE_ITERATIONS)
