"""The page's stroke list (web/src/ui/edit-history.js) in Node: undo and redo as steps over the
list, a new stroke after undo dropping the redo branch, the saved JSON, and loaded files refused
with a reason (bgcut.edits checks them again in the worker; here the page must not take a file that
would leave its history holding garbage)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

MODULE = Path(__file__).resolve().parents[1] / "web" / "src" / "ui" / "edit-history.js"

SCRIPT = """
const { EditHistory, strokesFromJSON } = await import(process.argv[1]);
const out = {};
const s = (mode, x) => ({ mode, radius: 5, snap: true, points: [[x, 1]] });
const h = new EditHistory(40, 30);
h.push(s('keep', 1)); h.push(s('erase', 2)); h.push(s('keep', 3));
out.afterThree = h.toJSON();
out.undo = [h.undo(), h.undo(), h.toJSON().strokes.length, h.canRedo];
out.redo = [h.redo(), h.toJSON().strokes.length];
h.push(s('erase', 9));  // a new stroke after undo: the old third stroke cannot be redone
out.branch = [h.canRedo, h.toJSON().strokes.map((t) => t.points[0][0])];
out.bottom = [h.undo(), h.undo(), h.undo(), h.undo(), h.canUndo];
const refuse = (data) => {
  try { strokesFromJSON(data, 40, 30); return null; } catch (e) { return e.message; }
};
const ok = { version: 1, photo: { width: 40, height: 30 }, strokes: [s('keep', 1)] };
out.ok = strokesFromJSON(ok, 40, 30);
const noSnap = { mode: 'erase', radius: 2, points: [[0, 0]] };
out.defaultSnap = strokesFromJSON({ ...ok, strokes: [noSnap] }, 40, 30);
out.refused = {
  notObject: refuse([1, 2]),
  version: refuse({ ...ok, version: 2 }),
  size: refuse({ ...ok, photo: { width: 30, height: 40 } }),
  mode: refuse({ ...ok, strokes: [{ ...s('keep', 1), mode: 'paint' }] }),
  radius: refuse({ ...ok, strokes: [{ ...s('keep', 1), radius: -1 }] }),
  nan: refuse({ ...ok, strokes: [{ ...s('keep', 1), points: [[null, 2]] }] }),
  empty: refuse({ ...ok, strokes: [{ ...s('keep', 1), points: [] }] }),
  points: refuse({ ...ok, strokes: [{ ...s('keep', 1), points: Array(1e6).fill([1, 1]) }] }),
};
console.log(JSON.stringify(out));
"""


def run() -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH (bash scripts/bootstrap.sh setup installs Node.js)")
    proc = subprocess.run([node, "--input-type=module", "-e", SCRIPT, MODULE.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_undo_redo_branch_and_files():
    out = run()
    assert out["afterThree"]["version"] == 1
    assert out["afterThree"]["photo"] == {"width": 40, "height": 30}
    assert [t["mode"] for t in out["afterThree"]["strokes"]] == ["keep", "erase", "keep"]
    assert out["undo"] == [True, True, 1, True]
    assert out["redo"] == [True, 2]
    assert out["branch"] == [False, [1, 2, 9]]
    assert out["bottom"] == [True, True, True, False, False]
    assert out["ok"] == [{"mode": "keep", "radius": 5, "snap": True, "points": [[1, 1]]}]
    assert out["defaultSnap"][0]["snap"] is True
    refused = out["refused"]
    assert all(refused.values()), refused
    assert "30×40" in refused["size"] and "40×30" in refused["size"]
    assert "version" in refused["version"]
    assert "200000" in refused["points"]
