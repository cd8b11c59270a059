"""Decode any Pillow-readable photo into what bgcut expects: uint8 RGBA (H, W, 4), EXIF-upright."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".jfif", ".ppm", ".pgm",
     ".heic", ".heif", ".hif"}
)

# HEIC/HEIF (iPhones) through libheif, as the browser does (web/src/worker/heic.js): the primary
# image only, never an embedded thumbnail, and no depth or other auxiliary images decoded. libheif
# applies irot/imir; pillow-heif then resets the EXIF orientation tag (inside a HEIF it repeats
# irot), so exif_transpose below leaves these images alone. 10/12-bit images come out as 8-bit.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# The same limit as the browser (web/src/worker/decode.js MAX_PIXELS); checked against the header
# before any pixel is decoded. A 64 MP photo needs ~2 GB across bgcut's full-resolution steps.
MAX_PIXELS = 64_000_000


class DecodeError(ValueError):
    """The file is not an image this pipeline can read; the message names the file and the reason."""


def _to_rgba(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # High-bit-depth grey: scale to 8 bits instead of letting convert() clip at 255.
        values = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        grey = np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)
        out = np.empty((*grey.shape, 4), np.uint8)
        out[..., :3] = grey[..., None]
        out[..., 3] = 255
        return out
    if mode == "CMYK" or (mode == "P" and "transparency" not in img.info):
        img = img.convert("RGB")
    if img.mode != "RGBA":
        # L, LA, RGB, P-with-transparency, RGBa, YCbCr...: Pillow's conversions keep alpha when present.
        img = img.convert("RGBA")
    return np.asarray(img, dtype=np.uint8)


def _check_size(path: Path, size: tuple[int, int]) -> None:
    w, h = size
    if w * h > MAX_PIXELS:
        raise DecodeError(
            f"{path}: image too large ({w}x{h}, {w * h / 1e6:.1f} MP); "
            f"the limit is {MAX_PIXELS / 1e6:g} megapixels"
        )


def decode(path: Path | str) -> np.ndarray:
    """Read ``path``; return C-contiguous uint8 (H, W, 4), unpremultiplied, EXIF orientation applied.

    Raises DecodeError with the file name and reason for missing, empty, truncated or non-image files.
    """
    path = Path(path)
    if not path.is_file():
        raise DecodeError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise DecodeError(f"{path}: file is empty, expected an image (JPEG, PNG, WebP, ...)")
    try:
        with warnings.catch_warnings():
            # Our own MAX_PIXELS (below Pillow's warning level) is checked from the header; Pillow
            # still raises DecompressionBombError in open() for sizes past twice its level.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                _check_size(path, img.size)
                img.load()
                img = ImageOps.exif_transpose(img)
                rgba = _to_rgba(img)
    except DecodeError:
        raise
    except UnidentifiedImageError:
        raise DecodeError(f"{path}: not a recognised image format (expected JPEG, PNG, WebP, ...)") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise DecodeError(
            f"{path}: image too large to process safely ({exc}); the limit is {MAX_PIXELS / 1e6:g} megapixels"
        ) from None
    # RuntimeError: Pillow's AVIF plugin reports a damaged file with it (found by tests/test_decode_fuzz.py).
    except (OSError, ValueError, SyntaxError, RuntimeError) as exc:
        raise DecodeError(f"{path}: cannot decode image ({str(exc).strip()})") from None
    if rgba.ndim != 3 or rgba.shape[2] != 4 or 0 in rgba.shape:
        raise DecodeError(f"{path}: decoded to an unusable shape {rgba.shape}")
    return hide_transparent(rgba)


def hide_transparent(rgba: np.ndarray) -> np.ndarray:
    """Black under alpha 0, contiguous. Colour under fully transparent pixels is arbitrary (a
    palette entry, an editor's leftovers) and browsers cannot see it (their canvases premultiply);
    black, as they read it, keeps both pipelines feeding the model the same pixels."""
    rgba = np.ascontiguousarray(rgba)
    hidden = rgba[..., 3] == 0
    if hidden.any():
        if not rgba.flags.writeable:
            rgba = rgba.copy()
        rgba[hidden, :3] = 0
    return rgba
