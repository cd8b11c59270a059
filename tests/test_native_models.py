"""The ONNX models from web/models/manifest.json behind bgremove.models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import bgcut
from bgremove.models import Manifest, ModelError, OnnxModel, load_model

from .conftest import MODELS_DIR


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return Manifest(MODELS_DIR)


def test_manifest_lists_models_and_a_default(manifest: Manifest) -> None:
    assert "u2netp-fp32" in manifest.ids
    assert manifest.default in manifest.ids
    for entry in manifest.entries.values():
        assert entry.path.is_file(), entry.path


def test_size_rule(manifest: Manifest) -> None:
    entry = manifest.entry("u2netp-fp32")
    assert entry.input_size(4000, 3000) == (320, 320)
    rect = type(entry)(**{**entry.__dict__, "square": False})
    assert rect.input_size(4000, 3000) == (320, 256)
    assert rect.input_size(10, 3000) == (32, 320)


@pytest.mark.parametrize("model_id", ["u2netp-fp32", "u2netp-fp16", "u2netp-uint8"])
def test_predict_returns_a_mask_in_range(manifest: Manifest, model_id: str) -> None:
    if model_id not in manifest.ids:
        pytest.skip(f"{model_id} not exported")
    model = load_model(model_id, MODELS_DIR)
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (200, 300, 4), dtype=np.uint8)
    mask = model.predict(bgcut.model_input(rgba, model.input_size(200, 300)))
    assert mask.shape == (320, 320) and mask.dtype == np.float32
    assert np.isfinite(mask).all() and mask.min() >= 0 and mask.max() <= 1
    assert load_model(model_id, MODELS_DIR) is model  # one session per model


def test_sha256_mismatch_is_refused(manifest: Manifest, tmp_path: Path) -> None:
    entry = manifest.entry("u2netp-fp32")
    data = json.loads((MODELS_DIR / "manifest.json").read_text())
    shutil.copy(entry.path, tmp_path / entry.path.name)
    with (tmp_path / entry.path.name).open("ab") as fh:
        fh.write(b"\0")
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    broken = Manifest(tmp_path).entry("u2netp-fp32")
    with pytest.raises(ModelError, match=r"sha256 .* does not match the manifest"):
        OnnxModel(broken)


def test_unknown_model_and_missing_manifest(tmp_path: Path, manifest: Manifest) -> None:
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        manifest.entry("nope")
    with pytest.raises(ModelError, match="manifest not found"):
        Manifest(tmp_path)
