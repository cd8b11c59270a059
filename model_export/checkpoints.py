"""Load official U²-Net `.pth` and MODNet `.ckpt` checkpoints, failing with a message that names the file."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import torch
from torch import nn

from bgremove.hashing import sha256_file

EXPECTED = {
    "u2net": "a U-2-Net state dict (.pth) with keys like 'stage1.rebnconvin.conv_s1.weight'",
    "modnet": "a MODNet checkpoint (.ckpt) with keys like 'backbone.model.features.0.0.weight', "
              "'lr_branch...', 'hr_branch...', 'f_branch...' (a 'module.' prefix is accepted)",
}


def _read_state_dict(path: Path, arch: str) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: weights file not found; expected {EXPECTED[arch]}")
    try:
        # weights_only: a checkpoint is data, never code to run.
        obj = torch.load(str(path), map_location="cpu", weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, EOFError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValueError(f"{path}: not a readable PyTorch checkpoint ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:200]}); expected {EXPECTED[arch]}") from exc
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError(f"{path}: holds a {type(obj).__name__}, not a tensor state dict; "
                         f"expected {EXPECTED[arch]}")
    # Checkpoints saved from nn.DataParallel prefix every key with 'module.'.
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj


def load_checkpoint(net: nn.Module, path: Path, arch: str) -> str:
    """Load `path` into `net` strictly (every key, every shape); return the file's sha256."""
    state = _read_state_dict(path, arch)
    own = net.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = sorted(k for k in set(own) & set(state) if own[k].shape != state[k].shape)
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing keys (e.g. {missing[:3]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected keys (e.g. {unexpected[:3]})")
        if wrong:
            k = wrong[0]
            parts.append(f"{len(wrong)} shape mismatches (e.g. {k}: {tuple(state[k].shape)} "
                         f"vs {tuple(own[k].shape)})")
        raise ValueError(f"{path}: does not match {arch}: {'; '.join(parts)}; expected {EXPECTED[arch]}")
    net.load_state_dict(state, strict=True)
    return sha256_file(path)
