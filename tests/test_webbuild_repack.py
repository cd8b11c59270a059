"""Archives served with stored members (webbuild/repack.py), so brotli shrinks them on the wire."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from webbuild.repack import store_zip

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "web" / "vendor"


def test_store_zip_keeps_every_member_and_its_metadata(tmp_path):
    src = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("pkg/__init__.py", date_time=(2020, 1, 2, 3, 4, 6)), "x = 1\n" * 500)
        zf.writestr(zipfile.ZipInfo("pkg/data.bin", date_time=(2021, 5, 6, 7, 8, 10)), bytes(range(256)) * 40)
        zf.writestr("pkg-1.0.dist-info/RECORD", "pkg/__init__.py,,\n")
    out = store_zip(src, tmp_path / "stored")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert a.read(x) == b.read(y)
            assert x.date_time == y.date_time
            assert y.compress_type == zipfile.ZIP_STORED
    first = out.read_bytes()
    # Written once: a second call keeps the same file, and the output is reproducible.
    assert store_zip(src, tmp_path / "stored").read_bytes() == first
    assert store_zip(src, tmp_path / "again").read_bytes() == first


def test_served_archives_are_stored_and_brotli_compressed():
    runtime_json = VENDOR / "runtime.json"
    if not runtime_json.is_file():
        pytest.fail("web/vendor is not built: run `python -m webbuild` (setup does)")
    runtime = json.loads(runtime_json.read_text())
    archives = [f for f in runtime["files"] if f["path"].endswith((".whl", ".zip"))]
    names = {f["path"].rsplit("/", 1)[1] for f in archives}
    assert "python_stdlib.zip" in names and any(n.startswith("numpy-") for n in names), names
    for entry in archives:
        path = ROOT / "web" / entry["path"].lstrip("/")
        with zipfile.ZipFile(path) as zf:
            assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist()), path
        # Stored members compress well: the wire carries far less than the deflated original did.
        assert entry["encodings"].get("br", entry["bytes"]) < 0.5 * entry["bytes"], entry
    # Pyodide checks each wheel against the lock file we serve: it must name the stored wheels.
    pyodide_dir = ROOT / "web" / runtime["pyodide"]["indexURL"].lstrip("/")
    lock = json.loads((pyodide_dir / runtime["pyodide"]["lockFile"]).read_text())
    by_path = {f["path"].rsplit("/", 1)[1]: f["sha256"] for f in archives}
    for package in lock["packages"].values():
        assert by_path[package["file_name"]] == package["sha256"], package["file_name"]


def test_served_stdlib_leaves_out_what_the_engine_never_imports():
    from webbuild.stdlib_trim import dropped

    found = sorted(VENDOR.glob("pyodide-*/python_stdlib.zip"))
    if not found:
        pytest.fail("web/vendor is not built: run `python -m webbuild` (setup does)")
    with zipfile.ZipFile(found[0]) as zf:
        names = zf.namelist()
    assert not [n for n in names if dropped(n)]
    # What the engine's imports reach (numpy, bgcut, Pyodide's loader) is all there.
    for needed in ("asyncio/__init__.py", "email/parser.py", "tarfile.py", "encodings/cp437.py",
                   "encodings/utf_8.py", "importlib/metadata/__init__.py", "json/__init__.py"):
        assert needed in names
    assert dropped("unittest/case.py") and dropped("encodings/cp1252.py")
    assert not dropped("encodings/cp437.py")
