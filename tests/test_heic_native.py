"""HEIC/HEIF in the CLI's decoder (pillow-heif): real files encoded here from dev photos."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bgremove.decode import IMAGE_SUFFIXES, DecodeError, decode
from tests.heic_support import claim_size, make_heic, pillow_rgb

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def heics(dev_ten, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("heic")
    src = dev_ten[3].image
    return {
        "source": src,
        "plain": make_heic(src, folder / "plain.heic"),
        "rotated": make_heic(src, folder / "rotated.heic", orientation=6),
        "mirrored": make_heic(src, folder / "mirrored.heic", orientation=2),
        "ten_bit": make_heic(src, folder / "ten.heic", ten_bit=True),
    }


def _close(a: np.ndarray, b: np.ndarray) -> None:
    """Lossy HEVC at quality 92: close to the source photo; a wrong turn or flip is far off."""
    assert a.shape == b.shape, (a.shape, b.shape)
    assert float(np.mean(np.abs(a.astype(float) - b.astype(float)))) < 4


def test_heic_decodes_to_the_photo(heics):
    rgba = decode(heics["plain"])
    assert rgba.dtype == np.uint8 and rgba.flags.c_contiguous
    assert (rgba[..., 3] == 255).all()
    _close(rgba[..., :3], pillow_rgb(heics["source"]))


def test_orientation_follows_irot_and_imir_once(heics):
    """EXIF orientation 6 is written as irot: the picture comes out turned, exactly once (libheif
    applies irot; the EXIF tag it repeats is not applied again)."""
    plain = decode(heics["plain"])
    rotated = decode(heics["rotated"])
    assert rotated.shape == (plain.shape[1], plain.shape[0], 4)
    # Not bit-identical: 4:2:0 chroma of an odd-sized picture is sited differently once turned.
    _close(rotated, np.rot90(plain, -1))
    _close(decode(heics["mirrored"]), plain[:, ::-1])


def test_ten_bit_heic_becomes_eight_bit(heics):
    with Image.open(heics["ten_bit"]) as img:
        assert img.info.get("bit_depth", 10) == 10 or img.mode.endswith("16")
    rgba = decode(heics["ten_bit"])
    assert rgba.dtype == np.uint8
    _close(rgba[..., :3], pillow_rgb(heics["source"]))
    # Spread over the whole 8-bit range, not squeezed into the top or bottom bits.
    assert rgba[..., :3].max() > 200 and rgba[..., :3].min() < 60


def test_truncated_heic_is_refused_with_its_name(heics, tmp_path):
    data = heics["plain"].read_bytes()
    cut = tmp_path / "cut.heic"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DecodeError, match=r"cut\.heic: cannot decode image"):
        decode(cut)


def test_heic_claiming_30000_square_is_refused_before_decoding(heics, tmp_path):
    huge = tmp_path / "huge.heic"
    huge.write_bytes(claim_size(heics["plain"].read_bytes(), 30000, 30000))
    with pytest.raises(DecodeError, match=r"huge\.heic: image too large.*64 megapixels"):
        decode(huge)


def test_cli_takes_heic_from_a_folder_and_names_the_result_after_it(heics, tmp_path):
    assert {".heic", ".heif"} <= IMAGE_SUFFIXES
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "IMG_0001.HEIC").write_bytes(heics["rotated"].read_bytes())
    (folder / "broken.heic").write_bytes(heics["plain"].read_bytes()[:4000])
    out = tmp_path / "out"
    cli = Path(sys.executable).with_name("bgremove")
    proc = subprocess.run([str(cli), str(folder), "-o", str(out), "-q", "--model", "u2netp-uint8"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    # One broken file fails on its own; the other is processed.
    assert "broken.heic" in proc.stderr, proc.stderr
    result = out / "IMG_0001.png"
    assert result.is_file(), (proc.stdout, proc.stderr)
    with Image.open(result) as img:
        assert img.mode == "RGBA"
        assert img.size == (decode(heics["rotated"]).shape[1], decode(heics["rotated"]).shape[0])
