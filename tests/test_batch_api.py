"""`bgremove.remove` and `bgremove --jobs`: the same cut-outs as the one-process CLI, on real photos."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import bgremove
from bgremove.cli import plan_jobs
from bgremove.decode import DecodeError
from bgremove.models import load_model

BGREMOVE = str(Path(sys.executable).with_name("bgremove"))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BGREMOVE, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(dev_ten, tmp_path_factory) -> Path:
    """Three dev photos and one file that is no image, in one folder."""
    folder = tmp_path_factory.mktemp("batch")
    for sample in dev_ten[:3]:
        shutil.copy(sample.image, folder / sample.image.name)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    return folder


@pytest.fixture(scope="module")
def serial(batch, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("jobs1")
    return out, run_cli(str(batch), "-o", str(out), "--format", "mask", "--jobs", "1")


def test_jobs_2_writes_what_jobs_1_writes(batch, serial, tmp_path):
    out1, first = serial
    second = run_cli(str(batch), "-o", str(tmp_path), "--format", "mask", "--jobs", "2")
    for result in (first, second):
        # The broken file is reported and fails the run; the photos around it are all written.
        assert result.returncode == 1, result.stderr
        assert "broken.jpg" in result.stderr and "1 of 4 file(s) failed" in result.stderr, result.stderr
    written = sorted(p.name for p in out1.iterdir())
    assert len(written) == 3 and sorted(p.name for p in tmp_path.iterdir()) == written
    for name in written:
        assert (tmp_path / name).read_bytes() == (out1 / name).read_bytes(), name


def test_errors_come_in_input_order(tmp_path, batch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.jpg", "c.png"):
        (folder / name).write_bytes(b"")
    shutil.copy(next(p for p in batch.iterdir() if p.name != "broken.jpg"), folder / "b.jpg")
    result = run_cli(str(folder), "-o", str(tmp_path / "out"), "--jobs", "2", "-q")
    lines = [line for line in result.stderr.splitlines() if line.startswith("bgremove: error:")]
    assert [Path(line.split(": ")[2]).name for line in lines] == ["a.jpg", "c.png"], result.stderr
    assert result.returncode == 1 and (tmp_path / "out" / "b.png").is_file()


def test_jobs_split_the_cores_without_oversubscribing():
    assert plan_jobs(None, 100, cores=8) == (8, 1)
    assert plan_jobs(2, 100, cores=8) == (2, 4)
    assert plan_jobs(3, 100, cores=8) == (3, 2)
    assert plan_jobs(None, 3, cores=8) == (3, 2)  # never more workers than files
    assert plan_jobs(1, 5, cores=2) == (1, 2)
    for jobs in range(1, 9):
        n, threads = plan_jobs(jobs, 1000, cores=8)
        assert n * threads <= 8


def test_remove_takes_a_path_bytes_a_pil_image_or_an_array(batch, serial):
    out1, _ = serial
    photo = next(p for p in sorted(batch.iterdir()) if p.name != "broken.jpg")
    expected = np.asarray(Image.open(out1 / (photo.stem + ".png")))
    with Image.open(photo) as im:
        pil = im.copy()
    inputs = {"path": photo, "str": str(photo), "bytes": photo.read_bytes(), "pil": pil,
              "array": np.asarray(pil.convert("RGB"))}
    for kind, image in inputs.items():
        result = bgremove.remove(image, mask=True)
        assert result.image.dtype == np.uint8 and result.image.shape == expected.shape, kind
        assert np.array_equal(result.image, expected), kind
        assert result.timings.inference > 0 and result.timings.total > 0, kind
        assert result.model == load_model(runtime="native").id
    # One session per model per process, whatever the call.
    assert load_model(runtime="native") is load_model(result.model)

    cutout = bgremove.remove(photo, background="#ffffff", feather=2)
    assert cutout.image.shape == (*expected.shape, 4)
    saved = Path(out1.parent) / "api-cutout.webp"
    cutout.save(saved)
    with Image.open(saved) as im:
        assert im.format == "WEBP" and im.size == pil.size
    buffer = io.BytesIO()
    bgremove.remove(photo, mask=True).save(buffer)
    assert buffer.getvalue() == (out1 / (photo.stem + ".png")).read_bytes()


def test_remove_explains_bad_input():
    with pytest.raises(DecodeError, match=r"<image: 9 bytes>: not a recognised image format"):
        bgremove.remove(b"not a jpg")
    with pytest.raises(ValueError, match="uint8"):
        bgremove.remove(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="unknown option"):
        bgremove.remove(np.zeros((8, 8, 3), np.uint8), treshold=0.3)
    with pytest.raises(TypeError, match="path, bytes, a PIL image or a numpy array"):
        bgremove.remove(io.BytesIO(b"x"))
