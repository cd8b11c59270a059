"""The bgremove CLI end to end on real dev photos with the real u2netp model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bgremove.cli import main

from .conftest import ROOT, DevSample

MODEL = ["--model", "u2netp-fp32"]


def iou(alpha: np.ndarray, gt_path: Path) -> float:
    gt = np.asarray(Image.open(gt_path).convert("L")) > 127
    fg = alpha > 127
    return float((fg & gt).sum() / max(1, (fg | gt).sum()))


def test_dev_photos_are_cut_out_at_full_size(dev_ten: list[DevSample], tmp_path: Path) -> None:
    rc = main([str(s.image) for s in dev_ten] + ["-o", str(tmp_path), "-q", *MODEL])
    assert rc == 0
    scores = []
    for s in dev_ten:
        out = Image.open(tmp_path / f"{s.stem}.png")
        assert out.mode == "RGBA"
        assert out.size == Image.open(s.image).size
        scores.append(iou(np.asarray(out)[..., 3], s.gt))
    assert np.mean(scores) > 0.5, scores


def test_mask_format_is_8bit_grey_png_at_input_size(dev_ten: list[DevSample], tmp_path: Path) -> None:
    picks = dev_ten[:2]
    assert main([str(s.image) for s in picks] + ["-o", str(tmp_path), "--format", "mask", "-q", *MODEL]) == 0
    for s in picks:
        mask = Image.open(tmp_path / f"{s.stem}.png")
        assert mask.format == "PNG" and mask.mode == "L"
        assert mask.size == Image.open(s.image).size


def test_broken_files_fail_clearly_and_the_rest_complete(
    dev_ten: list[DevSample], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.png").write_bytes(b"")
    (bad / "notes.png").write_text("not really a png\n")
    data = dev_ten[0].image.read_bytes()
    (bad / "cut.jpg").write_bytes(data[: len(data) // 4])
    good = dev_ten[1].image
    out = tmp_path / "out"
    inputs = [str(good)] + [str(bad / name) for name in ("empty.png", "notes.png", "cut.jpg")]
    rc = main([*inputs, "-o", str(out), "-q", *MODEL])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"{bad / 'empty.png'}: file is empty" in err
    assert f"{bad / 'notes.png'}: not a recognised image format" in err
    assert f"{bad / 'cut.jpg'}: cannot decode image" in err and "truncated" in err
    assert "3 of 4 file(s) failed" in err
    assert (out / f"{good.stem}.png").is_file()
    assert sorted(p.name for p in out.iterdir()) == [f"{good.stem}.png"]


def test_backgrounds_webp_and_directories(dev_ten: list[DevSample], tmp_path: Path) -> None:
    src = tmp_path / "photos"
    src.mkdir()
    for s in dev_ten[:2]:
        (src / s.image.name).write_bytes(s.image.read_bytes())
    (src / "readme.txt").write_text("ignored: not an image")
    import skimage.data

    Image.fromarray(skimage.data.coffee()).save(tmp_path / "coffee.png")
    for bg in ("#ffffff", "blur", str(tmp_path / "coffee.png")):
        out = tmp_path / f"out_{len(bg)}"
        assert main([str(src), "-o", str(out), "--background", bg, "--format", "webp", "-q", *MODEL]) == 0
        made = sorted(out.iterdir())
        assert [p.name for p in made] == sorted(f"{s.stem}.webp" for s in dev_ten[:2])
        img = Image.open(made[0])
        assert img.format == "WEBP"
        assert np.asarray(img.convert("RGBA"))[..., 3].min() == 255  # opaque background


def test_refinement_flags_and_bad_options(dev_ten: list[DevSample], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    image = str(dev_ten[3].image)
    args = [image, "-o", str(tmp_path), "--format", "mask", "-q", *MODEL]
    shaped = ["--refine", "none", "--threshold", "0.5", "--edge-shift", "-2", "--feather", "3"]
    assert main([*args, *shaped]) == 0
    assert main([*args, "--refine", "guided", "--radius", "4", "--eps", "0.01", "--no-decontaminate"]) == 0
    assert main([*args, "--threshold", "1.5"]) == 2
    assert "threshold must be" in capsys.readouterr().err
    assert main([*args[:-2], "--model", "no-such-model"]) == 2
    assert "unknown model 'no-such-model'" in capsys.readouterr().err


def test_console_script_uses_the_manifest_default(dev_ten: list[DevSample], tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("bgremove")
    proc = subprocess.run([str(exe), str(dev_ten[5].image), "-o", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / f"{dev_ten[5].stem}.png").is_file()


def test_pass_flags_and_their_old_names() -> None:
    """--no-mirror / --no-crop, and the flags' names before the passes had one name, unlisted."""
    from bgremove.cli import _options, _parser

    for flags in (["--no-mirror", "--no-crop"], ["--no-flip", "--no-crop-pass"]):
        opts = _options(_parser().parse_args(["in.jpg", "-o", "out", *flags]))
        assert (opts["mirror"], opts["crop"]) == (False, False)
    assert "--no-flip" not in _parser().format_help()
