"""U²-Net and MODNet from checkpoints in their official formats (seeded random weights), exported to ONNX
and compared with PyTorch in onnxruntime at two input sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from model_export.archs import ARCHS, load_network
from model_export.export import ContractModel, export_onnx
from model_export.variants import session

pytestmark = pytest.mark.slow


def _randomize_batchnorm(net: torch.nn.Module) -> None:
    # Fresh BatchNorm stats are 0/1 and would make a BN-loading bug invisible.
    g = torch.Generator().manual_seed(3)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)


def _checkpoint(arch: str, folder: Path) -> Path:
    torch.manual_seed(7)
    net = ARCHS[arch].build()
    _randomize_batchnorm(net)
    state = net.state_dict()
    if arch == "modnet":
        path = folder / "modnet_random.ckpt"
        torch.save({"module." + k: v for k, v in state.items()}, path)
    else:
        path = folder / "u2net_random.pth"
        torch.save(state, path)
    return path


@pytest.mark.parametrize("arch", ["u2net", "modnet"])
def test_export_matches_pytorch(arch: str, tmp_path: Path) -> None:
    weights = _checkpoint(arch, tmp_path)
    net, _, source = load_network(arch, weights)
    assert weights.name in source
    spec = ARCHS[arch]
    onnx_path = tmp_path / f"{arch}.onnx"
    export_onnx(net, spec, onnx_path)
    sess = session(onnx_path)
    model = ContractModel(net, spec.mean, spec.std).eval()
    rng = np.random.default_rng(0)
    # Two sizes, one non-square: the graph must not have frozen the trace size anywhere.
    for h, w in ((160, 160), (128, 192)):
        x = rng.random((1, 3, h, w), dtype=np.float32)
        got = sess.run(None, {"input": x})[0]
        with torch.no_grad():
            want = model(torch.from_numpy(x)).numpy()
        assert got.shape == (1, 1, h, w)
        assert float(np.abs(got - want).max()) <= 1e-4
        assert float(want.std()) > 0.0, "a constant output would make this comparison meaningless"
