"""Per-channel uint8 weight rounding plus empirical bias correction (Nagel et al., 2019, "Data-Free
Quantization Through Weight Equalization and Bias Correction", section 4.2, the empirical variant).

Rounding U²-Netp's BatchNorm-folded weights to 8 bits shifts each conv's mean output a little; over
119 chained convs those shifts add up and flip masks. Running the calibration photos through the fp32
network and through the rounded one, layer by layer in execution order, and adding the per-channel mean
difference to each conv's bias cancels the accumulated shift.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def uint8_grid(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Asymmetric per-output-channel uint8 quantization (range widened to hold 0, as ONNX Runtime does).

    Returns (quantized uint8 values, scale [C], zero point [C]).
    """
    flat = w.reshape(w.shape[0], -1)
    lo = flat.min(1).values.clamp(max=0.0)
    hi = flat.max(1).values.clamp(min=0.0)
    scale = (hi - lo) / 255.0
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    zero = torch.round(-lo / scale).clamp(0, 255)
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.clamp(torch.round(w / scale.view(shape)) + zero.view(shape), 0, 255)
    return q.to(torch.uint8), scale, zero.to(torch.uint8)


def dequantize(q: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor) -> torch.Tensor:
    shape = (-1,) + (1,) * (q.dim() - 1)
    return (q.float() - zero.float().view(shape)) * scale.view(shape)


def round_and_correct(net: nn.Module, calibration: list[np.ndarray], keep_float: set[int]) -> int:
    """Put every conv's weight (except the indices in `keep_float`) on its uint8 grid and correct biases.

    `net` takes the contract input; convs are indexed in execution order. Returns how many were rounded.
    """
    batch = torch.from_numpy(np.concatenate(calibration))
    convs = _call_order(net, batch[:1])
    reference: dict[int, torch.Tensor] = {}
    hooks = [c.register_forward_hook(lambda _m, _i, o, k=k: reference.__setitem__(k, o.mean((0, 2, 3))))
             for k, c in enumerate(convs)]
    with torch.no_grad():
        net(batch)
    for h in hooks:
        h.remove()
    rounded = 0
    with torch.no_grad():
        for k, conv in enumerate(convs):
            if k not in keep_float:
                conv.weight.copy_(dequantize(*uint8_grid(conv.weight)))
                rounded += 1

    def correct(conv: nn.Conv2d, output: torch.Tensor, k: int) -> torch.Tensor:
        shift = reference[k] - output.mean((0, 2, 3))
        conv.bias.add_(shift)
        return output + shift.view(1, -1, 1, 1)

    hooks = [c.register_forward_hook(lambda m, _i, o, k=k: correct(m, o, k)) for k, c in enumerate(convs)]
    with torch.no_grad():
        net(batch)
    for h in hooks:
        h.remove()
    return rounded


def _call_order(net: nn.Module, sample: torch.Tensor) -> list[nn.Conv2d]:
    order: list[nn.Conv2d] = []
    hooks = [m.register_forward_hook(lambda mod, _i, _o: order.append(mod))
             for m in net.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        net(sample)
    for h in hooks:
        h.remove()
    if any(c.bias is None for c in order):
        raise ValueError("bias correction needs every conv to carry a bias")
    return order
