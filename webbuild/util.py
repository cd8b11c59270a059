"""Small file helpers shared by the web build steps."""

from __future__ import annotations

import hashlib
from pathlib import Path


class BuildError(RuntimeError):
    """A setup step cannot go on; the message says what to fix."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_digest(files: dict[str, Path]) -> str:
    """One hash over names and contents, used to name immutable vendor folders."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(sha256_file(files[name]).encode())
    return digest.hexdigest()
