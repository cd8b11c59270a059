"""Unusual and hostile image files: the builders shared with test_browser_bad_files.py, and the native
decoder's handling of each (bgremove/decode.py), including the pixel limit checked from the header."""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bgremove.decode import MAX_PIXELS, DecodeError, decode

ROOT = Path(__file__).resolve().parents[1]


def photo(source: Path, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A small RGB version of a dev photo: the odd formats below are built from real content."""
    with Image.open(source) as img:
        return img.convert("RGB").resize(size, Image.Resampling.BILINEAR)


def png_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **kw)
    return buf.getvalue()


def jpeg_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92, **kw)
    return buf.getvalue()


def huge_png_header(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny valid PNG whose IHDR is patched to claim width x height (CRC fixed up)."""
    data = bytearray(png_bytes(Image.new("RGB", (4, 4), (10, 200, 30))))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def huge_jpeg_header(img: Image.Image, width: int = 30000, height: int = 30000) -> bytes:
    data = bytearray(jpeg_bytes(img))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def huge_gif_header(width: int = 20000, height: int = 20000) -> bytes:
    buf = io.BytesIO()
    Image.new("P", (4, 4)).save(buf, "GIF")
    data = bytearray(buf.getvalue())
    data[6:10] = struct.pack("<HH", width, height)  # the logical screen size
    return bytes(data)


def huge_bmp_header(width: int = 20000, height: int = 20000) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "BMP")
    data = bytearray(buf.getvalue())
    data[18:26] = struct.pack("<ii", width, -height)  # negative height: top-down rows
    return bytes(data)


def exif_rotated_jpeg(img: Image.Image, orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg_bytes(img, exif=exif.tobytes())


def cmyk_jpeg(img: Image.Image) -> bytes:
    return jpeg_bytes(img.convert("CMYK"))


def sixteen_bit_grey_png(img: Image.Image) -> bytes:
    grey = np.asarray(img.convert("L"), dtype=np.uint16) * 257
    return png_bytes(Image.fromarray(grey.astype(np.uint16)))


def palette_png_with_transparency(img: Image.Image) -> bytes:
    pal = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return png_bytes(pal, transparency=0)


def animated_gif(img: Image.Image) -> bytes:
    frames = [img.convert("P", palette=Image.Palette.ADAPTIVE), img.rotate(180).convert("P")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" '
                   b'onload="fetch(\'/leak\')"><script>fetch("/leak2")</script>'
                   b'<rect width="64" height="64" fill="red"/></svg>\n')
# The start of a HEIC file: an ftyp box with the heic brand (no image data follows; no browser on
# Linux decodes HEIC anyway).
HEIC_START = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + b"\0" * 64


def test_limit_is_the_same_as_the_browser() -> None:
    js = (ROOT / "web/src/worker/decode.js").read_text()
    found = re.search(r"MAX_PIXELS = ([\d_]+);", js)
    assert found and int(found.group(1).replace("_", "")) == MAX_PIXELS


def test_huge_header_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(huge_png_header(10000, 10000))  # under Pillow's own bomb limit: ours decides
    t0 = time.perf_counter()
    with pytest.raises(DecodeError, match=r"huge\.png: image too large \(10000x10000, 100\.0 MP\); "
                                          r"the limit is 64 megapixels"):
        decode(path)
    assert time.perf_counter() - t0 < 1  # 3.6 GB of RGBA would take far longer: nothing was decoded


@pytest.mark.parametrize(("name", "make"), [("huge.gif", huge_gif_header), ("huge.bmp", huge_bmp_header)])
def test_other_huge_headers(tmp_path: Path, name: str, make) -> None:
    (tmp_path / name).write_bytes(make(10000, 10000))
    with pytest.raises(DecodeError, match=re.escape(name) + r": image too large.*the limit is 64 megapixels"):
        decode(tmp_path / name)


def test_decompression_bomb_becomes_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(huge_png_header())  # 900 MP: beyond Pillow's own bomb limit, it refuses in open()
    with pytest.raises(DecodeError, match=r"bomb\.png: image too large.*the limit is 64 megapixels"):
        decode(path)


def test_unusual_but_valid_files(dev_ten, tmp_path: Path) -> None:
    img = photo(dev_ten[0].image)
    cases = {
        "cmyk.jpg": cmyk_jpeg(img), "grey16.png": sixteen_bit_grey_png(img),
        "grey.png": png_bytes(img.convert("L")), "palette.png": palette_png_with_transparency(img),
        "rotated.jpg": exif_rotated_jpeg(img), "anim.gif": animated_gif(img),
    }
    out = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        out[name] = decode(tmp_path / name)
    assert out["rotated.jpg"].shape == (480, 360, 4)  # orientation 6: width and height swap
    for name, rgba in out.items():
        if name != "rotated.jpg":
            assert rgba.shape == (360, 480, 4), name
    assert out["palette.png"][..., 3].min() == 0 and out["palette.png"][..., 3].max() == 255
    grey16 = out["grey16.png"]
    assert np.abs(grey16[..., 0].astype(int) - np.asarray(img.convert("L"), int)).max() <= 1
    # CMYK round trip keeps the picture (not inverted): close to the RGB source.
    assert np.abs(out["cmyk.jpg"][..., :3].astype(int) - np.asarray(img, int)).mean() < 12
    # The animated GIF's first frame, not the rotated second one.
    first = np.asarray(img.convert("P", palette=Image.Palette.ADAPTIVE).convert("RGB"), int)
    assert np.abs(out["anim.gif"][..., :3].astype(int) - first).mean() < 3


@pytest.mark.parametrize(("name", "data", "message"), [
    ("drawing.svg", SVG_WITH_SCRIPT, "not a recognised image format"),
    ("photo.heic", HEIC_START, "not a recognised image format"),
    ("empty.png", b"", "file is empty"),
])
def test_unreadable_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(DecodeError, match=re.escape(name) + ".*" + message):
        decode(tmp_path / name)


def test_truncated_jpeg_is_refused(dev_ten, tmp_path: Path) -> None:
    data = jpeg_bytes(photo(dev_ten[0].image))
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(DecodeError, match=r"half\.jpg: cannot decode image"):
        decode(tmp_path / "half.jpg")
