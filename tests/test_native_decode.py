"""bgremove.decode: every common Pillow mode becomes upright uint8 RGBA; bad files get clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bgremove.decode import DecodeError, decode


def gradient(h: int = 24, w: int = 36) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return np.stack([xx * 7 % 256, yy * 10 % 256, (xx + yy) * 3 % 256], axis=-1).astype(np.uint8)


def test_rgb_png_round_trips(tmp_path: Path) -> None:
    rgb = gradient()
    Image.fromarray(rgb).save(tmp_path / "a.png")
    out = decode(tmp_path / "a.png")
    assert out.shape == (24, 36, 4) and out.dtype == np.uint8 and out.flags.c_contiguous
    np.testing.assert_array_equal(out[..., :3], rgb)
    assert (out[..., 3] == 255).all()


def test_grey_grey_alpha_and_palette_transparency(tmp_path: Path) -> None:
    grey = gradient()[..., 0]
    Image.fromarray(grey).save(tmp_path / "l.png")
    out = decode(tmp_path / "l.png")
    np.testing.assert_array_equal(out[..., 1], grey)
    la = Image.fromarray(np.stack([grey, np.full_like(grey, 77)], -1), mode="LA")
    la.save(tmp_path / "la.png")
    assert (decode(tmp_path / "la.png")[..., 3] == 77).all()
    pal = Image.fromarray(gradient()).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    pal.info["transparency"] = 0
    pal.save(tmp_path / "p.png", transparency=0)
    p_out = decode(tmp_path / "p.png")
    idx = np.asarray(Image.open(tmp_path / "p.png"))
    assert (p_out[..., 3][idx == 0] == 0).all() and (p_out[..., 3][idx != 0] == 255).all()


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = (np.arange(24 * 36, dtype=np.uint32).reshape(24, 36) * 75).astype(np.uint16)
    Image.fromarray(values).save(tmp_path / "g16.png")
    out = decode(tmp_path / "g16.png")
    expected = np.rint(values / 65535 * 255)
    assert np.abs(out[..., 0].astype(int) - expected).max() <= 1


def test_cmyk_jpeg(tmp_path: Path) -> None:
    Image.new("CMYK", (20, 10), (0, 255, 255, 0)).save(tmp_path / "c.jpg")
    out = decode(tmp_path / "c.jpg")
    assert out.shape == (10, 20, 4)
    assert out[..., 0].mean() > 200 and out[..., 1].mean() < 60


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = Image.fromarray(gradient(24, 36))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    img.save(tmp_path / "rot.jpg", exif=exif, quality=95)
    assert decode(tmp_path / "rot.jpg").shape == (36, 24, 4)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.png", b"", "file is empty"),
        ("text.png", b"this is not an image\n", "not a recognised image format"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DecodeError, match=reason) as info:
        decode(path)
    assert str(path) in str(info.value)


def test_truncated_jpeg_and_missing_file(tmp_path: Path) -> None:
    Image.fromarray(gradient(200, 300)).save(tmp_path / "full.jpg", quality=95)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(DecodeError, match=r"cut\.jpg: cannot decode image .*truncated"):
        decode(tmp_path / "cut.jpg")
    with pytest.raises(DecodeError, match="no such file"):
        decode(tmp_path / "missing.jpg")
