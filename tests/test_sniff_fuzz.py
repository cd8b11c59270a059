"""The browser's header sniffers and size checks (web/src/worker/sniff.js, jpeg-size.js, decode.js)
under Node: real headers of every format, the JPEG padding that hid a frame header past the first
megabyte, and fuzzing with mutated and random bytes (issue #14, finding 6 and the fuzzing item)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "sniff_fuzz.mjs"


def run_node(tmp_path: Path, seeds: list[Path], *, mutations: int = 0, random: int = 0,
             seed: int = 1) -> dict:
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"seeds": [{"path": str(p)} for p in seeds], "mutations": mutations,
                               "random": random, "seed": seed}))
    # A hang is a failure too: nothing here may take long.
    proc = subprocess.run(["node", str(SCRIPT), str(job)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pad_jpeg(data: bytes, segments: int) -> bytes:
    """Insert APP15 segments of the largest size right after SOI, pushing the frame header back."""
    assert data[:2] == b"\xff\xd8"
    app = b"\xff\xef" + struct.pack(">H", 0xFFFF) + b"\0" * (0xFFFF - 2)
    return data[:2] + app * segments + data[2:]


def claim_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """The same file with its SOF saying another size (what a lying or gigapixel header looks like)."""
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return data[:i + 5] + struct.pack(">HH", height, width) + data[i + 9:]
        i += 2 + length
    raise AssertionError("no SOF")


@pytest.fixture(scope="module")
def seeds(dev_set, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("seeds")
    photo = dev_set[0].image
    files = {"jpeg": photo}
    with Image.open(photo) as im:
        small = im.convert("RGB").resize((96, 64))
    for name, kwargs in {
        "png": {"format": "PNG"},
        "gif": {"format": "GIF"},
        "webp-lossy": {"format": "WEBP", "quality": 80},
        "webp-lossless": {"format": "WEBP", "lossless": True},
        "bmp": {"format": "BMP"},
        "avif": {"format": "AVIF", "quality": 50},
        "tiff": {"format": "TIFF"},
    }.items():
        buf = io.BytesIO()
        small.save(buf, **kwargs)
        files[name] = out / f"seed-{name}"
        files[name].write_bytes(buf.getvalue())
    rgba = small.convert("RGBA")
    files["webp-alpha"] = out / "seed-webp-alpha"
    buf = io.BytesIO()
    rgba.save(buf, format="WEBP", quality=80)  # VP8X
    files["webp-alpha"].write_bytes(buf.getvalue())
    files["jpeg-padded"] = out / "seed-jpeg-padded"
    files["jpeg-padded"].write_bytes(pad_jpeg(photo.read_bytes(), 40))
    return files


def test_every_format_reports_its_real_size(seeds, tmp_path):
    result = run_node(tmp_path, list(seeds.values()))
    assert result["failureCount"] == 0, result["failures"]
    for got in result["expected"]:
        with Image.open(got["path"]) as im:
            assert (got["width"], got["height"]) == im.size, got


def test_frame_header_past_the_first_megabyte_is_found(seeds, tmp_path):
    """40 x 64 KB APP segments (2.6 MB) before the SOF: the 1 MB head reader saw no size at all."""
    padded = seeds["jpeg-padded"]
    assert padded.stat().st_size > 2 * (1 << 20)
    got = run_node(tmp_path, [padded])["expected"][0]
    with Image.open(seeds["jpeg"]) as im:
        assert (got["width"], got["height"]) == im.size


def test_padded_gigapixel_claim_is_refused_before_decoding(seeds, tmp_path):
    """The bypass of the report: a padded JPEG whose frame header claims 60000x60000. It must be
    refused from its header, never reach createImageBitmap."""
    data = claim_jpeg_size(pad_jpeg(seeds["jpeg"].read_bytes(), 40), 60000, 60000)
    path = tmp_path / "giga.jpg"
    path.write_bytes(data)
    out = _decode_in_node(path, "giga.jpg")
    assert out.startswith("UserError: This image is too large"), out
    assert "its JPEG header says 60000x60000" in out


@pytest.mark.parametrize("kind", ["avif-no-ispe", "jpeg-no-sof", "png-no-ihdr", "webp-unknown-chunk"])
def test_unknown_size_is_refused_not_decoded(kind, seeds, tmp_path):
    """Where the size cannot be read before decoding, the file is refused with a message rather than
    handed to a decoder that would size its buffers from the file itself."""
    if kind == "avif-no-ispe":
        data = seeds["avif"].read_bytes().replace(b"ispe", b"xxxx")
    elif kind == "jpeg-no-sof":
        app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        data = b"\xff\xd8" + app0 + b"\xff\xda\x00\x08" + b"\x00" * 100 + b"\xff\xd9"
    elif kind == "png-no-ihdr":
        data = seeds["png"].read_bytes().replace(b"IHDR", b"IHDX", 1)
    else:
        data = seeds["webp-lossy"].read_bytes().replace(b"VP8 ", b"VP8Z", 1)
    path = tmp_path / kind
    path.write_bytes(data)
    out = _decode_in_node(path, "x")
    assert out.startswith("UserError: "), out
    assert "DECODER REACHED" not in out
    assert "does not say how large it is" in out, out


def _decode_in_node(path: Path, name: str) -> str:
    """The worker's decodeToPixels on the file under Node, with a createImageBitmap that fails
    loudly if reached; returns what it printed: 'decoded' or the error's name and message."""
    script = f"""
      globalThis.createImageBitmap = async () => {{ throw new Error('DECODER REACHED'); }};
      const {{ decodeToPixels }} = await import({json.dumps((ROOT / 'web/src/worker/decode.js').as_uri())});
      const {{ readFileSync }} = await import('node:fs');
      const blob = new Blob([readFileSync({json.dumps(str(path))})]);
      try {{
        await decodeToPixels(blob, {json.dumps(name)}, {{ budgetBytes: Infinity }});
        console.log('decoded');
      }} catch (e) {{ console.log(e.name + ': ' + e.message); }}
    """
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_fuzz_sniffers_and_header_checks(seeds, tmp_path):
    """Mutated real headers of PNG, JPEG, GIF, WebP, BMP, AVIF and TIFF, and random bytes behind each
    magic number: every input gets a size or a clear refusal; nothing throws or hangs."""
    result = run_node(tmp_path, [p for k, p in seeds.items() if k != "jpeg-padded"], mutations=150,
                      random=700, seed=14)
    assert result["failureCount"] == 0, result["failures"]
    # The run really exercised both outcomes on several formats.
    assert result["refused"] > 100 and result["decoded"] > 100, result
    assert {"png", "jpeg", "gif", "webp", "bmp", "avif", "tiff"} <= set(result["formats"]), result["formats"]
