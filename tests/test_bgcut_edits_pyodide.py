"""The same strokes give the same alpha in the browser's Python (Pyodide, wasm32) as in CPython.

Runs the served bgcut wheel (web/vendor, built by ``python -m webbuild`` and checked against
bgcut/src) in the vendored Pyodide under Node, on a real dev photo with the real model's mask.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import bgcut
from bgremove.decode import decode
from bgremove.models import load_model
from bgremove.pipeline import predict_mask

from .conftest import MODELS_DIR, DevSample
from .pyodide_support import PYODIDE_PRELUDE, served_pyodide

RUNNER = PYODIDE_PRELUDE + """try {
await py.runPythonAsync(`
import numpy as np, bgcut
from bgcut import edits as bgedits
assert '/site-packages/bgcut/' in bgcut.__file__, bgcut.__file__
rgba = np.load('/work/rgba.npy'); mask = np.load('/work/mask.npy')
text = open('/work/edits.json').read()
h, w = rgba.shape[:2]
edits = bgedits.parse_edits(text, w, h)
alpha0 = bgedits.pre_edit_alpha(rgba, mask, bgcut.Options())
np.save('/work/out_alpha0.npy', alpha0)
np.save('/work/out_alpha.npy', bgedits.apply_edits(alpha0, rgba, edits))
np.save('/work/out_rgba.npy', bgcut.postprocess(rgba, mask, bgcut.Options(), edits=text))
white = bgcut.Options.from_dict({'background': '#ffffff'})
np.save('/work/out_white.npy', bgedits.finish(rgba, alpha0, white, edits))
`);
} catch (err) { console.error('PYTHON ERROR ' + String(err.message).slice(-2500)); process.exit(1); }
for (const f of py.FS.readdir('/work')) {
  if (f.startsWith('out_')) fs.writeFileSync(work + '/' + f, py.FS.readFile('/work/' + f));
}
"""


def strokes_for(alpha0: np.ndarray) -> dict:
    """Keep and Erase strokes across the model's outline and over both sides, snapping on and off."""
    h, w = alpha0.shape
    ys, xs = np.nonzero((alpha0 > 0.2) & (alpha0 < 0.8))
    assert ys.size > 20, "the photo needs an outline"
    picks = [ys.size // 5, ys.size // 2, 4 * ys.size // 5]
    outline = [[float(xs[i]) + 0.3, float(ys[i]) + 0.7] for i in picks]
    strokes = [
        {"mode": "erase", "radius": 14.5, "snap": True, "points": outline},
        {"mode": "keep", "radius": 9, "snap": True, "points": outline[::-1]},
        {"mode": "keep", "radius": 7.25, "snap": False, "points": [[w * 0.1, h * 0.1], [w * 0.3, h * 0.15]]},
        {"mode": "erase", "radius": 30, "snap": True, "points": [[w * 0.5, h * 0.5]]},
        {"mode": "keep", "radius": 3, "snap": True, "points": [[w * 0.2, h * 0.8], [w * 0.8, h * 0.2]]},
    ]
    return {"version": 1, "photo": {"width": w, "height": h}, "strokes": strokes}


@pytest.mark.slow
def test_strokes_give_the_same_alpha_in_pyodide(dev_ten: list[DevSample], tmp_path: Path) -> None:
    node, pyodide_dir, numpy_wheel, bgcut_wheel = served_pyodide()
    rgba = decode(dev_ten[6].image)
    mask = predict_mask(rgba, load_model("u2netp-fp32", MODELS_DIR), None, bgcut.Options()).mask
    alpha0 = bgcut.pre_edit_alpha(rgba, mask, bgcut.Options())
    doc = strokes_for(alpha0)
    text = json.dumps(doc)
    np.save(tmp_path / "rgba.npy", rgba)
    np.save(tmp_path / "mask.npy", mask)
    (tmp_path / "edits.json").write_text(text)
    (tmp_path / "runner.mjs").write_text(RUNNER)
    proc = subprocess.run([node, str(tmp_path / "runner.mjs"), str(pyodide_dir), str(numpy_wheel),
                           str(bgcut_wheel), str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[proc.stderr.find("PYTHON ERROR"):][-3000:]
    edits = bgcut.parse_edits(text, rgba.shape[1], rgba.shape[0])
    alpha = bgcut.apply_edits(alpha0, rgba, edits)
    assert np.abs(alpha - alpha0).max() > 0.5, "the strokes must change something"
    np.testing.assert_array_equal(np.load(tmp_path / "out_alpha0.npy"), alpha0)
    got = np.load(tmp_path / "out_alpha.npy")
    assert got.dtype == np.float32 and got.shape == alpha.shape
    assert float(np.abs(got - alpha).max()) <= 1 / 255
    expected = {
        "rgba": bgcut.postprocess(rgba, mask, bgcut.Options(), edits=text),
        "white": bgcut.finish(rgba, alpha0, bgcut.Options.from_dict({"background": "#ffffff"}), edits),
    }
    for name, want in expected.items():
        out = np.load(tmp_path / f"out_{name}.npy")
        assert out.shape == want.shape and out.dtype == want.dtype, name
        assert int(np.abs(out.astype(np.int16) - want).max()) <= 1, name
    # In practice the two runtimes agree bit for bit (same IEEE operations in the same order).
    np.testing.assert_array_equal(got, alpha)
