"""bgcut gives bit-identical results in Pyodide (wasm32, numpy 2.0.2) and in this CPython
(refine='matte', a float64 iterative solve: within 1/255).

Installs the bgcut wheel the app serves (web/vendor, built by ``python -m webbuild``) into the
vendored Pyodide under Node, so a packaging mistake fails here too. Fails when Node, the vendored
runtime or a wheel matching the current bgcut sources is missing.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import bgcut
from bgremove.models import load_model

from .conftest import MODELS_DIR
from .pyodide_support import PYODIDE_PRELUDE, served_pyodide

CASES = {
    "default": {},
    "guided": {"refine": "guided"},
    "shaped": {"refine": "none", "threshold": 0.5, "threshold_softness": 0.2, "edge_shift": -3, "feather": 2},
    "blur": {"background": "blur"},
    "white": {"background": "#ffffff", "edge_shift": 2},
    "mask": {"output": "mask"},
    "edge": {"refine": "edge"},
    # "opaque-" cases run on a fully opaque copy, so postprocess takes the band path (bgcut.band).
    "opaque-default": {},
    "opaque-edge": {"refine": "edge"},
    "opaque-edge-mask": {"refine": "edge", "output": "mask"},
    "matte": {"refine": "matte"},
    "opaque-matte-mask": {"refine": "matte", "output": "mask"},
}
# refine='matte' ends in a conjugate-gradient solve in float64: the same operations in both runtimes,
# but libm and SIMD rounding may differ in the last bits, so one step of 1/255 is allowed there.
WITHIN_ONE = {"matte", "opaque-matte-mask"}

RUNNER = PYODIDE_PRELUDE + """await py.runPythonAsync(`
import json
import numpy as np, bgcut
assert '/site-packages/bgcut/' in bgcut.__file__, bgcut.__file__
rgba = np.load('/work/rgba.npy'); mask = np.load('/work/mask.npy')
np.save('/work/out_input.npy', bgcut.model_input(rgba, (320, 320)))
opaque = rgba.copy(); opaque[..., 3] = 255
for name, opts in json.load(open('/work/cases.json')).items():
    img = opaque if name.startswith('opaque-') else rgba
    np.save(f'/work/out_{name}.npy', bgcut.postprocess(img, mask, bgcut.Options.from_dict(opts)))
`);
for (const f of py.FS.readdir('/work')) {
  if (f.startsWith('out_')) fs.writeFileSync(work + '/' + f, py.FS.readFile('/work/' + f));
}
"""


@pytest.mark.slow
def test_pyodide_matches_cpython_bit_for_bit(tmp_path: Path) -> None:
    node, pyodide_dir, numpy_wheel, bgcut_wheel = served_pyodide()
    import skimage.data

    rgba = np.full((300, 451, 4), 255, np.uint8)
    rgba[..., :3] = skimage.data.chelsea()
    rgba[:40, :60, 3] = 90  # some input transparency too
    model = load_model("u2netp-fp32", MODELS_DIR)
    mask = model.predict(bgcut.model_input(rgba, (320, 320)))
    np.save(tmp_path / "rgba.npy", rgba)
    np.save(tmp_path / "mask.npy", mask)
    (tmp_path / "cases.json").write_text(json.dumps(CASES))
    (tmp_path / "runner.mjs").write_text(RUNNER)
    proc = subprocess.run([node, str(tmp_path / "runner.mjs"), str(pyodide_dir), str(numpy_wheel),
                           str(bgcut_wheel), str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = {"input": bgcut.model_input(rgba, (320, 320))}
    opaque = rgba.copy()
    opaque[..., 3] = 255
    for name, opts in CASES.items():
        img = opaque if name.startswith("opaque-") else rgba
        expected[name] = bgcut.postprocess(img, mask, bgcut.Options.from_dict(opts))
    for name, want in expected.items():
        got = np.load(tmp_path / f"out_{name}.npy")
        assert got.shape == want.shape and got.dtype == want.dtype, name
        if name in WITHIN_ONE:
            diff = np.abs(got.astype(int) - want.astype(int))
            assert diff.max() <= 1, f"Pyodide and CPython differ by {diff.max()} for {name!r}"
            continue
        np.testing.assert_array_equal(got, want, err_msg=f"Pyodide and CPython differ for {name!r}")
