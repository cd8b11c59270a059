"""Backgrounds and the final blend to uint8, streamed in horizontal bands."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .boxfilter import box_mean
from .decontam import BlurFusion, foreground_at
from .options import BLUR_BACKGROUND_FRACTION, BLUR_BACKGROUND_LONG_SIDE, Options
from .resize import resize

__all__ = ["background_bands", "blurred_background", "composite", "cover_crop", "to_uint8"]

# Output rows per band: keeps every float32 temporary near 16 MB for any width.
_BAND_ELEMENTS = 1 << 22

BandFn = Callable[[int, int], np.ndarray]


def to_uint8(x: np.ndarray) -> np.ndarray:
    """Values in [0, 1] to uint8 with round-half-up (the same on every platform)."""
    y = x * np.float32(255.0)
    y += np.float32(0.5)
    np.clip(y, 0.0, 255.0, out=y)
    return y.astype(np.uint8)


def cover_crop(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre crop of ``img`` with the aspect ratio of ``size``, the largest that fits ("cover")."""
    h, w = size
    hb, wb = img.shape[:2]
    # Compare aspect ratios with integers so there is no rounding disagreement between runtimes.
    if hb * w > wb * h:
        ch, cw = max(1, min(hb, round(wb * h / w))), wb
    else:
        ch, cw = hb, max(1, min(wb, round(hb * w / h)))
    y0, x0 = (hb - ch) // 2, (wb - cw) // 2
    return img[y0 : y0 + ch, x0 : x0 + cw]


def blurred_background(rgba: np.ndarray) -> np.ndarray:
    """Strongly blurred small copy of the image, float32 (h, w, 3) in [0, 1]; upsample per band."""
    h, w = rgba.shape[:2]
    long_side = max(h, w)
    scale = min(1.0, BLUR_BACKGROUND_LONG_SIDE / long_side)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = resize(rgba[..., :3], size)
    small *= np.float32(1.0 / 255.0)
    r = max(1, round(max(size) * BLUR_BACKGROUND_FRACTION))
    for _ in range(3):  # three box passes approximate a Gaussian
        small = box_mean(small, r)
    return small


def background_bands(rgba: np.ndarray, options: Options) -> BandFn | None:
    """A function giving background rows ``r0:r1`` as float32 (rows, W, 3) in [0, 1], or None when
    the output is transparent."""
    h, w = rgba.shape[:2]
    bg = options.background
    if isinstance(bg, str) and bg == "transparent":
        return None
    colour = options.background_rgb()
    if colour is not None:
        pixel = np.asarray(colour, np.float32) * np.float32(1.0 / 255.0)
        return lambda r0, r1: np.broadcast_to(pixel, (r1 - r0, w, 3))
    if isinstance(bg, str):  # "blur"
        small = blurred_background(rgba)
        return lambda r0, r1: resize(small, (h, w), rows=(r0, r1))
    crop = cover_crop(bg[..., :3], (h, w))

    def image_rows(r0: int, r1: int) -> np.ndarray:
        band = resize(crop, (h, w), rows=(r0, r1))
        band *= np.float32(1.0 / 255.0)
        return band

    return image_rows


def composite(
    rgba: np.ndarray,
    alpha: np.ndarray,
    options: Options,
    fields: BlurFusion | None,
) -> np.ndarray:
    """Blend into the requested output: uint8 (H, W, 4) or, for ``output='mask'``, (H, W).

    ``alpha`` is the refined float32 matte. The input's own alpha multiplies it. ``fields`` (from
    blur fusion) replaces colours where the output alpha is partial; None keeps the original colours.
    """
    h, w = alpha.shape
    has_alpha = bool((rgba[..., 3] != 255).any())
    background = None if options.output == "mask" else background_bands(rgba, options)
    out = np.empty((h, w) if options.output == "mask" else (h, w, 4), np.uint8)
    band = max(1, _BAND_ELEMENTS // max(1, 3 * w))
    for r0 in range(0, h, band):
        r1 = min(h, r0 + band)
        a = alpha[r0:r1]
        if has_alpha:
            a = a * (rgba[r0:r1, :, 3].astype(np.float32) * np.float32(1.0 / 255.0))
        a_u8 = to_uint8(a)
        if options.output == "mask":
            out[r0:r1] = a_u8
            continue
        rgb = rgba[r0:r1, :, :3]
        ys = xs = fg_edge = None
        if fields is not None:
            ys, xs = np.nonzero((a_u8 > 0) & (a_u8 < 255))
            if ys.size:
                image = rgb[ys, xs].astype(np.float32) * np.float32(1.0 / 255.0)
                fg_edge = foreground_at(fields, (r0, r1), ys, xs, image, alpha[r0:r1][ys, xs])
        if background is None:
            out[r0:r1, :, :3] = rgb
            if fg_edge is not None:
                out[r0 + ys, xs, :3] = to_uint8(fg_edge)
            out[r0:r1, :, 3] = a_u8
            continue
        fg = rgb.astype(np.float32) * np.float32(1.0 / 255.0)
        if fg_edge is not None:
            fg[ys, xs] = fg_edge
        bg = background(r0, r1)
        fg -= bg
        fg *= a[..., None]
        fg += bg
        out[r0:r1, :, :3] = to_uint8(fg)
        out[r0:r1, :, 3] = 255
    return out
