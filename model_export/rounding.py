"""Choosing each conv's stored weights: uint8 grids, error-compensating rounding, fp16, sensitivity.

* ``uint8_grid``: per-output-channel asymmetric uint8 (the only int weight type ORT-web's WASM
  backend dequantizes for Conv).
* ``gptq_round``: rounds one input column at a time and spreads each column's rounding error over
  the columns not yet rounded, weighted by the inverse of the layer's input second-moment matrix
  H = E[x x^T] (Frantar et al., 2023, "GPTQ", after Optimal Brain Quantization). It minimises the
  layer's output error on the calibration inputs rather than each weight's own error.
* ``layer_sensitivity``: how much the final mask moves when one conv alone is rounded to uint8; the
  most sensitive convs are stored as fp16 (cast to fp32 at load) within the size budget.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

Grid = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def uint8_grid(w: torch.Tensor, bits: int = 8) -> Grid:
    """Asymmetric per-output-channel uint8 quantization (range widened to hold 0, as ONNX Runtime does).

    With ``bits`` < 8 the values still live in uint8 storage (ORT's DequantizeLinear) but use only
    levels 0 .. 2**bits - 1, so brotli codes each in about ``bits`` bits on the wire.
    Returns (quantized uint8 values, scale [C], zero point [C] uint8).
    """
    scale, zero = grid_params(w, bits)
    return quantize(w, scale, zero, bits), scale, zero


def grid_params(w: torch.Tensor, bits: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    top = float((1 << bits) - 1)
    flat = w.reshape(w.shape[0], -1)
    lo = flat.min(1).values.clamp(max=0.0)
    hi = flat.max(1).values.clamp(min=0.0)
    scale = (hi - lo) / top
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    zero = torch.round(-lo / scale).clamp(0, top)
    return scale, zero.to(torch.uint8)


def quantize(w: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor, bits: int = 8) -> torch.Tensor:
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.round(w / scale.view(shape)) + zero.float().view(shape)
    return torch.clamp(q, 0, (1 << bits) - 1).to(torch.uint8)


def dequantize(q: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor) -> torch.Tensor:
    shape = (-1,) + (1,) * (q.dim() - 1)
    return (q.float() - zero.float().view(shape)) * scale.view(shape)


def gptq_round(w: torch.Tensor, hessian: torch.Tensor, damp: float = 0.1, block: int = 128,
               bits: int = 8) -> Grid:
    """uint8 values for conv weight `w` [Cout, Cin, kh, kw] on its min/max grid, GPTQ order.

    `hessian` is E[x x^T] over the conv's unfolded inputs [Cin*kh*kw, Cin*kh*kw] (``Hessians``).
    """
    scale, zero = grid_params(w, bits)
    top = (1 << bits) - 1
    mat = w.reshape(w.shape[0], -1).double().clone()
    h = hessian.double().clone()
    dead = torch.diag(h) == 0
    h[dead, dead] = 1.0
    mat[:, dead] = 0.0
    h += damp * torch.mean(torch.diag(h)) * torch.eye(h.shape[0], dtype=h.dtype, device=h.device)
    # Upper Cholesky factor of H^-1: row i holds how rounding column i should move columns > i.
    inv = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(h)), upper=True)
    s = scale.double()[:, None]
    z = zero.double()[:, None]
    q = torch.empty_like(mat)
    # Columns in blocks: inside a block the error goes to the block's later columns at once per column,
    # to the columns after the block in one matrix product (same result, far fewer small ops).
    for b0 in range(0, mat.shape[1], block):
        b1 = min(b0 + block, mat.shape[1])
        part = mat[:, b0:b1].clone()
        errs = torch.empty_like(part)
        for i in range(b1 - b0):
            col = part[:, i:i + 1]
            qi = torch.clamp(torch.round(col / s) + z, 0, top)
            q[:, b0 + i:b0 + i + 1] = qi
            err = (col - (qi - z) * s) / inv[b0 + i, b0 + i]
            part[:, i:] -= err * inv[b0 + i, b0 + i:b1][None, :]
            errs[:, i:i + 1] = err
        mat[:, b1:] -= errs @ inv[b0:b1, b1:]
    return q.reshape(w.shape).to(torch.uint8), scale, zero


class Hessians:
    """E[x x^T] of every listed conv's unfolded input over calibration images, from forward hooks.

    Only `positions` random output positions per image are used (a fixed generator), which bounds
    the work on the 320x320, 128-channel decoder inputs while still giving thousands of samples.
    """

    def __init__(self, convs: list[nn.Conv2d], indices: set[int], positions: int = 2048, seed: int = 0):
        self.sums: dict[int, torch.Tensor] = {}
        self.counts: dict[int, int] = {}
        self._gen = torch.Generator().manual_seed(seed)
        self._positions = positions
        self._hooks = [c.register_forward_pre_hook(lambda m, args, k=k: self._add(k, m, args[0]))
                       for k, c in enumerate(convs) if k in indices]

    def _add(self, k: int, conv: nn.Conv2d, x: torch.Tensor) -> None:
        # Only the sampled positions' patches are gathered: unfolding a whole 320x320 input with 128
        # channels would take about 0.5 GB per image and layer.
        (kh, kw), (dh, dw), (ph, pw), (sh, sw) = conv.kernel_size, conv.dilation, conv.padding, conv.stride
        n, c, h, w = x.shape
        oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        ys = (torch.randint(0, oh, (self._positions,), generator=self._gen) * sh).to(x.device)
        xs = (torch.randint(0, ow, (self._positions,), generator=self._gen) * sw).to(x.device)
        padded = F.pad(x, (pw, pw, ph, ph))
        taps = [padded[:, :, ys + i * dh, xs + j * dw] for i in range(kh) for j in range(kw)]
        cols = torch.stack(taps, 2).reshape(n, c * kh * kw, -1)  # the weight's (Cin, kh, kw) order
        sample = cols.permute(1, 0, 2).reshape(c * kh * kw, -1).double()
        self.sums[k] = self.sums.get(k, 0) + sample @ sample.T
        self.counts[k] = self.counts.get(k, 0) + sample.shape[1]

    def close(self) -> dict[int, torch.Tensor]:
        for h in self._hooks:
            h.remove()
        return {k: (s / self.counts[k]).float() for k, s in self.sums.items()}


def fp16_round(w: torch.Tensor) -> torch.Tensor:
    return w.half().float()


def layer_sensitivity(net: nn.Module, convs: list[nn.Conv2d], inputs: list[np.ndarray],
                      indices: list[int], log: Callable[[str], None] | None = None) -> dict[int, float]:
    """Mean squared change of the final mask when conv k alone is rounded to its uint8 grid."""
    batch = torch.from_numpy(np.concatenate(inputs))
    with torch.no_grad():
        ref = net(batch)
        out: dict[int, float] = {}
        for n, k in enumerate(indices):
            conv = convs[k]
            kept = conv.weight.detach().clone()
            conv.weight.copy_(dequantize(*uint8_grid(kept)))
            out[k] = float(torch.mean((net(batch) - ref) ** 2))
            conv.weight.copy_(kept)
            if log and (n + 1) % 20 == 0:
                log(f"sensitivity: {n + 1}/{len(indices)} convs")
    return out
