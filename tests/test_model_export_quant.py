"""The small WASM model's quantization: calibration data, rounding, storage and the user-visible gate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from model_export.build import QUANT, WIDE_CALIBRATION
from model_export.calibration import PHOTO_LICENSES
from model_export.images import bundled_photo_dir, calibration_inputs
from model_export.rounding import Hessians, dequantize, gptq_round, uint8_grid
from model_export.settings import U2NETP_FP16_CONVS, QuantizationSettings
from model_export.validate import USER_GATE, run_validate, user_gates

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "web" / "models"


def _manifest() -> dict:
    path = MODELS / "manifest.json"
    assert path.is_file(), f"{path} missing: run `.venv/bin/python -m model_export build` first"
    return json.loads(path.read_text())


def test_calibration_uses_only_licensed_wheel_photos_and_is_reproducible() -> None:
    base = bundled_photo_dir()
    assert set(WIDE_CALIBRATION.photos) == set(PHOTO_LICENSES)
    assert all((base / name).is_file() for name in WIDE_CALIBRATION.photos), "a calibration photo is missing"
    first = calibration_inputs(WIDE_CALIBRATION)
    again = calibration_inputs(WIDE_CALIBRATION)
    n = len(WIDE_CALIBRATION.photos)
    assert len(first) == n * (1 + WIDE_CALIBRATION.views_per_photo) + WIDE_CALIBRATION.composites
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert all(x.shape == (1, 3, 320, 320) and x.min() >= 0.0 and x.max() <= 1.0 for x in first)
    # Augmented views differ from each other and from the whole photos they came from.
    flat = np.stack([x.ravel() for x in first])
    distances = np.abs(flat[:, None, ::97] - flat[None, :, ::97]).mean(-1)
    np.fill_diagonal(distances, 1.0)
    assert distances.min() > 1e-3


def _conv_inputs(k: int, images: list[np.ndarray]) -> tuple[torch.nn.Conv2d, dict[int, torch.Tensor]]:
    from model_export.archs import load_network
    from model_export.bias_correction import _call_order
    from model_export.export import ContractModel
    from model_export.spec import IMAGENET_MEAN, IMAGENET_STD
    net, _, _ = load_network("u2netp", None)
    model = ContractModel(net, IMAGENET_MEAN, IMAGENET_STD).eval()
    convs = _call_order(model, torch.from_numpy(images[0]))
    collector = Hessians(convs, {k})
    with torch.no_grad():
        for x in images:
            model(torch.from_numpy(x))
    return convs[k], collector.close()


def test_gptq_rounding_beats_nearest_on_the_layer_output_it_minimises() -> None:
    images = calibration_inputs(WIDE_CALIBRATION)[:6]
    conv, hessians = _conv_inputs(14, images)
    w = conv.weight.detach()
    h = hessians[14].double()
    damped = h + torch.eye(h.shape[0], dtype=h.dtype) * torch.diag(h).mean()

    def output_error(grid: tuple) -> float:
        d = (dequantize(*grid) - w).reshape(w.shape[0], -1).double()
        return float(torch.einsum("oi,ij,oj->", d, damped, d))

    gptq = gptq_round(w, hessians[14], damp=1.0)
    nearest = uint8_grid(w)
    assert torch.equal(gptq[1], nearest[1]) and torch.equal(gptq[2], nearest[2]), "same grid, other values"
    assert output_error(gptq) < 0.95 * output_error(nearest)
    # The block size only changes how the updates are batched, never the result.
    assert torch.equal(gptq_round(w, hessians[14], damp=1.0, block=7)[0], gptq[0])


def test_shipped_wasm_model_stores_uint8_and_fp16_weights_as_settings_say() -> None:
    entry = next(e for e in _manifest()["models"] if e["id"] == "u2netp-uint8")
    model = onnx.load(str(MODELS / entry["file"]))
    ops = [n.op_type for n in model.graph.node]
    n_convs = ops.count("Conv")
    fp16 = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16]
    uint8 = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.UINT8 and len(t.dims) == 4]
    assert QUANT.fp16_convs == U2NETP_FP16_CONVS
    assert len(fp16) == ops.count("Cast") == len(U2NETP_FP16_CONVS)
    assert len(uint8) == ops.count("DequantizeLinear") == n_convs - len(U2NETP_FP16_CONVS) - 2
    assert entry["bytes"] <= QuantizationSettings().max_bytes


def test_validate_without_the_dev_set_fails_and_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Nothing was validated"):
        run_validate(MODELS, dev_dir=tmp_path / "no-dev-set")
    with pytest.raises(FileNotFoundError, match="needs the dev set"):
        user_gates(MODELS, dev_dir=tmp_path / "no-dev-set")


@pytest.mark.slow
def test_default_model_cuts_like_fp32_on_the_report_half() -> None:
    """The user-visible gate of `python -m model_export validate`: the default pipeline's IoU and
    Boundary IoU against the human masks, on dev photos used neither for calibration nor for choosing."""
    default = _manifest()["default"]
    gates = {g.model_id: g for g in user_gates(MODELS, only={default})}
    g = gates[default]
    assert g.photos >= 100
    assert g.fp32_iou - g.iou <= USER_GATE, g
    assert g.fp32_biou - g.biou <= USER_GATE, g
