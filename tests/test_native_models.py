"""The ONNX models from web/models/manifest.json behind bgremove.models."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from bgcut.passes import InputRule

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
    assert entry.rule == InputRule(320, 32, True)
    assert entry.input_size(4000, 3000) == (320, 320)
    rect = replace(entry, rule=InputRule(320, 32, False))
    assert rect.input_size(4000, 3000) == (320, 256)
    assert rect.input_size(10, 3000) == (32, 320)


def test_input_rule_is_read_in_one_place_with_one_set_of_fallbacks() -> None:
    assert InputRule.from_entry({"size": 320, "multiple": 32, "square": True}) == InputRule(320, 32, True)
    # Absent fields mean no rounding and no squashing, whoever reads the manifest.
    assert InputRule.from_entry({"size": 512}) == InputRule(512, 1, False)
    with pytest.raises(ValueError, match="size"):
        InputRule.from_entry({"multiple": 32})


def test_runtime_variants_pick_the_native_variant(manifest: Manifest) -> None:
    """The manifest says which variant each runtime runs; an architecture name (or no name) resolves
    through it, and explicit variant ids load as given."""
    variants = manifest.runtime_variants["u2netp"]
    assert set(variants) >= {"native", "wasm", "webgpu"}
    assert all(v in manifest.ids for v in variants.values())
    assert manifest.resolve("u2netp", "native").id == variants["native"]
    assert manifest.resolve(None, "native").id == variants["native"]
    assert manifest.resolve("u2netp", "wasm").id == variants["wasm"]
    assert manifest.resolve("u2netp-uint8", "native").id == "u2netp-uint8"
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        manifest.resolve("nope")


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


def test_manifest_writer_lists_runtime_variants_it_has() -> None:
    from model_export.manifest import runtime_variants

    models = [{"id": "u2netp-fp32"}, {"id": "u2netp-uint8"}]
    # Only variants the manifest lists are named; a runtime whose variant is missing is left out.
    assert runtime_variants(models) == {"u2netp": {"native": "u2netp-fp32", "wasm": "u2netp-uint8"}}
    assert runtime_variants([{"id": "modnet-fp32"}]) == {}
