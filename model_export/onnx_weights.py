"""Load the Conv tensors of an ONNX graph with folded BatchNorm into our bias-carrying PyTorch convs.

The ONNX graph was traced from the same architecture, so its Conv nodes appear in the order the convs
run. We record that order on our module with forward hooks and pair the two lists one to one, checking
every kernel shape and conv attribute, so a graph from a different architecture fails loudly instead of
loading shuffled weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn


def _conv_call_order(model: nn.Module, sample: torch.Tensor) -> list[nn.Conv2d]:
    order: list[nn.Conv2d] = []
    hooks = [m.register_forward_hook(lambda mod, _i, _o: order.append(mod))
             for m in model.modules() if isinstance(m, nn.Conv2d)]
    try:
        with torch.no_grad():
            model(sample)
    finally:
        for h in hooks:
            h.remove()
    return order


def _attr(node: onnx.NodeProto, name: str, default: list[int] | int) -> list[int] | int:
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def load_conv_weights(model: nn.Module, onnx_path: Path, sample_size: int = 64) -> int:
    """Copy every Conv weight/bias of `onnx_path` into `model`; return how many convs were loaded."""
    graph = onnx.load(str(onnx_path)).graph
    inits = {t.name: t for t in graph.initializer}
    nodes = [n for n in graph.node if n.op_type == "Conv"]
    convs = _conv_call_order(model, torch.zeros(1, 3, sample_size, sample_size))
    if len(set(map(id, convs))) != len(convs):
        raise ValueError("a conv module runs twice; one-to-one mapping onto ONNX nodes is impossible")
    if len(nodes) != len(convs):
        raise ValueError(f"{onnx_path}: {len(nodes)} Conv nodes, expected {len(convs)} for this architecture")
    for node, conv in zip(nodes, convs, strict=True):
        if len(node.input) < 3 or node.input[1] not in inits or node.input[2] not in inits:
            raise ValueError(f"{onnx_path}: Conv {node.name} needs constant weight and bias initializers")
        weight = numpy_helper.to_array(inits[node.input[1]])
        bias = numpy_helper.to_array(inits[node.input[2]])
        expected = {
            "weight": tuple(conv.weight.shape),
            "dilations": list(conv.dilation),
            "pads": list(conv.padding) * 2,
            "strides": list(conv.stride),
            "group": conv.groups,
        }
        found = {
            "weight": weight.shape,
            "dilations": list(_attr(node, "dilations", [1, 1])),
            "pads": list(_attr(node, "pads", [0, 0, 0, 0])),
            "strides": list(_attr(node, "strides", [1, 1])),
            "group": _attr(node, "group", 1),
        }
        if found != expected or conv.bias is None:
            raise ValueError(f"{onnx_path}: Conv {node.name} is {found}, expected {expected}")
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(np.array(weight, dtype=np.float32)))
            conv.bias.copy_(torch.from_numpy(np.array(bias, dtype=np.float32)))
    return len(nodes)
