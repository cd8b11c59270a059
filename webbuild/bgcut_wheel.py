"""Build our pure-Python post-processing wheel with plain `pip wheel` (pyodide-build needs the network)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .util import BuildError

# A fixed timestamp makes the wheel byte-identical for identical sources (zip entries carry mtimes).
REPRODUCIBLE_EPOCH = "315532800"


def build_wheel(project: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    # setuptools stages into build/ inside the project and reuses it: a module deleted from src/
    # would survive there and ship in the wheel.
    shutil.rmtree(project / "build", ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH}
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
               "-q", str(project), "-w", tmp]
        result = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wheels = list(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            raise BuildError(f"pip wheel {project} failed:\n{result.stderr.strip()}")
        target = out_dir / wheels[0].name
        wheels[0].replace(target)
    shutil.rmtree(project / "build", ignore_errors=True)
    return target


def lock_entry(wheel: Path, sha256: str) -> dict:
    """The Pyodide lock entry for our wheel, so loadPackage verifies it like the official ones."""
    name, version = wheel.name.split("-")[:2]
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256,
        "package_type": "package",
        "imports": [name],
        "depends": ["numpy"],
        "unvendored_tests": False,
    }
