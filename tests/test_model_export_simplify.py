"""model_export's simplifier: onnxsim by default, onnxslim on request; both fold what is constant,
keep H and W dynamic and leave the outputs as they were."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from model_export import simplify


def tiny_graph() -> onnx.ModelProto:
    """input [1,3,H,W] -> (x - mean) * (2 * half) -> Conv 1x1 -> Sigmoid, with foldable constants."""
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(np.full((1, 3, 1, 1), 0.5, np.float32), "mean"),
             numpy_helper.from_array(np.full((1, 3, 1, 1), 0.5, np.float32), "half"),
             numpy_helper.from_array(np.asarray(2.0, np.float32), "two"),
             numpy_helper.from_array(rng.standard_normal((1, 3, 1, 1)).astype(np.float32), "w")]
    nodes = [helper.make_node("Mul", ["half", "two"], ["scale"]),
             helper.make_node("Sub", ["input", "mean"], ["centred"]),
             helper.make_node("Mul", ["centred", "scale"], ["scaled"]),
             helper.make_node("Conv", ["scaled", "w"], ["logits"]),
             helper.make_node("Sigmoid", ["logits"], ["mask"])]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"])],
        [helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, "height", "width"])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def test_default_is_onnxsim():
    assert simplify.DEFAULT_SIMPLIFIER == "onnxsim" and simplify.selected() == "onnxsim"


@pytest.mark.parametrize("name", simplify.SIMPLIFIERS)
def test_simplifiers_fold_constants_and_keep_dynamic_sizes(name):
    model = tiny_graph()
    out = simplify.simplify(tiny_graph(), 32, name)
    onnx.checker.check_model(out)
    assert len(out.graph.node) < len(model.graph.node), [n.op_type for n in out.graph.node]
    dims = [d.dim_param or d.dim_value for d in out.graph.input[0].type.tensor_type.shape.dim]
    assert dims[2:] == ["height", "width"], dims
    assert not [p.key for p in out.metadata_props if p.key.startswith("onnxsim.")]
    for h, w in ((32, 32), (24, 40)):
        x = np.random.default_rng(h).random((1, 3, h, w), np.float32)
        np.testing.assert_allclose(run(out, x), run(model, x), atol=1e-6)


def test_unknown_simplifier_is_refused():
    with pytest.raises(ValueError, match="onnxsim, onnxslim"):
        simplify.select("onnx-magic")
    with pytest.raises(ValueError, match="unknown simplifier"):
        simplify.simplify(tiny_graph(), 32, "onnx-magic")
    assert simplify.selected() == "onnxsim"
