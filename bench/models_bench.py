"""File size and native ONNX Runtime latency of every model in web/models (not a test).

    .venv/bin/python bench/models_bench.py [--runs 10] [--sizes 320 512 1024]
    .venv/bin/python bench/models_bench.py --relative [--runs 10]

Median of N timed runs after one warm-up, 2 intra-op threads, CPU execution provider. The original
rembg u2netp.onnx (fixed 1x3x320x320) is timed at 320 as the baseline.

``--relative`` times only each architecture's native variant (the manifest's ``runtime_variants``),
alternating the models run by run so that a change of machine load hits them alike, and prints each
one's median divided by U²-Netp's: the ``relative_cost`` of ``model_export/manifest.py``'s ``TIERS``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model_export.rembg_source import fetch_member  # noqa: E402


def _session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def median_ms(sess: ort.InferenceSession, name: str, size: int, runs: int) -> float:
    x = np.random.default_rng(0).random((1, 3, size, size), dtype=np.float32)
    sess.run(None, {name: x})
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, {name: x})
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def relative_costs(models: Path, runs: int, size: int = 320) -> dict[str, float]:
    """Median native run time of each architecture's native variant over U²-Netp's, interleaved."""
    manifest = json.loads((models / "manifest.json").read_text())
    files = {e["id"]: models / e["file"] for e in manifest["models"]}
    natives = {arch: ids["native"] for arch, ids in manifest["runtime_variants"].items() if "native" in ids}
    sessions = {arch: _session(files[i]) for arch, i in natives.items()}
    x = np.random.default_rng(0).random((1, 3, size, size), dtype=np.float32)
    times: dict[str, list[float]] = {arch: [] for arch in sessions}
    for sess in sessions.values():
        sess.run(None, {"input": x})
    for _ in range(runs):
        for arch, sess in sessions.items():
            t = time.perf_counter()
            sess.run(None, {"input": x})
            times[arch].append(time.perf_counter() - t)
    med = {arch: statistics.median(ts) for arch, ts in times.items()}
    for arch, m in med.items():
        print(f"{natives[arch]}: {m * 1000:.1f} ms at {size}, {m / med['u2netp']:.2f} x u2netp")
    return {arch: m / med["u2netp"] for arch, m in med.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=Path, default=ROOT / "web" / "models")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[320, 512, 1024])
    ap.add_argument("--relative", action="store_true",
                    help="each architecture's native run time over u2netp's (TIERS relative_cost)")
    args = ap.parse_args()
    if args.relative:
        relative_costs(args.models, args.runs)
        return
    manifest = json.loads((args.models / "manifest.json").read_text())
    rembg = fetch_member()
    base = median_ms(_session(rembg), "input.1", 320, args.runs)
    print(f"onnxruntime {ort.__version__}, 2 threads, median of {args.runs} runs")
    print(f"rembg u2netp.onnx: {rembg.stat().st_size} bytes, 320: {base:.1f} ms")
    rows = {}
    for e in manifest["models"]:
        sess = _session(args.models / e["file"])
        rows[e["id"]] = (e, {s: median_ms(sess, "input", s, args.runs) for s in args.sizes})
    head = " | ".join(f"{s} ms" for s in args.sizes)
    print(f"| model | bytes | size vs fp32 | {head} | 320 vs fp32 | 320 vs rembg |")
    for model_id, (e, ms) in rows.items():
        ref_id = f"{e['architecture']}-fp32"
        ref_e, ref_ms = rows.get(ref_id, (e, ms))
        cells = " | ".join(f"{ms[s]:.1f}" for s in args.sizes)
        vs_fp32 = ms[args.sizes[0]] / ref_ms[args.sizes[0]]
        print(f"| {model_id} | {e['bytes']} | {e['bytes'] / ref_e['bytes']:.2f} | {cells} | "
              f"{vs_fp32:.2f} | {ms[args.sizes[0]] / base:.2f} |")


if __name__ == "__main__":
    main()
