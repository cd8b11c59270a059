"""Brotli and gzip variants written beside served files, so the server never compresses on the fly."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

from .util import sha256_file

# Images are already compressed. Wheels and zip archives are served with stored members
# (webbuild/repack.py) so that brotli can shrink them.
COMPRESSIBLE = {".wasm", ".js", ".mjs", ".json", ".onnx", ".css", ".html", ".svg", ".txt", ".whl", ".zip"}
# A variant must save at least this much to be worth a second file and a Vary header.
MIN_SAVING = 0.9
# Brotli 11 runs at well under 1 MB/s; U²-Net's 44-176 MB model files would take many minutes. On
# their weight bytes quality 5 came within 1 % of quality 9 (23.6 vs 23.7 MB for the 5-bit weights,
# 39.1 vs 39.1 MB for 8-bit) at 10-20x the speed, so files above this size get quality 5.
BIG_FILE = 16 * 1024 * 1024
BIG_FILE_QUALITY = 5


def precompress(path: Path, cache_dir: Path, min_saving: float = MIN_SAVING) -> list[Path]:
    """Write path.br and path.gz when they pay off; the costly brotli-11 output is cached by content hash."""
    if path.suffix not in COMPRESSIBLE:
        return []
    data = path.read_bytes()
    written = []
    key = sha256_file(path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for ext, encode in ((".br", _brotli), (".gz", _gzip)):
        cached = cache_dir / f"{key}{ext}"
        if not cached.exists():
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(encode(data))
            tmp.replace(cached)
        blob = cached.read_bytes()
        if len(blob) <= len(data) * min_saving:
            target = path.with_name(path.name + ext)
            target.write_bytes(blob)
            written.append(target)
    return written


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=11 if len(data) <= BIG_FILE else BIG_FILE_QUALITY)


def _gzip(data: bytes) -> bytes:
    # mtime=0 keeps the output byte-identical across builds.
    return gzip.compress(data, compresslevel=9, mtime=0)
