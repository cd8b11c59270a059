"""Mask post-processing shared by the browser (Pyodide) and the native CLI.

Typical use::

    x = bgcut.model_input(rgba, (320, 320))          # float32 [1, 3, 320, 320] in [0, 1]
    mask = run_model(x)                              # float32 [1, 1, 320, 320] in [0, 1]
    out = bgcut.postprocess(rgba, mask, bgcut.Options.from_dict({"background": "#ffffff"}))
"""

from .inputs import model_input
from .options import Options
from .postprocessing import postprocess, refine_alpha, upsample_mask
from .resize import resize
from .validate import as_mask, as_rgba

__version__ = "0.1.0"

__all__ = [
    "Options",
    "as_mask",
    "as_rgba",
    "model_input",
    "postprocess",
    "refine_alpha",
    "resize",
    "upsample_mask",
]
