"""The Python half of the worker's touch-up edits (web/src/worker/edits.js): brush strokes replayed
by ``bgcut.edits`` on a photo's pre-edit alpha, the same functions the CLI's ``--edits`` runs.

The API the worker's JavaScript calls:

* ``pre_edit_alpha(rgba, planned, options)`` -> float32 (H, W): the alpha before any stroke, kept
  by the worker while the photo may still be edited.
* ``remove_with_edits(rgba, planned, options, edits_json, fmt)`` -> uint8 (H, W, 4): a whole
  remove() with strokes, as ``bgcut.postprocess(..., edits=)``; for the format 'mask' the alpha as grey.
* ``edit_alpha(rgba, alpha, edits_json, skip)`` -> float32 (H, W): ``alpha`` with the file's
  strokes from index ``skip`` on applied (``alpha`` already has the first ``skip``: strokes apply
  in order, each to what the previous left, so this equals applying them all to the pre-edit alpha).
  Raises ``bgcut.edits.EditsError`` (a message for people) for a bad edits file.
* ``finish(rgba, alpha, options)`` -> uint8 (H, W, 4): decontaminated and composited as
  ``options`` say.
"""

from __future__ import annotations

from typing import Any

import engine_glue
import numpy as np

import bgcut
from bgcut import edits as bgedits


def pre_edit_alpha(rgba: np.ndarray, planned: Any, options: Any) -> np.ndarray:
    return bgedits.pre_edit_alpha(rgba, planned, _options(engine_glue._as_dict(options)))


def edit_alpha(rgba: np.ndarray, alpha: np.ndarray, edits_json: str, skip: int) -> np.ndarray:
    h, w = alpha.shape
    edits = bgedits.parse_edits(edits_json, w, h)
    return bgedits.apply_edits(alpha, rgba, edits.suffix(int(skip)))


def finish(rgba: np.ndarray, alpha: np.ndarray, options: Any) -> np.ndarray:
    return np.ascontiguousarray(bgedits.finish(rgba, alpha, _options(engine_glue._as_dict(options))))


def remove_with_edits(rgba: np.ndarray, planned: Any, options: Any, edits_json: str,
                      fmt: str) -> np.ndarray:
    opts = engine_glue._as_dict(options)
    if fmt == "mask":
        opts["output"] = "mask"
    h, w = rgba.shape[:2]
    edits = bgedits.parse_edits(edits_json, w, h)
    out = bgcut.postprocess(rgba, planned, _options(opts), edits=edits)
    return engine_glue.grey_rgba(out) if fmt == "mask" else np.ascontiguousarray(out)


def _options(options: dict[str, Any]) -> bgcut.Options:
    # Exactly the options engine_glue gave the unedited result (the model's plan defaults under
    # the caller's), or an edited photo would differ from it outside the strokes too.
    return engine_glue._options(options)

