"""bgcut's model-run plan (bgcut.passes.mask_plan) driven by a stand-in model.

The stand-in is a real function of its input (the brightness of each pixel), so every yielded
tensor is checked by what comes back: the plan must send the mirror of the first input, crop the
subject, merge the masks, and make the per-photo decisions of ``extra_passes='auto'``. The browser
worker's glue (web/src/worker/engine_glue.py) drives the same plan with awaited model calls; here it
runs under asyncio with the same stand-in, and must give the CLI driver's result exactly.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
from types import SimpleNamespace

import numpy as np
import pytest

import bgcut
from bgcut import passes as geo
from bgremove.decode import decode

from .conftest import ROOT

RULE = geo.InputRule(320, 32, True)


def brightness(x: np.ndarray) -> np.ndarray:
    """Stand-in model: the mean of the input's three channels, float32 (h, w) in [0, 1]."""
    assert x.dtype == np.float32 and x.ndim == 4 and x.shape[:2] == (1, 3)
    return x[0].mean(axis=0)


def disc_photo(h: int = 600, w: int = 900, radius: int = 90) -> np.ndarray:
    """A bright disc (the subject, small enough for a crop pass) on a dark background, with a
    one-sided bright notch so the photo is not mirror-symmetric."""
    yy, xx = np.mgrid[0:h, 0:w]
    inside = (yy - h * 0.4) ** 2 + (xx - w * 0.3) ** 2 < radius**2
    rgba = np.full((h, w, 4), 20, np.uint8)
    rgba[inside, :3] = 235
    rgba[int(h * 0.4) - 5:int(h * 0.4) + 5, int(w * 0.3):int(w * 0.3) + radius + 30, :3] = 235
    rgba[..., 3] = 255
    return rgba


class Recorder:
    def __init__(self, model=brightness) -> None:
        self.inputs: list[np.ndarray] = []
        self.model = model

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.inputs.append(x.copy())
        return self.model(x)


def run(rgba: np.ndarray, rule: geo.InputRule = RULE, model=brightness,
        **opts) -> tuple[geo.PlanResult, Recorder]:
    rec = Recorder(model)
    result = geo.run_plan(geo.mask_plan(rgba, bgcut.Options(**opts), rule), rec)
    assert result.runs == len(rec.inputs)
    return result, rec


def test_one_plain_run_is_the_model_on_the_model_input() -> None:
    rgba = disc_photo()
    result, rec = run(rgba, mirror=False, crop=False)
    assert result.runs == 1
    assert rec.inputs[0].shape == (1, 3, 320, 320)
    assert np.array_equal(rec.inputs[0], bgcut.model_input(rgba, (320, 320)))
    assert np.array_equal(result.mask, brightness(rec.inputs[0]))


def test_every_pass_runs_with_extra_passes_always() -> None:
    rgba = disc_photo()
    result, rec = run(rgba, extra_passes="always")
    assert result.runs == 4
    first, mirror, crop, crop_mirror = rec.inputs
    assert np.array_equal(mirror, first[..., ::-1])
    assert np.array_equal(crop_mirror, crop[..., ::-1])
    # The crop pass sees the subject larger: more of its input is bright than of the first input.
    assert crop.mean() > first.mean() * 2
    box = geo.subject_box(geo.merge_mirror(brightness(first), brightness(mirror)), rgba.shape[:2])
    assert box is not None
    y0, y1, x0, x1 = box
    assert np.array_equal(crop, bgcut.model_input(rgba[y0:y1, x0:x1], (320, 320)))
    assert result.mask.shape == rgba.shape[:2]
    expected = geo.merge_crop(geo.merge_mirror(brightness(first), brightness(mirror)),
                              geo.merge_mirror(brightness(crop), brightness(crop_mirror)), box,
                              rgba.shape[:2])
    assert np.array_equal(result.mask, expected)


def test_input_rule_from_the_manifest_entry_sets_the_input_shape() -> None:
    rgba = disc_photo(600, 900)
    rule = geo.InputRule.from_entry({"size": 320, "multiple": 32, "square": False})
    _, rec = run(rgba, rule, mirror=False, crop=False)
    assert rec.inputs[0].shape == (1, 3, 224, 320)  # 213.3 rounded to a multiple of 32
    _, rec = run(rgba, rule, mirror=False, crop=False, model_size=256, model_square=True)
    assert rec.inputs[0].shape == (1, 3, 256, 256)


def test_auto_skips_the_mirror_when_the_first_mask_is_certain() -> None:
    """A first mask of exact 0/1 has no uncertain pixels: the mirror cannot change its cut."""
    rgba = disc_photo()

    def hard(x: np.ndarray) -> np.ndarray:
        return (brightness(x) > 0.5).astype(np.float32)

    result, rec = run(rgba, model=hard)  # the defaults: mirror and crop allowed, extra_passes='auto'
    assert geo.mask_uncertainty(hard(rec.inputs[0])) == 0.0
    assert not any(np.array_equal(x, rec.inputs[0][..., ::-1]) for x in rec.inputs[1:])
    always, _ = run(rgba, model=hard, extra_passes="always")
    assert always.runs > result.runs


def test_auto_mirrors_an_uncertain_mask_and_skips_the_crop_of_a_large_subject() -> None:
    rgba = disc_photo()

    def soft(x: np.ndarray) -> np.ndarray:
        return np.full(x.shape[2:], 0.5, np.float32) * 0.2 + brightness(x) * 0.8

    _, rec = run(rgba, model=soft, crop=False)
    assert len(rec.inputs) == 2 and np.array_equal(rec.inputs[1], rec.inputs[0][..., ::-1])
    # A subject filling most of the photo: its padded box is over AUTO_CROP_MAX_AREA.
    big = disc_photo(400, 400, radius=190)
    _, rec = run(big, model=soft, mirror=False, extra_passes="auto")
    assert len(rec.inputs) == 1


def test_working_copy_downscales_once_and_feeds_every_input() -> None:
    """A large photo is area-downscaled once; model inputs come from that copy and match the direct
    downscale closely (two area steps instead of one)."""
    rgba = np.empty((2400, 3600, 4), np.uint8)
    rgba[..., :3] = np.clip(np.floor(bgcut.resize(disc_photo()[..., :3], (2400, 3600)) + 0.5), 0, 255)
    rgba[..., 3] = 255
    work = geo.WorkingCopy(rgba)
    assert work.scale == math.ceil(math.sqrt(2400 * 3600 / geo.WORK_PIXELS)) > 1
    assert work.rgb.shape[0] * work.rgb.shape[1] <= geo.WORK_PIXELS
    direct = bgcut.model_input(rgba, (320, 320))
    # Two area steps instead of one: equal on flat areas, within a few levels on hard edges.
    diff = np.abs(work.model_input((320, 320)) - direct)
    assert diff.max() < 0.05 and diff.mean() < 1e-3, (diff.max(), diff.mean())
    result, rec = run(rgba, extra_passes="always")
    assert result.runs == 4 and result.work.scale == work.scale
    assert np.abs(rec.inputs[0] - direct).max() < 0.05
    # A small box is cut from the photo itself (the working copy would hold too few pixels).
    box = (100, 300, 200, 400)
    expected = bgcut.model_input(rgba[100:300, 200:400], (320, 320))
    assert np.array_equal(work.model_input((320, 320), box), expected)


def _glue():
    path = ROOT / "web" / "src" / "worker" / "engine_glue.py"
    spec = importlib.util.spec_from_file_location("engine_glue", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _JsArray:
    """What ``mask_from_js`` gets from the worker: a typed array it copies with ``assign_to``."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def assign_to(self, out: np.ndarray) -> None:
        out[...] = self.values.reshape(out.shape)


@pytest.mark.parametrize("options", [{}, {"extra_passes": "always"}, {"mirror": False, "output": "mask"}])
def test_worker_glue_drives_the_same_plan_as_the_cli(dev_ten, options: dict) -> None:
    glue = _glue()
    rgba = decode(dev_ten[4].image)
    entry_input = {"size": 320, "multiple": 32, "square": True}

    async def run_model(x: np.ndarray) -> SimpleNamespace:
        m = brightness(x)
        return SimpleNamespace(data=_JsArray(m.ravel()), h=m.shape[0], w=m.shape[1])

    planned = asyncio.run(glue.predict_mask(rgba, options, entry_input, run_model))
    cli = geo.run_plan(geo.mask_plan(rgba, bgcut.Options(**options), geo.InputRule.from_entry(entry_input)),
                       brightness)
    assert glue.model_runs(planned) == cli.runs
    assert np.array_equal(planned.mask, cli.mask)
    out = glue.postprocess(rgba, planned, options, "image/png")
    assert np.array_equal(out, bgcut.postprocess(rgba, cli, bgcut.Options(**options)))
