"""Foreground colour estimation by blur fusion (Forte & Pitié 2021, "Approximate Fast Foreground
Colour Estimation"), two passes: a large radius fills colours from afar, a small one adds detail.

The blurred foreground/background fields are smooth, so they are computed at a reduced working
resolution; the final per-pixel correction F = F^ + a (I - a F^ - (1 - a) B^) runs at full
resolution, but only on the edge band (0 < alpha < 1). Interior pixels keep their colours.
"""

from __future__ import annotations

import math

import numpy as np

from .boxfilter import box_mean
from .resize import resize, taps

__all__ = ["BlurFusion", "blur_fusion_fields", "fields_from_low", "foreground_at", "work_scale"]

_TINY = np.float32(1e-5)


class BlurFusion:
    """Low-resolution blurred foreground and background fields for one image."""

    def __init__(self, fg: np.ndarray, bg: np.ndarray, full_size: tuple[int, int]) -> None:
        self.fields = np.concatenate([fg, bg], axis=-1)  # (h, w, 6): F^ then B^
        self.full_size = full_size
        self._cols = taps(fg.shape[1], full_size[1])

    def sample_rows(self, r0: int, r1: int, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bilinearly sample both fields at full-resolution pixels (``ys`` relative to ``r0``) inside
        output rows ``r0:r1``; float32 ``(n, 3)`` each. Rows are interpolated first for the whole
        band (cheap: the fields are narrow), then only the requested pixels along columns."""
        rows = resize(self.fields, (self.full_size[0], self.fields.shape[1]), rows=(r0, r1))
        ci, cw = self._cols
        out = None
        for m in range(ci.shape[1]):
            term = rows[ys, ci[xs, m]] * cw[xs, m][:, None]
            out = term if out is None else out + term
        assert out is not None
        return out[:, :3], out[:, 3:]


def _pass(image: np.ndarray, fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray, r: int):
    h, w = alpha.shape
    a = alpha[..., None]
    one_minus = np.float32(1.0) - a
    # One box filter over all weighted channels: (F a, B (1 - a), a).
    stack = np.empty((h, w, 7), np.float32)
    np.multiply(fg, a, out=stack[..., 0:3])
    np.multiply(bg, one_minus, out=stack[..., 3:6])
    stack[..., 6] = alpha
    blurred = box_mean(stack, r)
    del stack
    mean_a = blurred[..., 6:7]
    blurred_fg = blurred[..., 0:3] / (mean_a + _TINY)
    blurred_bg = blurred[..., 3:6] / ((np.float32(1.0) - mean_a) + _TINY)
    new_fg = blurred_fg + a * (image - a * blurred_fg - one_minus * blurred_bg)
    np.clip(new_fg, 0.0, 1.0, out=new_fg)
    return new_fg, blurred_fg, blurred_bg


def blur_fusion_fields(
    rgba: np.ndarray,
    alpha: np.ndarray,
    radii: tuple[int, int],
    max_work_pixels: int,
) -> BlurFusion:
    """Run both blur-fusion passes at a working size of at most ``max_work_pixels``.

    ``radii`` are in full-resolution pixels (large, small). Returns the second pass's blurred
    foreground/background fields, ready for :func:`foreground_at`.
    """
    h, w = alpha.shape
    s = work_scale(h, w, max_work_pixels)
    size = (-(-h // s), -(-w // s))
    image = resize(rgba[..., :3], size)
    image *= np.float32(1.0 / 255.0)
    alpha_low = np.clip(resize(alpha, size), 0.0, 1.0)
    return fields_from_low(image, alpha_low, radii, (h, w), s)


def work_scale(h: int, w: int, max_work_pixels: int) -> int:
    """The smallest integer ``s`` for which the working size ``ceil(h / s) x ceil(w / s)`` keeps
    within ``max_work_pixels``."""
    return max(1, math.ceil(math.sqrt(h * w / max_work_pixels)))


def fields_from_low(
    image: np.ndarray, alpha: np.ndarray, radii: tuple[int, int], full_size: tuple[int, int], s: int
) -> BlurFusion:
    """Both blur-fusion passes on an image (float32 (h, w, 3) in [0, 1]) and alpha already at the
    working size of scale ``s`` (``work_scale``); ``radii`` in full-resolution pixels."""
    r_large = max(1, round(radii[0] / s))
    r_small = max(1, round(radii[1] / s))
    fg, _, bg = _pass(image, image, image, alpha, r_large)
    _, blurred_fg, blurred_bg = _pass(image, fg, bg, alpha, r_small)
    return BlurFusion(blurred_fg, blurred_bg, full_size)


def foreground_at(
    fields: BlurFusion,
    rows: tuple[int, int],
    ys: np.ndarray,
    xs: np.ndarray,
    image: np.ndarray,
    alpha: np.ndarray,
) -> np.ndarray:
    """Foreground colour in [0, 1] at pixels (``ys`` relative to ``rows[0]``) of output rows ``rows``;
    ``image`` (n, 3) in [0, 1], ``alpha`` (n,)."""
    fg_hat, bg_hat = fields.sample_rows(rows[0], rows[1], ys, xs)
    a = alpha[:, None].astype(np.float32, copy=False)
    fg = fg_hat + a * (image - a * fg_hat - (np.float32(1.0) - a) * bg_hat)
    np.clip(fg, 0.0, 1.0, out=fg)
    return fg
