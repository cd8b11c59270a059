"""fp16 (WebGPU) and uint8 static QDQ (WASM) variants of an exported fp32 model."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process
from onnxruntime.transformers.float16 import convert_float_to_float16

from .images import calibration_inputs
from .rounding import Grid
from .settings import Fp16Settings, QuantizationSettings

_METHODS = {
    "minmax": CalibrationMethod.MinMax,
    "entropy": CalibrationMethod.Entropy,
    "percentile": CalibrationMethod.Percentile,
}


def make_fp16(src: Path, dst: Path, settings: Fp16Settings) -> None:
    model = onnx.load(str(src))
    half = convert_float_to_float16(
        model, keep_io_types=settings.keep_io_types, op_block_list=list(settings.op_block_list),
    )
    _topological_sort(half.graph)
    onnx.checker.check_model(half)
    onnx.save(half, str(dst))


def _topological_sort(graph: onnx.GraphProto) -> None:
    """Reorder nodes so each runs after its producers (the fp16 converter appends its input Casts last)."""
    known = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending = list(graph.node)
    ordered: list[onnx.NodeProto] = []
    while pending:
        ready = [n for n in pending if all(i in known for i in n.input)]
        if not ready:
            raise ValueError("fp16 graph has a cycle or a dangling input")
        ready_ids = {id(n) for n in ready}
        pending = [n for n in pending if id(n) not in ready_ids]
        for n in ready:
            ordered.append(n)
            known.update(n.output)
    del graph.node[:]
    graph.node.extend(ordered)


class _Reader(CalibrationDataReader):
    def __init__(self, inputs: list[np.ndarray]) -> None:
        self._items = iter([{"input": x} for x in inputs])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._items, None)


def _conv_names(model: onnx.ModelProto) -> list[str]:
    return [n.name for n in model.graph.node if n.op_type == "Conv"]


def make_uint8(src: Path, dst: Path, settings: QuantizationSettings) -> None:
    """Static QDQ quantization with uint8 weights and activations, calibrated on bundled photos."""
    with tempfile.TemporaryDirectory() as tmp:
        prepped = Path(tmp) / "prepped.onnx"
        quant_pre_process(str(src), str(prepped), skip_optimization=False, skip_symbolic_shape=True)
        model = onnx.load(str(prepped))
        convs = _conv_names(model)
        exclude = [convs[k] for k in sorted(settings.float_convs(len(convs)))]
        op_types = sorted({n.op_type for n in model.graph.node} - set(settings.exclude_op_types))
        cal = settings.calibration
        extra: dict[str, object] = {"ActivationSymmetric": False, "WeightSymmetric": False}
        if cal.method == "percentile":
            extra["CalibPercentile"] = cal.percentile
        quantize_static(
            str(prepped), str(dst), _Reader(calibration_inputs(cal)),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QUInt8,
            per_channel=settings.per_channel,
            calibrate_method=_METHODS[cal.method],
            nodes_to_exclude=exclude,
            op_types_to_quantize=op_types,
            extra_options=extra,
        )
    _save_uint8(onnx.load(str(dst)), dst, settings)


def _save_uint8(model: onnx.ModelProto, dst: Path, settings: QuantizationSettings) -> None:
    """Compact the names, check and save a uint8 model; one over the size budget is an error."""
    compact_names(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    size = dst.stat().st_size
    if size > settings.max_bytes:
        raise RuntimeError(f"{dst}: uint8 model is {size} bytes, over the {settings.max_bytes} limit")


def compact_names(model: onnx.ModelProto) -> None:
    """Replace internal tensor and node names by short ids.

    The quantizer derives QDQ tensor names from long PyTorch scope paths; in a 1.2 MB model they cost
    about 300 kB of download. The graph's input and output keep their contract names.
    """
    graph = model.graph
    keep = {v.name for v in graph.input} | {v.name for v in graph.output} | {""}
    mapping: dict[str, str] = {}

    def short(name: str) -> str:
        if name in keep:
            return name
        if name not in mapping:
            mapping[name] = f"t{len(mapping):x}"
        return mapping[name]

    for t in graph.initializer:
        t.name = short(t.name)
    for i, node in enumerate(graph.node):
        node.name = f"n{i:x}"
        node.input[:] = [short(x) for x in node.input]
        node.output[:] = [short(x) for x in node.output]
    del graph.value_info[:]


def make_uint8_weights(src: Path, dst: Path, settings: QuantizationSettings,
                       grids: dict[bytes, Grid] | None = None, fp16: frozenset[bytes] = frozenset()) -> None:
    """Store Conv weights as per-channel uint8 + DequantizeLinear, or fp16 + Cast; activations stay float.

    `src` should already carry weights on those grids (see bias_correction), so this step only changes
    the storage, not the numbers. Convs are recognised by their float32 weight bytes (the exporter and
    onnxslim may order Conv nodes differently from PyTorch's call order): `grids` gives a uint8 conv's
    (values, scale, zero point), `fp16` the convs stored in half precision behind a Cast that ONNX
    Runtime folds at load. Without `grids`, every conv but the first and last (as `settings` says)
    gets its min/max grid.
    """
    from .rounding import dequantize, uint8_grid

    model = onnx.load(str(src))
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    if grids is None:
        keep = settings.float_convs(len(convs))
        arrays = [numpy_helper.to_array(inits[n.input[1]]).copy() for n in convs]
        grids = {a.tobytes(): uint8_grid(torch.from_numpy(a)) for k, a in enumerate(arrays) if k not in keep}
    new_nodes = []
    stored = 0
    for node in convs:
        weight = inits[node.input[1]]
        values = numpy_helper.to_array(weight)
        k = values.astype(np.float32).tobytes()
        if k not in grids and k not in fp16:
            continue
        stored += 1
        base = weight.name
        graph.initializer.remove(weight)
        del inits[base]
        if k in fp16:
            graph.initializer.append(numpy_helper.from_array(values.astype(np.float16), base + "_h"))
            new_nodes.append(onnx.helper.make_node("Cast", [base + "_h"], [base], to=onnx.TensorProto.FLOAT))
            continue
        q, scale, zero = grids[k]
        drift = float(np.abs(dequantize(q, scale, zero).numpy() - values).max())
        if drift > 1e-5 * float(scale.max()) + 1e-7:
            raise RuntimeError(f"conv {node.name}: exported weights are off their uint8 grid by {drift:.3g}")
        graph.initializer.extend([
            numpy_helper.from_array(q.numpy(), base + "_q"),
            numpy_helper.from_array(scale.numpy().astype(np.float32), base + "_scale"),
            numpy_helper.from_array(zero.numpy(), base + "_zero"),
        ])
        new_nodes.append(onnx.helper.make_node(
            "DequantizeLinear", [base + "_q", base + "_scale", base + "_zero"], [base], axis=0))
    if stored != len(grids) + len(fp16):
        raise RuntimeError(f"{src}: matched {stored} convs by weight, expected {len(grids) + len(fp16)}")
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    _save_uint8(model, dst, settings)


def session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
