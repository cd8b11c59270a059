"""The served Pyodide runtime for tests and benches that run bgcut in it under Node."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "web" / "vendor"

# A Node script's start: Pyodide with the served numpy and bgcut wheels, and the test's files in
# /work (argv: Pyodide folder, numpy wheel, bgcut wheel, work folder).
PYODIDE_PRELUDE = """
import fs from 'node:fs';
const [dir, numpyWheel, bgcutWheel, work] = process.argv.slice(2);
const { loadPyodide } = await import(dir + '/pyodide.mjs');
const py = await loadPyodide({ indexURL: dir + '/' });
await py.loadPackage([numpyWheel, bgcutWheel]);
py.FS.mkdirTree('/work');
for (const f of fs.readdirSync(work)) py.FS.writeFile('/work/' + f, fs.readFileSync(work + '/' + f));
"""


def served_pyodide() -> tuple[str, Path, Path, Path]:
    """Node, and the Pyodide folder, numpy wheel and bgcut wheel the app is pointed at (runtime.json;
    an older build's folder may still sit beside it). Fails when any is missing or stale."""
    node = shutil.which("node")
    if node is None or not (VENDOR / "runtime.json").is_file():
        pytest.fail("needs node and the vendored Pyodide: run .venv/bin/python -m webbuild")
    served = [f["path"] for f in json.loads((VENDOR / "runtime.json").read_text())["files"]]
    pyodide_dir = (ROOT / "web" / next(p for p in served if p.endswith("/pyodide.mjs")).lstrip("/")).parent
    numpy_wheel = sorted(pyodide_dir.glob("numpy-*.whl"))[-1]
    return node, pyodide_dir, numpy_wheel, served_bgcut_wheel(pyodide_dir)


def served_bgcut_wheel(pyodide_dir: Path) -> Path:
    """The wheel the app serves, after checking it holds exactly the current bgcut sources."""
    wheels = sorted(pyodide_dir.glob("bgcut-*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one bgcut wheel in {pyodide_dir}, found {wheels}: run python -m webbuild")
    src = ROOT / "bgcut" / "src" / "bgcut"
    with zipfile.ZipFile(wheels[0]) as whl:
        names = [n for n in whl.namelist() if n.startswith("bgcut/") and n.endswith(".py")]
        packed = {Path(n).name: whl.read(n) for n in names}
    sources = {p.name: p.read_bytes() for p in src.glob("*.py")}
    if packed != sources:
        changed = sorted(n for n in packed.keys() | sources.keys() if packed.get(n) != sources.get(n))
        pytest.fail(f"the served bgcut wheel differs from bgcut/src in {changed}: run python -m webbuild")
    return wheels[0]
