"""Real HEIC files made from dev photos with pillow-heif's encoder (x265), in the test's tmp folder.

Nothing here is committed: the dev photos are research-licensed, and the encoder makes the files in
about a second each.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

# At most this long a side: the encoder and both decoders stay fast, the photo stays a photo.
LONG_SIDE = 960


def _photo(src: Path) -> Image.Image:
    with Image.open(src) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
    img.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    # Even sides, as cameras write them: an odd side makes the encoder add a clean-aperture crop.
    return img.crop((0, 0, img.width & ~1, img.height & ~1))


def make_heic(src: Path, dst: Path, *, orientation: int = 1, ten_bit: bool = False) -> Path:
    """Encode src as HEIC. orientation 6 stores the pixels as they are and an irot box (written by
    libheif from the EXIF tag) telling decoders to turn them 90° clockwise; ten_bit stores 10 bits."""
    import pillow_heif

    img = _photo(src)
    kwargs: dict = {"quality": 92}
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif.tobytes()
    if ten_bit:
        wide = np.asarray(img).astype(np.uint16) * 257
        heif = pillow_heif.from_bytes(mode="RGB;16", size=img.size, data=wide.tobytes())
        heif.save(dst, **kwargs)
    else:
        pillow_heif.from_pillow(img).save(dst, **kwargs)
    return dst


def claim_size(data: bytes, width: int, height: int) -> bytes:
    """The same file with every ispe (image spatial extents) box claiming width x height."""
    out = bytearray(data)
    start = 0
    found = 0
    while (i := out.find(b"ispe", start)) != -1:
        # size(4) 'ispe' version/flags(4) width(4) height(4)
        if struct.unpack(">I", out[i - 4:i])[0] == 20:
            out[i + 8:i + 16] = struct.pack(">II", width, height)
            found += 1
        start = i + 4
    assert found, "no ispe box found"
    return bytes(out)


def pillow_rgb(path: Path) -> np.ndarray:
    """The dev photo as the encoder saw it (for checking what a decoder returns)."""
    return np.asarray(_photo(path))
