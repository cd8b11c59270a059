"""Turn a PyTorch network into the team's ONNX contract: one `input`, one `mask`, normalization inside."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import onnx
import torch
from torch import nn

from .simplify import simplify
from .spec import ArchSpec

OPSET = 17


class ContractModel(nn.Module):
    """[0,1] RGB in, final sigmoid map out: normalization moves into the graph, side outputs are dropped."""

    def __init__(self, net: nn.Module, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("inv_std", 1.0 / torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.net((x - self.mean) * self.inv_std)
        return out[0] if isinstance(out, tuple | list) else out


def export_onnx(net: nn.Module, spec: ArchSpec, path: Path) -> None:
    """Export `net` (eval mode) under the contract, simplify it (onnxsim by default, see simplify.py)
    and save it to `path`."""
    model = ContractModel(net, spec.mean, spec.std).eval()
    size = spec.default_size
    sample = torch.rand(1, 3, size, size)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of dynamo, which needs onnxscript; the legacy
        # path is what runs here and its deprecation notice is not actionable for the build.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (sample,), buf, dynamo=False, opset_version=OPSET,
            input_names=["input"], output_names=["mask"],
            dynamic_axes={"input": {2: "height", 3: "width"}, "mask": {2: "height", 3: "width"}},
            do_constant_folding=True,
        )
    proto = onnx.load_from_string(buf.getvalue())
    proto = simplify(proto, size)
    proto.doc_string = f"{spec.name}: input [1,3,H,W] RGB in [0,1], output mask [1,1,H,W] in [0,1]"
    onnx.checker.check_model(proto)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(proto, str(path))
