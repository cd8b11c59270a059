"""The Python half of the worker's touch-up edits (web/src/worker/edits.js): brush strokes replayed
by ``bgcut.edits`` on a photo's pre-edit alpha, the same functions the CLI's ``--edits`` runs.

The API the worker's JavaScript calls:

* ``pre_edit_alpha(rgba, planned, options)`` -> float32 (H, W): the alpha before any stroke, kept
  by the worker while the photo may still be edited.
* ``apply(rgba, alpha, edits_json, options)`` -> uint8 (H, W, 4): the cut-out with the strokes
  applied, decontaminated and composited as ``options`` say. Raises ``bgcut.edits.EditsError``
  (a message for people) for a bad edits file.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import bgcut
from bgcut import edits as bgedits


def pre_edit_alpha(rgba: np.ndarray, planned: Any, options: Any) -> np.ndarray:
    return bgedits.pre_edit_alpha(rgba, planned, bgcut.Options.from_dict(_as_dict(options)))


def apply(rgba: np.ndarray, alpha: np.ndarray, edits_json: str, options: Any) -> np.ndarray:
    h, w = alpha.shape
    edits = bgedits.parse_edits(edits_json, w, h)
    edited = bgedits.apply_edits(alpha, rgba[..., :3], edits)
    out = bgedits.finish(rgba, edited, bgcut.Options.from_dict(_as_dict(options)))
    return np.ascontiguousarray(out)


def _as_dict(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if hasattr(options, "to_py"):
        options = options.to_py()
    return dict(options)
