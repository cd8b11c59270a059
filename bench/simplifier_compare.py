"""onnxsim against onnxslim on the exported u2netp fp32 graph: nodes, bytes, agreement, latency.

    .venv/bin/python bench/simplifier_compare.py [--runs 30] [--size 320]

Exports U²-Netp once through model_export's exporter (before simplification), simplifies that
graph with each simplifier (model_export/simplify.py, as the build does), and prints a Markdown
table: node count, file bytes, max |diff| of the mask against the unsimplified graph on 10 dev
photos, and the median ONNX Runtime CPU latency per run at size x size. Run it on an idle machine;
the figures go to docs/MODELS.md ("Simplifier").
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from model_export.archs import ARCHS, load_network
from model_export.export import OPSET, ContractModel
from model_export.images import load_rgb, to_input
from model_export.simplify import SIMPLIFIERS, simplify

ROOT = Path(__file__).resolve().parents[1]
DEV_IMAGES = ROOT.parent / "shared" / "data" / "dev" / "images"


def raw_export(size: int) -> bytes:
    spec = ARCHS["u2netp"]
    net, _, _ = load_network("u2netp", None)
    model = ContractModel(net, spec.mean, spec.std).eval()
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.rand(1, 3, size, size),), buf, dynamo=False, opset_version=OPSET,
                          input_names=["input"], output_names=["mask"],
                          dynamic_axes={name: {2: "height", 3: "width"} for name in ("input", "mask")},
                          do_constant_folding=True)
    return buf.getvalue()


def latency(session: ort.InferenceSession, x: np.ndarray, runs: int) -> float:
    session.run(None, {"input": x})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        session.run(None, {"input": x})
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--size", type=int, default=320)
    args = parser.parse_args()
    exported = raw_export(args.size)
    photos = sorted(DEV_IMAGES.iterdir())[::20][:10]
    inputs = [to_input(load_rgb(p), args.size, args.size) for p in photos]
    graphs = {"none (raw export)": onnx.load_from_string(exported)}
    for name in SIMPLIFIERS:
        graphs[name] = simplify(onnx.load_from_string(exported), args.size, name)
    reference = ort.InferenceSession(exported, providers=["CPUExecutionProvider"])
    ref_out = [reference.run(None, {"input": x})[0] for x in inputs]
    print(f"u2netp fp32, {args.size}x{args.size}, ONNX Runtime {ort.__version__} CPU, "
          f"median of {args.runs} runs\n")
    print("| simplifier | nodes | bytes | max abs diff vs raw | ms per run | top ops |")
    print("|---|---|---|---|---|---|")
    for name, graph in graphs.items():
        blob = graph.SerializeToString()
        session = ort.InferenceSession(blob, providers=["CPUExecutionProvider"])
        outs = [session.run(None, {"input": x})[0] for x in inputs]
        diff = max(float(np.abs(o - r).max()) for o, r in zip(outs, ref_out, strict=True))
        ms = latency(session, inputs[0], args.runs) * 1000
        ops = ", ".join(f"{op} {n}" for op, n in Counter(n.op_type for n in graph.graph.node).most_common(4))
        print(f"| {name} | {len(graph.graph.node)} | {len(blob)} | {diff:.1e} | {ms:.1f} | {ops} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
