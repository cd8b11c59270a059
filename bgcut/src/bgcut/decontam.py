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

__all__ = ["BlurFusion", "blur_fusion_fields", "foreground_at"]

_TINY = np.float32(1e-5)


class BlurFusion:
    """Low-resolution blurred foreground and background fields for one image."""

    def __init__(self, fg: np.ndarray, bg: np.ndarray, full_size: tuple[int, int]) -> None:
        self.fg = fg
        self.bg = bg
        self.full_size = full_size
        h_low, w_low = fg.shape[:2]
        self._rows = taps(h_low, full_size[0])
        self._cols = taps(w_low, full_size[1])

    def sample(self, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bilinearly sample both fields at full-resolution pixel coordinates; float32 ``(n, 3)`` each."""
        ri, rw = self._rows
        ci, cw = self._cols
        fg = np.zeros((ys.size, 3), np.float32)
        bg = np.zeros((ys.size, 3), np.float32)
        for k in range(ri.shape[1]):
            for m in range(ci.shape[1]):
                w = (rw[ys, k] * cw[xs, m])[:, None]
                yy = ri[ys, k]
                xx = ci[xs, m]
                fg += w * self.fg[yy, xx]
                bg += w * self.bg[yy, xx]
        return fg, bg


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
    s = max(1, math.ceil(math.sqrt(h * w / max_work_pixels)))
    size = (-(-h // s), -(-w // s))
    image = resize(rgba[..., :3], size)
    image *= np.float32(1.0 / 255.0)
    alpha_low = np.clip(resize(alpha, size), 0.0, 1.0)
    r_large = max(1, round(radii[0] / s))
    r_small = max(1, round(radii[1] / s))
    fg, _, bg = _pass(image, image, image, alpha_low, r_large)
    _, blurred_fg, blurred_bg = _pass(image, fg, bg, alpha_low, r_small)
    return BlurFusion(blurred_fg, blurred_bg, (h, w))


def foreground_at(
    fields: BlurFusion, ys: np.ndarray, xs: np.ndarray, image: np.ndarray, alpha: np.ndarray
) -> np.ndarray:
    """Foreground colour in [0, 1] at the given pixels; ``image`` (n, 3) in [0, 1], ``alpha`` (n,)."""
    fg_hat, bg_hat = fields.sample(ys, xs)
    a = alpha[:, None].astype(np.float32, copy=False)
    fg = fg_hat + a * (image - a * fg_hat - (np.float32(1.0) - a) * bg_hat)
    np.clip(fg, 0.0, 1.0, out=fg)
    return fg
