"""``bgremove --edits`` and ``bgremove.remove(edits=)`` on real dev photos with the real model:
strokes replay on the alpha, a bad edits file fails only its photo, usage mistakes are refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import bgcut
import bgremove
from bgremove.cli import main

from .conftest import DevSample

MODEL = ["--model", "u2netp-fp32"]


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        return img.size


def doc(w: int, h: int, *strokes: dict) -> dict:
    return {"version": 1, "photo": {"width": w, "height": h}, "strokes": list(strokes)}


def mask_of(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def test_edits_file_replays_on_one_photo_and_matches_the_python_api(
    dev_ten: list[DevSample], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = dev_ten[2].image
    w, h = size_of(photo)
    plain = tmp_path / "plain"
    assert main([str(photo), "-o", str(plain), "--format", "mask", "-q", *MODEL]) == 0
    before = mask_of(plain / f"{photo.stem}.png")
    # Erase a disc in the subject's middle and keep one in a background corner, without snapping.
    ys, xs = np.nonzero(before == 255)
    cx, cy = float(np.median(xs)), float(np.median(ys))
    strokes = doc(w, h, {"mode": "erase", "radius": 6, "snap": False, "points": [[cx, cy], [cx + 4, cy]]},
                  {"mode": "keep", "radius": 5, "snap": False, "points": [[7.5, 7.5]]},
                  {"mode": "keep", "radius": 0.01, "snap": False, "points": [[7.5, 7.5]]})  # clipped
    edits_file = tmp_path / "fix.json"
    edits_file.write_text(json.dumps(strokes))
    edited = tmp_path / "edited"
    assert main([str(photo), "-o", str(edited), "--format", "mask", "-q", "--edits", str(edits_file),
                 *MODEL]) == 0
    after = mask_of(edited / f"{photo.stem}.png")
    err = capsys.readouterr().err
    assert f"warning: edits file {edits_file}: Stroke 3: radius 0.01 px clipped to 0.5 px" in err
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    in_erase = np.hypot(np.maximum(0, np.abs(xx - (cx + 2)) - 2), yy - cy) < 6.5
    in_keep = np.hypot(xx - 7.5, yy - 7.5) < 5.5
    np.testing.assert_array_equal(after[~(in_erase | in_keep)], before[~(in_erase | in_keep)])
    assert (after[np.hypot(xx - cx, yy - cy) < 5] == 0).all()
    assert (after[np.hypot(xx - 7.5, yy - 7.5) < 4] == 255).all()
    # The Python API with the same file (as a Path, and as the dict) gives the same alpha.
    via_path = bgremove.remove(photo, mask=True, model="u2netp-fp32", edits=edits_file)
    via_dict = bgremove.remove(photo, mask=True, model="u2netp-fp32", edits=strokes)
    np.testing.assert_array_equal(via_path.image, after)
    np.testing.assert_array_equal(via_dict.image, after)
    # RGBA output carries the same edited alpha.
    rgba_dir = tmp_path / "rgba"
    assert main([str(photo), "-o", str(rgba_dir), "-q", "--edits", str(edits_file), *MODEL]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(rgba_dir / f"{photo.stem}.png"))[..., 3], after)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bad_edits_file_fails_only_its_photo(
    dev_ten: list[DevSample], tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    photos = [s.image for s in dev_ten[:5]]
    folder = tmp_path / "edits"
    folder.mkdir()
    sizes = [size_of(p) for p in photos]
    good = doc(*sizes[0], {"mode": "keep", "radius": 4, "snap": False, "points": [[5.5, 5.5]]})
    (folder / f"{photos[0].name}.json").write_text(json.dumps(good))   # photo.jpg.json
    w1, h1 = sizes[1]
    (folder / f"{photos[1].stem}.json").write_text(json.dumps(doc(w1 + 1, h1)))  # wrong size
    nan = doc(*sizes[2], {"mode": "keep", "radius": 3, "points": [[float("nan"), 1]]})
    (folder / f"{photos[2].stem}.json").write_text(json.dumps(nan))          # NaN (json writes NaN)
    pts = [[1.0, 1.0]] * 1_000_000                                            # a million points
    (folder / f"{photos[3].stem}.json").write_text(json.dumps(doc(*sizes[3], {"mode": "erase", "radius": 2,
                                                                                "points": pts})))
    # photos[4] has no edits file: processed without edits.
    out = tmp_path / "out"
    rc = main([*map(str, photos), "-o", str(out), "--format", "mask", "-q", "-j", jobs,
               "--edits", str(folder), *MODEL])
    err = capsys.readouterr().err
    assert rc == 1
    assert "3 of 5 file(s) failed" in err
    assert f"{photos[1].stem}.json: The edits file is for a {w1 + 1} x {h1} photo" in err
    assert f"{photos[2].stem}.json: The edits file contains NaN" in err
    assert "1000000 points; the limit is 200000" in err
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted([f"{photos[0].stem}.png", f"{photos[4].stem}.png"])
    first = mask_of(out / f"{photos[0].stem}.png")
    assert (first[:9, :9][np.hypot(*np.mgrid[0:9, 0:9] + 0.5 - 5.5) < 3.5] == 255).all()


def test_usage_mistakes_are_refused(dev_ten: list[DevSample], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    photos = [str(s.image) for s in dev_ten[:2]]
    one = tmp_path / "one.json"
    one.write_text(json.dumps(doc(1, 1)))
    assert main([*photos, "-o", str(tmp_path / "o"), "-q", "--edits", str(one), *MODEL]) == 2
    assert "is one file but there are 2 photos" in capsys.readouterr().err
    assert main([photos[0], "-o", str(tmp_path / "o"), "-q", "--edits", str(tmp_path / "nope.json"),
                 *MODEL]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(bgcut.EditsError, match="The edits file is for a 1 x 1 photo"):
        bgremove.remove(photos[0], model="u2netp-fp32", edits=one)
