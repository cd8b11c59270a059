"""Zip archives (wheels, Python's standard library) re-written with stored members.

Their members come deflated, which brotli cannot shrink further: numpy's wheel is 3.06 MB either
way. Stored, the same files brotli-compress on the wire to 1.93 MB, and Pyodide unpacks them
without inflating. Names, order, times and attributes are kept, so RECORD hashes stay valid; only
the archive's own sha256 changes, and the lock file we serve carries the new one.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path


def store_zip(src: Path, out_dir: Path, drop: Callable[[str], bool] | None = None) -> Path:
    """``out_dir / src.name``: ``src`` with every member stored, less the members ``drop`` names;
    written once per content (give each ``drop`` its own ``out_dir``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / src.name
    if target.is_file() and target.stat().st_mtime >= src.stat().st_mtime and _all_stored(target):
        return target
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            if drop is not None and drop(info.filename):
                continue
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            copy.compress_type = zipfile.ZIP_STORED
            zout.writestr(copy, zin.read(info))
    os.replace(tmp, target)
    return target


def _all_stored(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    except zipfile.BadZipFile:
        return False
