"""The Python half of the engine worker: thin wrappers over bgcut with one copy in and one out.

Pixels arrive as JavaScript typed arrays (JsBuffer) and are copied once into numpy arrays with
``assign_to``; results go back through ``getBuffer`` views, never through ``to_js``.

The API the worker's JavaScript calls (everything else is private):

* ``set_plan(plan)``: the engine's model's plan defaults (the model manifest's
  ``plans[architecture]``), once per engine; every options dict below sits on top of them, so
  what the caller sets wins (``bgcut.Options.from_dict(options, plan)``, as the CLI does).
* ``check_options(options)``: raise ValueError for a bad options dict, before any work.
* ``pixels_from_js(js_pixels, height, width)`` -> the photo as a numpy uint8 (H, W, 4).
* ``work_scale(height, width)`` -> the working copy's block side; above 1 the worker passes the
  photo's block sums (web/src/worker/block-sums.js) as ``js_sums`` to ``predict_mask``.
* ``await predict_mask(rgba, options, entry_input, run_model, js_sums)`` -> an opaque plan result (pass it
  to ``postprocess``, then ``destroy()`` it). ``entry_input`` is the manifest entry's ``input``
  object (the model's input-size rule; ``bgcut.passes.InputRule`` reads it, the one reader);
  ``run_model(x)`` is a JS async function given the float32 [1, 3, h, w] input as a numpy proxy,
  resolving to ``{data: Float32Array, h, w}``. bgcut's plan (``bgcut.passes.mask_plan``) decides
  every run and merge, exactly as the CLI does; its one area downscale of the photo is kept in the
  result and reused by ``postprocess``.
* ``postprocess(rgba, planned, options, fmt)`` -> uint8 (H, W, 4): the cut-out, or for the format
  ``'mask'`` the alpha as opaque grey RGBA, ready for a canvas.
* ``model_runs(planned)`` -> how many model runs the plan made (for timings).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import bgcut
from bgcut import passes

_plan: dict[str, Any] = {}


def set_plan(plan: Any) -> None:
    """The model's plan defaults for every later call; a bad plan fails here, at engine start."""
    global _plan
    new = _as_dict(plan)
    bgcut.Options.from_dict({}, new)
    _plan = new


def _options(options: dict[str, Any]) -> bgcut.Options:
    return bgcut.Options.from_dict(options, _plan)


def check_options(options: Any) -> None:
    """Fail before any work when the options dict is wrong (unknown name, bad value)."""
    _options(_as_dict(options))


def pixels_from_js(js_pixels: Any, height: int, width: int) -> np.ndarray:
    rgba = np.empty((height, width, 4), np.uint8)
    js_pixels.assign_to(rgba)
    return rgba


def work_scale(height: int, width: int) -> int:
    """The working copy's block side for this photo; above 1, the worker adds up the blocks."""
    return passes.work_scale(int(height), int(width), passes.WORK_PIXELS)


async def predict_mask(
    rgba: np.ndarray, options: Any, entry_input: Any, run_model: Any, js_sums: Any = None
) -> passes.PlanResult:
    """The merged model mask for ``rgba`` and the working copy, each model run awaited from ONNX
    Runtime Web (see the module docstring). ``js_sums``: the working copy's block sums from
    JavaScript (a Uint32Array, see ``work_scale``), or None to add them up here."""
    opts = _options(_as_dict(options))
    work = rgba
    if js_sums is not None:
        s = work_scale(*rgba.shape[:2])
        sums = np.empty((-(-rgba.shape[0] // s), -(-rgba.shape[1] // s), 3), np.uint32)
        js_sums.assign_to(sums)
        work = passes.WorkingCopy(rgba, sums=sums)
    plan = passes.mask_plan(work, opts, passes.InputRule.from_entry(_as_dict(entry_input)))
    try:
        x = next(plan)
        while True:
            result = await run_model(x)
            x = plan.send(mask_from_js(result.data, int(result.h), int(result.w)))
    except StopIteration as done:
        return done.value


def model_runs(planned: passes.PlanResult) -> int:
    return int(planned.runs)


def mask_from_js(js_mask: Any, height: int, width: int) -> np.ndarray:
    mask = np.empty((height, width), np.float32)
    js_mask.assign_to(mask)
    return mask


def postprocess(rgba: np.ndarray, planned: passes.PlanResult, options: Any, fmt: str) -> np.ndarray:
    """RGBA result (H, W, 4) for remove()'s format ``fmt``: for 'mask' the alpha as opaque grey."""
    opts = _as_dict(options)
    if fmt != "mask":
        return bgcut.postprocess(rgba, planned, _options(opts))
    opts["output"] = "mask"
    return grey_rgba(bgcut.postprocess(rgba, planned, _options(opts)))


def grey_rgba(out: np.ndarray) -> np.ndarray:
    """A mask (H, W) as opaque grey RGBA (H, W, 4), ready for a canvas."""
    grey = np.empty((*out.shape, 4), np.uint8)
    grey[..., :3] = out[..., None]
    grey[..., 3] = 255
    return grey


def _as_dict(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if hasattr(options, "to_py"):
        options = options.to_py()
    return dict(options)
