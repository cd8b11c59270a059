"""Weight rounding (uint8 per channel, or fp16) plus empirical bias correction (Nagel et al., 2019, "Data-Free
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

from .rounding import Grid, Hessians, dequantize, fp16_round, gptq_round, uint8_grid

__all__ = ["Grid", "dequantize", "round_and_correct", "uint8_grid"]


def round_and_correct(net: nn.Module, calibration: list[np.ndarray], storage: dict[int, str],
                      rounding: str = "nearest", hessian_images: int = 0, chunk: int = 8,
                      correct: bool = True, damp: float = 0.1, log=None, bits: int = 8) -> dict[int, Grid]:
    """Put every conv's weight on the grid `storage` names for its index and correct the biases.

    `storage` maps conv indices (execution order) to "uint8" or "fp16"; others stay fp32. `rounding`
    is "nearest" or "gptq" (on input statistics of the first `hessian_images` calibration images),
    onto 2**`bits` levels per channel.
    Bias correction runs over the calibration images in chunks of `chunk`: on each chunk the fp32
    network's per-channel mean conv outputs are the target, and the rounded network is corrected
    layer by layer in execution order, each chunk moving the biases by its share of a running mean.
    Returns the uint8 grids, by conv index.
    """
    device = next(net.parameters()).device
    convs = _call_order(net, torch.from_numpy(calibration[0]).to(device))
    grids: dict[int, Grid] = {}
    hessians: dict[int, torch.Tensor] = {}
    if rounding == "gptq":
        wanted = {k for k, v in storage.items() if v in ("uint8", "uint8full")}
        collector = Hessians(convs, wanted)
        with torch.no_grad():
            for x in calibration[:hessian_images]:
                net(torch.from_numpy(x).to(device))
        hessians = collector.close()
    elif rounding != "nearest":
        raise ValueError(f"rounding: nearest|gptq, got {rounding!r}")
    chunks = [torch.from_numpy(np.concatenate(calibration[i:i + chunk])).to(device)
              for i in range(0, len(calibration), chunk)]
    references = [_conv_means(net, convs, batch) for batch in chunks] if correct else []
    with torch.no_grad():
        for k, conv in enumerate(convs):
            kind = storage.get(k, "fp32")
            if kind in ("uint8", "uint8full"):
                w = conv.weight.detach()
                b = bits if kind == "uint8" else 8
                grids[k] = (gptq_round(w, hessians[k], damp, bits=b) if rounding == "gptq"
                            else uint8_grid(w, b))
                conv.weight.copy_(dequantize(*grids[k]))
            elif kind == "fp16":
                conv.weight.copy_(fp16_round(conv.weight))
            elif kind != "fp32":
                raise ValueError(f"storage for conv {k}: uint8|uint8full|fp16|fp32, got {kind!r}")

    for n, (batch, reference) in enumerate(zip(chunks, references, strict=False)):
        def correct(conv: nn.Conv2d, output: torch.Tensor, k: int, n: int = n,
                    reference: dict[int, torch.Tensor] = reference) -> torch.Tensor:
            shift = (reference[k] - output.mean((0, 2, 3))) / (n + 1)
            conv.bias.add_(shift)
            return output + shift.view(1, -1, 1, 1)

        hooks = [c.register_forward_hook(lambda m, _i, o, k=k, f=correct: f(m, o, k))
                 for k, c in enumerate(convs)]
        with torch.no_grad():
            net(batch)
        for h in hooks:
            h.remove()
        if log:
            log(f"bias correction: chunk {n + 1}/{len(chunks)}")
    return grids


def _conv_means(net: nn.Module, convs: list[nn.Conv2d], batch: torch.Tensor) -> dict[int, torch.Tensor]:
    means: dict[int, torch.Tensor] = {}
    hooks = [c.register_forward_hook(lambda _m, _i, o, k=k: means.__setitem__(k, o.mean((0, 2, 3))))
             for k, c in enumerate(convs)]
    with torch.no_grad():
        net(batch)
    for h in hooks:
        h.remove()
    return means


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
