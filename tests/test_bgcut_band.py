"""The band-limited post-processing (bgcut.band) against the full-resolution path it replaces.

The full path (``bgcut.postprocessing.postprocess_full``) computes every pixel in float32; the band path
computes only the tiles around the outline and fills the rest with uint8 0/255. On real dev photos
with real model masks the two must give the same alpha, byte for byte, and the same colours
wherever decontamination is off. With decontamination on, the band path builds the blur-fusion
fields' low-resolution alpha from the mask (it has no full-resolution alpha to shrink), so edge
colours may differ slightly: bounded here on the premultiplied colour, the part anyone can see.
"""

from __future__ import annotations

import numpy as np
import pytest
from bgcut.postprocessing import postprocess_full

import bgcut
from bgcut import band
from bgcut import passes as geo
from bgremove.decode import decode
from bgremove.models import load_model

from .conftest import MODELS_DIR

OPTION_CASES = {
    "default": {},
    "mask": {"output": "mask"},
    "colour": {"background": "#00ff00"},
    "blur": {"background": "blur"},
    "soft": {"threshold": None},
    "hard": {"threshold": 0.5, "threshold_softness": 0.0},
    "plain-colours": {"decontaminate": False},
}


@pytest.fixture(scope="module")
def planned(dev_ten):
    """Four dev photos (both sources) with their default-plan masks: model-sized masks and
    photo-sized crop-merged ones both occur."""
    model = load_model("u2netp-fp32", MODELS_DIR)
    out = []
    for sample in dev_ten[::3]:
        rgba = decode(sample.image)
        result = geo.run_plan(geo.mask_plan(rgba, bgcut.Options(extra_passes="always"), model.input_rule),
                              model.predict)
        out.append((sample.stem, rgba, result))
    assert {r.mask.shape == rgba.shape[:2] for _, rgba, r in out} == {True, False}
    return out


def assert_same_cutout(fast: np.ndarray, full: np.ndarray, options: bgcut.Options, what: str) -> None:
    assert fast.shape == full.shape and fast.dtype == np.uint8
    if options.output == "mask" or not options.decontaminate:
        assert np.array_equal(fast, full), (what, int(np.count_nonzero(fast != full)))
        return
    if options.background == "transparent":
        assert np.array_equal(fast[..., 3], full[..., 3]), what
        a = full[..., 3:4].astype(np.float64) / 255
        diff = np.abs(fast[..., :3].astype(np.float64) - full[..., :3]) * a
    else:
        diff = np.abs(fast[..., :3].astype(np.float64) - full[..., :3])
    # Edge colours only: a few levels at most, and a tiny mean over the photo.
    assert diff.max() <= 12 and diff.mean() < 0.05, (what, diff.max(), diff.mean())


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_band_path_equals_the_full_path_on_dev_photos(planned, case: str) -> None:
    options = bgcut.Options.from_dict(OPTION_CASES[case])
    for stem, rgba, result in planned:
        assert band.supports(rgba, options)
        fast = bgcut.postprocess(rgba, result, options)
        full = postprocess_full(rgba, result.mask, options)
        assert_same_cutout(fast, full, options, f"{stem} {case}")


def test_band_path_covers_only_the_outline(planned) -> None:
    """Most of a photo is certain: the tiles computed in float are a minority of its pixels."""
    fractions = []
    for stem, rgba, result in planned:
        timings: dict[str, float] = {}
        bgcut.postprocess(rgba, result, bgcut.Options(), timings=timings)
        assert 0 < timings["band_fraction"] < 0.7, stem
        fractions.append(timings["band_fraction"])
    assert np.mean(fractions) < 0.5, fractions


def test_large_photo_alpha_is_identical_and_colours_stay_close(dev_ten) -> None:
    """A 6 MP enlargement: the working copy is then a real downscale (scale > 1), and the fields are
    built from it; the alpha stays identical, the edge colours close."""
    model = load_model("u2netp-fp32", MODELS_DIR)
    small = decode(dev_ten[0].image)
    rgba = np.empty((1800, 3200, 4), np.uint8)
    rgba[..., :3] = np.clip(np.floor(bgcut.resize(small[..., :3], (1800, 3200)) + 0.5), 0, 255)
    rgba[..., 3] = 255
    result = geo.run_plan(geo.mask_plan(rgba, bgcut.Options(), model.input_rule), model.predict)
    assert result.work.scale > 1
    fast = bgcut.postprocess(rgba, result, bgcut.Options())
    full = postprocess_full(rgba, result.mask, bgcut.Options())
    assert_same_cutout(fast, full, bgcut.Options(), "6 MP")


def test_options_the_band_path_cannot_serve_take_the_full_path(planned) -> None:
    _, rgba, result = planned[0]
    for opts in ({"refine": "fast_guided"}, {"edge_shift": 2}, {"feather": 1}):
        assert not band.supports(rgba, bgcut.Options.from_dict(opts))
    translucent = rgba.copy()
    translucent[:10, :10, 3] = 128
    assert not band.supports(translucent, bgcut.Options())
    got = bgcut.postprocess(translucent, result, bgcut.Options())
    assert np.array_equal(got, postprocess_full(translucent, result.mask, bgcut.Options()))
    for opts in ({"feather": 1}, {"refine": "fast_guided", "output": "mask"}):
        options = bgcut.Options.from_dict(opts)
        full = postprocess_full(rgba, result.mask, options)
        assert np.array_equal(bgcut.postprocess(rgba, result, options), full)


class _Erode:
    """A stand-in band refiner: pulls alpha down by 0.1 everywhere it gets a tile."""

    margin = 4

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, rgba: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        self.calls += 1
        assert rgba.shape[:2] == alpha.shape and alpha.dtype == np.float32
        return np.clip(alpha - 0.1, 0.0, 1.0)


def test_refiner_runs_on_band_tiles_only(planned) -> None:
    _, rgba, result = planned[0]
    refiner = _Erode()
    plain = bgcut.postprocess(rgba, result, bgcut.Options(output="mask"))
    refined = bgcut.postprocess(rgba, result, bgcut.Options(output="mask"), refiner=refiner)
    assert refiner.calls > 0
    changed = refined != plain
    assert changed.any()
    # Solid foreground far from the outline is never handed to the refiner (the tiles are whole
    # row bands by column runs, so on a small photo they still take in much of the subject).
    assert (refined[plain == 255] == 255).mean() > 0.1
    assert not (refined > plain).any()


def test_resize_tiles_equal_the_same_tile_of_the_full_result() -> None:
    rng = np.random.default_rng(1)
    small = rng.random((37, 53), dtype=np.float32)
    full = bgcut.resize(small, (301, 419), rows=(0, 301))
    assert np.array_equal(bgcut.resize(small, (301, 419), rows=(40, 97), cols=(13, 222)), full[40:97, 13:222])
    with pytest.raises(ValueError, match="cols needs rows"):
        bgcut.resize(small, (301, 419), cols=(0, 5))
