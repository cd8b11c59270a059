"""The Python half of the engine worker: thin wrappers over bgcut with one copy in and one out.

Pixels arrive as JavaScript typed arrays (JsBuffer) and are copied once into numpy arrays with
``assign_to``; results go back through ``getBuffer`` views, never through ``to_js``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import bgcut
from bgcut import passes


def check_options(options: Any) -> None:
    """Fail before any work when the options dict is wrong (unknown name, bad value)."""
    bgcut.Options.from_dict(_as_dict(options))


def pixels_from_js(js_pixels: Any, height: int, width: int) -> np.ndarray:
    rgba = np.empty((height, width, 4), np.uint8)
    js_pixels.assign_to(rgba)
    return rgba


async def predict_mask(rgba: np.ndarray, options: Any, entry_input: Any, run_model: Any) -> np.ndarray:
    """The merged model mask for ``rgba``: the same runs and merges as the CLI (bgcut.passes), with
    each model run awaited from ONNX Runtime Web.

    run_model(x) is a JS async function given the float32 [1, 3, h, w] input as a numpy proxy; it
    resolves to ``{data: Float32Array, h, w}``.
    """
    opts = bgcut.Options.from_dict(_as_dict(options))
    rule = _as_dict(entry_input)
    square = rule.get("square", True) if opts.model_square is None else opts.model_square
    plan = passes.mask_plan(
        rgba,
        opts.model_size or int(rule["size"]),
        int(rule.get("multiple", 32)),
        bool(square),
        opts.flip_tta,
        opts.crop_pass,
    )
    try:
        x = next(plan)
        while True:
            result = await run_model(x)
            x = plan.send(mask_from_js(result.data, int(result.h), int(result.w)))
    except StopIteration as done:
        return done.value


def mask_from_js(js_mask: Any, height: int, width: int) -> np.ndarray:
    mask = np.empty((height, width), np.float32)
    js_mask.assign_to(mask)
    return mask


def postprocess(rgba: np.ndarray, mask: np.ndarray, options: Any, as_mask: bool) -> np.ndarray:
    """RGBA result (H, W, 4); for ``as_mask`` the alpha as opaque grey RGBA, ready for a canvas."""
    opts = _as_dict(options)
    if as_mask:
        opts["output"] = "alpha"
    out = bgcut.postprocess(rgba, mask, bgcut.Options.from_dict(opts))
    if not as_mask:
        return out
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
