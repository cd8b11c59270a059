"""The browser's working-copy block sums (web/src/worker/block-sums.js, run under Node) equal
bgcut.passes.block_sums, which the CLI uses: the worker hands its sums to bgcut in place of
NumPy's, so the browser's working copy is the CLI's only if the two agree exactly. Real dev photos
at the scales a large photo gets, ragged edges (sides not a multiple of the block), one-pixel and
one-block photos, and all-white blocks at the largest scale (no overflow)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bgcut.passes import block_sums

from bgremove.decode import decode
from tests.conftest import DevSample

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "block_sums.mjs"


def node_block_sums(tmp_path: Path, cases: list[tuple[np.ndarray, int]]) -> list[np.ndarray]:
    job = []
    for i, (rgba, scale) in enumerate(cases):
        src, dst = tmp_path / f"in{i}.rgba", tmp_path / f"out{i}.u32"
        src.write_bytes(np.ascontiguousarray(rgba, np.uint8).tobytes())
        job.append({"input": str(src), "output": str(dst), "width": rgba.shape[1], "height": rgba.shape[0],
                    "scale": scale})
    (tmp_path / "job.json").write_text(json.dumps({"cases": job}))
    proc = subprocess.run(["node", str(SCRIPT), str(tmp_path / "job.json")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shapes = json.loads(proc.stdout.strip().splitlines()[-1])["shapes"]
    return [np.fromfile(c["output"], "<u4").reshape(h, w, 3) for c, (h, w) in zip(job, shapes, strict=True)]


def test_js_block_sums_equal_python_on_real_and_edge_cases(tmp_path: Path, dev_ten: list[DevSample]) -> None:
    photos = [decode(s.image) for s in dev_ten[:2]]
    rng = np.random.default_rng(7)
    cases: list[tuple[np.ndarray, int]] = []
    for rgba in photos:
        for scale in (1, 2, 3, 4, 7):
            cases.append((rgba, scale))
        # Ragged: neither side a multiple of the block.
        cases.append((rgba[:rgba.shape[0] - 5, :rgba.shape[1] - 3], 4))
    cases.append((rng.integers(0, 256, (1, 1, 4), dtype=np.uint8), 3))
    cases.append((rng.integers(0, 256, (5, 9, 4), dtype=np.uint8), 16))
    cases.append((np.full((130, 67, 4), 255, np.uint8), 64))
    got = node_block_sums(tmp_path, cases)
    for (rgba, scale), js in zip(cases, got, strict=True):
        want = block_sums(rgba, scale)
        assert js.shape == want.shape, (rgba.shape, scale)
        assert np.array_equal(js, want), (rgba.shape, scale, int(np.abs(js.astype(np.int64) - want).max()))


def test_the_comparison_can_fail(tmp_path: Path, dev_ten: list[DevSample]) -> None:
    # Alpha must not count and one changed pixel must: guards against a harness that compares nothing.
    rgba = decode(dev_ten[0].image)[:64, :64].copy()
    base = block_sums(rgba, 4)
    rgba[5, 9, 1] ^= 1
    js = node_block_sums(tmp_path, [(rgba, 4)])[0]
    assert not np.array_equal(js, base)
    rgba[..., 3] = 0
    assert np.array_equal(node_block_sums(tmp_path, [(rgba, 4)])[0], block_sums(rgba, 4))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
