"""Mask post-processing shared by the browser (Pyodide) and the native CLI.

Typical use::

    x = bgcut.model_input(rgba, (320, 320))          # float32 [1, 3, 320, 320] in [0, 1]
    mask = run_model(x)                              # float32 [1, 1, 320, 320] in [0, 1]
    out = bgcut.postprocess(rgba, mask, bgcut.Options.from_dict({"background": "#ffffff"}))
"""

from .edits import Edits, EditsError, apply_edits, finish, parse_edits, pre_edit_alpha
from .inputs import model_input
from .options import Options
from .postprocessing import postprocess, refine_alpha, upsample_mask
from .resize import resize
from .validate import as_mask, as_rgba

__version__ = "0.1.0"

__all__ = [
    "Edits",
    "EditsError",
    "Options",
    "apply_edits",
    "as_mask",
    "as_rgba",
    "finish",
    "model_input",
    "parse_edits",
    "postprocess",
    "pre_edit_alpha",
    "refine_alpha",
    "resize",
    "upsample_mask",
]
