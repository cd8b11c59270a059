"""The CLI decoder (bgremove/decode.py) under hypothesis: real small images of every format it reads,
with bytes overwritten, size fields set to extremes, chunks repeated and files cut short. Every
input either decodes to uint8 RGBA within the pixel limit or raises DecodeError with a message;
nothing else escapes (issue #14, fuzzing)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bgremove.decode import MAX_PIXELS, DecodeError, decode

FORMATS = {
    "png": {"format": "PNG"},
    "jpeg": {"format": "JPEG", "quality": 80},
    "gif": {"format": "GIF"},
    "webp": {"format": "WEBP", "quality": 80},
    "webp-lossless": {"format": "WEBP", "lossless": True},
    "bmp": {"format": "BMP"},
    "tiff": {"format": "TIFF"},
    "avif": {"format": "AVIF", "quality": 50},
}


@pytest.fixture(scope="module")
def seeds(dev_set) -> dict[str, bytes]:
    with Image.open(dev_set[0].image) as im:
        small = im.convert("RGB").resize((48, 32))
    out = {}
    for name, kwargs in FORMATS.items():
        buf = io.BytesIO()
        small.save(buf, **kwargs)
        out[name] = buf.getvalue()
    try:
        import pillow_heif

        heif = pillow_heif.from_pillow(small)
        buf = io.BytesIO()
        heif.save(buf, format="HEIF", quality=50)
        out["heic"] = buf.getvalue()
    except Exception as exc:  # an encoder-less libheif build still decodes; then fuzz the rest
        pytest.fail(f"cannot write a HEIC seed with pillow-heif: {exc}")
    return out


edits = st.lists(st.tuples(st.integers(0, 511), st.integers(0, 255)), max_size=12)
extremes = st.lists(st.tuples(st.integers(0, 255), st.sampled_from([b"\x00\x00", b"\xff\xff", b"\x7f\xff",
                                                                       b"\x00\x01"])), max_size=3)


def _mutate(data: bytes, byte_edits, field_edits, cut: float | None, repeat: tuple[int, int] | None) -> bytes:
    b = bytearray(data)
    for pos, value in byte_edits:
        if pos < len(b):
            b[pos] = value
    for pos, value in field_edits:
        if pos + 2 <= len(b):
            b[pos:pos + 2] = value
    if repeat is not None:
        start, length = repeat
        start = min(start, len(b))
        b[start:start] = b[start:start + length]
    if cut is not None:
        b = b[: max(1, int(len(b) * cut))]
    return bytes(b)


def _check(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz.{suffix}"
        path.write_bytes(data)
        try:
            rgba = decode(path)
        except DecodeError as exc:
            assert str(exc).startswith(str(path)) and len(str(exc)) > len(str(path)) + 5, exc
            return
        assert rgba.dtype == np.uint8 and rgba.ndim == 3 and rgba.shape[2] == 4, rgba.shape
        assert 0 < rgba.shape[0] * rgba.shape[1] <= MAX_PIXELS
        assert rgba.flags.c_contiguous


FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("fmt", [*FORMATS, "heic"])
@FUZZ
@given(byte_edits=edits, field_edits=extremes,
       cut=st.one_of(st.none(), st.floats(0.0, 1.0)),
       repeat=st.one_of(st.none(), st.tuples(st.integers(0, 512), st.integers(1, 256))))
def test_mutated_headers_decode_or_refuse(seeds, fmt, byte_edits, field_edits, cut, repeat):
    data = _mutate(seeds[fmt], byte_edits, field_edits, cut, repeat)
    _check(data, "heic" if fmt == "heic" else fmt.split("-")[0])


@FUZZ
@given(data=st.binary(min_size=1, max_size=2048),
       magic=st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\0\0\0\0WEBP", b"BM",
                              b"\0\0\0\x1cftypavif", b"\0\0\0\x18ftypheic", b"II*\0", b""]))
def test_random_bytes_behind_a_magic_number(data, magic):
    _check(magic + data, "img")


def test_seeds_decode(seeds, tmp_path):
    """The unmutated seeds are real images: the fuzzing starts from files that work."""
    for name, data in seeds.items():
        path = tmp_path / f"seed-{name}"
        path.write_bytes(data)
        assert decode(path).shape[:2] == (32, 48), name
