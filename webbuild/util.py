"""Small file helpers shared by the web build steps."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["BuildError", "sha256_file", "tree_digest"]


class BuildError(RuntimeError):
    """A setup step cannot go on; the message says what to fix."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file (the standard library reads it in blocks)."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def tree_digest(files: dict[str, Path]) -> str:
    """One hash over names and contents, used to name immutable vendor folders."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(sha256_file(files[name]).encode())
    return digest.hexdigest()
