"""The WASM model: per-channel uint8 Conv weights behind DequantizeLinear, a few sensitive convs in
fp16 behind a Cast, the first and last conv in fp32; activations stay float32 throughout.

ORT-web's WASM backend has no int8-weight Conv; a DequantizeLinear on a constant weight and a Cast of
an fp16 initializer both leave a plain fp32 Conv after ONNX Runtime's load-time optimizations, so the
mix costs download bytes only, never inference time.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .settings import QuantizationSettings
from .spec import ArchSpec


def storage_plan(n_convs: int, settings: QuantizationSettings,
                 sizes: list[int] | None = None) -> dict[int, str]:
    """Conv index (execution order) -> "uint8" | "uint8full" | "fp16" | "fp32".

    "uint8" uses ``settings.bits`` levels, "uint8full" all 256: the convs of at most
    ``settings.full_bits_max_weights`` weights (`sizes`, per conv), which in U²-Net are the
    full-resolution ones whose rounding moves the mask's edge most, at little cost in bytes."""
    bad = [k for k in settings.fp16_convs if k >= n_convs]
    if bad:
        raise ValueError(f"QuantizationSettings.fp16_convs {bad}: the network has {n_convs} convs")
    plan = {k: "uint8" for k in range(n_convs)}
    if settings.bits < 8 and settings.full_bits_max_weights:
        if sizes is None or len(sizes) != n_convs:
            raise ValueError("storage_plan: full_bits_max_weights needs every conv's weight count")
        plan |= {k: "uint8full" for k in range(n_convs) if sizes[k] <= settings.full_bits_max_weights}
    for k in settings.fp16_convs:
        plan[k] = "fp16"
    for k in settings.float_convs(n_convs):
        plan[k] = "fp32"
    return plan


def make_weight_quantized(net: nn.Module, spec: ArchSpec, dst: Path, tmp: Path,
                          settings: QuantizationSettings, log=None) -> dict[int, str]:
    """Round a copy of `net` per `settings`, correct its biases, export it and store it at `dst`."""
    from .bias_correction import _call_order, round_and_correct
    from .export import ContractModel, export_onnx
    from .images import calibration_inputs
    from .variants import make_uint8_weights

    model = ContractModel(copy.deepcopy(net), spec.mean, spec.std).eval()
    inputs = calibration_inputs(settings.calibration)
    order = _call_order(model, torch.from_numpy(inputs[0]))
    plan = storage_plan(len(order), settings, [c.weight.numel() for c in order])
    grids = round_and_correct(model, inputs, plan, settings.rounding, settings.hessian_images,
                              settings.bias_chunk, correct=settings.bias_correction,
                              damp=settings.gptq_damp, log=log, bits=settings.bits)
    rounded = tmp / "rounded-fp32.onnx"
    export_onnx(model.net, spec, rounded)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if sorted(map(id, order)) != sorted(map(id, convs)):
        raise RuntimeError("conv call order does not cover every conv once")
    key = [c.weight.detach().numpy().astype(np.float32).tobytes() for c in order]
    if len(set(key)) != len(key):
        raise RuntimeError("two convs carry identical weights; they cannot be told apart in the graph")
    make_uint8_weights(rounded, dst, settings, {key[k]: g for k, g in grids.items()},
                       frozenset(key[k] for k, v in plan.items() if v == "fp16"))
    return plan
