"""Small file helpers shared by the web build steps."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bgremove.hashing import sha256_file

__all__ = ["BuildError", "sha256_file", "tree_digest"]


class BuildError(RuntimeError):
    """A setup step cannot go on; the message says what to fix."""




def tree_digest(files: dict[str, Path]) -> str:
    """One hash over names and contents, used to name immutable vendor folders."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(sha256_file(files[name]).encode())
    return digest.hexdigest()
