"""Regenerate the golden alpha mattes in this directory, one per model in web/models/manifest.json.

Run after the models are re-exported on purpose (and review the diff):

    .venv/bin/python tests/golden/make_golden.py

Input: scikit-image's bundled astronaut photo (public domain, NASA), area-downscaled to 256x256 with
bgcut so the PNGs stay small; output: the upsampled model mask (no refinement) as an 8-bit greyscale PNG.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

GOLDEN_DIR = Path(__file__).resolve().parent
GOLDEN_SIZE = (256, 256)


def golden_photo() -> np.ndarray:
    """The test photo as uint8 RGBA (256, 256, 4)."""
    import skimage.data

    import bgcut

    rgb = skimage.data.astronaut()
    small = np.clip(np.floor(bgcut.resize(rgb, GOLDEN_SIZE) + 0.5), 0, 255).astype(np.uint8)
    rgba = np.full((*GOLDEN_SIZE, 4), 255, np.uint8)
    rgba[..., :3] = small
    return rgba


def golden_path(model_id: str) -> Path:
    return GOLDEN_DIR / f"astronaut_{model_id}.png"


def golden_alpha(model_id: str) -> np.ndarray:
    """The model's upsampled mask for the golden photo with ``model_id``: uint8 (256, 256).

    A single plain pass with refinement off, so the golden checks the model and the shared resize code, and a
    deliberate change of the default options does not invalidate it.
    """
    import bgcut
    from bgremove.models import load_model
    from bgremove.pipeline import remove_background

    plain = bgcut.Options(refine="none", threshold=None, decontaminate=False, mirror=False,
                          crop=False, output="mask")
    return remove_background(golden_photo(), load_model(model_id), plain)


def main() -> int:
    from bgremove.models import Manifest

    for model_id in Manifest().ids:
        Image.fromarray(golden_alpha(model_id)).save(golden_path(model_id), optimize=True)
        print(f"wrote {golden_path(model_id)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
