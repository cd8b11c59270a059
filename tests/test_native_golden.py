"""Each manifest model on a bundled scikit-image photo still produces its stored golden alpha.

Regenerate on purpose with ``.venv/bin/python tests/golden/make_golden.py`` (see that file).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bgremove.models import Manifest

from .conftest import MODELS_DIR
from .golden.make_golden import golden_alpha, golden_path

MANIFEST = MODELS_DIR / "manifest.json"
# Without a manifest one case still runs, and fails saying why, instead of nothing being collected.
MODEL_IDS = Manifest(MODELS_DIR).ids if MANIFEST.is_file() else ["no-manifest"]


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_alpha_matches_golden(model_id: str) -> None:
    assert MANIFEST.is_file(), f"{MANIFEST} is missing: run .venv/bin/python -m model_export build"
    path = golden_path(model_id)
    assert path.is_file(), f"no golden for {model_id}: run .venv/bin/python tests/golden/make_golden.py"
    expected = np.asarray(Image.open(path)).astype(np.int16)
    got = golden_alpha(model_id).astype(np.int16)
    assert got.shape == expected.shape
    diff = np.abs(got - expected)
    # Tolerates ONNX Runtime kernel differences between CPUs, not a changed model or pipeline.
    assert diff.mean() <= 1.0, f"{model_id}: mean |diff| {diff.mean():.3f} / 255"
    assert np.percentile(diff, 99.9) <= 8, f"{model_id}: 99.9th percentile |diff| {np.percentile(diff, 99.9)}"
