"""Skip a build whose inputs did not change: a stamp keyed by a hash of everything the output depends on."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .paths import CACHE_DIR

_LIBRARIES = ("torch", "onnx", "onnxruntime", "onnxsim", "onnxslim", "numpy", "pillow", "scikit-image")


def library_versions() -> dict[str, str]:
    found = {}
    for name in _LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def source_digest() -> str:
    """Hash of this package's own source: changing the exporter must rebuild."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_key(payload: dict[str, Any]) -> str:
    full = {"payload": payload, "source": source_digest(), "libraries": library_versions()}
    return hashlib.sha256(json.dumps(full, sort_keys=True, default=str).encode()).hexdigest()


def stamp_path(arch: str) -> Path:
    return CACHE_DIR / f"stamp-{arch}.json"


def read_stamp(arch: str) -> dict[str, Any] | None:
    path = stamp_path(arch)
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def write_stamp(arch: str, key: str, out_dir: Path, entries: list[dict[str, Any]]) -> None:
    path = stamp_path(arch)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"key": key, "out": str(out_dir.resolve()), "entries": entries}
    path.write_text(json.dumps(data, indent=2) + "\n")
