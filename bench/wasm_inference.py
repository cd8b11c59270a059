"""One model run in ONNX Runtime Web (WASM) against native onnxruntime, same model and input.

    .venv/bin/python bench/wasm_inference.py                  # every variant, 1 and 2 threads, 10 runs
    .venv/bin/python bench/wasm_inference.py --threads 2 --runs 3 --variants uint8 uint8-fold
    .venv/bin/python bench/wasm_inference.py --profile uint8-fold   # ORT's profiler: time per op type

WASM: Debian's headless Chromium on our own server (cross-origin isolated, so threads work), ORT
loaded from web/vendor exactly as the engine loads it, one session per variant, every variant run
in turn so that a change in machine load hits them all alike. Input: 1x3x320x320, the shipped
models' input size. Native: onnxruntime's CPU provider with the same thread count and options.
Prints Markdown: session build, first run, min and median of the timed runs, and WASM ÷ native.

Variants (names in --variants): the model (uint8 | fp32 | fp16) plus options:
  -fold     session.disable_quant_qdq=1: DequantizeLinear of constant weights folded at build
            (what web/src/worker/session.js sets)
  -nospin   session.intra_op.allow_spinning=0
  -static   freeDimensionOverrides height=width=320
  -ext      graphOptimizationLevel 'extended' instead of 'all'
A timing table is evidence only on an idle machine: the load average is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser_support import launch_chromium, start_server  # noqa: E402

MODELS = ROOT / "web" / "models"
SIZE = 320
DEFAULT_VARIANTS = ["uint8", "uint8-fold", "fp32", "uint8-fold-nospin", "uint8-fold-static", "uint8-fold-ext",
                    "fp32-static"]

PAGE_JS = """
async ({threads, variants, runs, profile}) => {
  const rt = await (await fetch('/vendor/runtime.json')).json();
  const base = new URL(rt.ort.base, location.href).href;
  const ort = await import(base + rt.ort.wasm);
  ort.env.wasm.wasmPaths = base;
  ort.env.wasm.numThreads = threads;
  const manifest = await (await fetch('/models/manifest.json')).json();
  const input = new Float32Array(3 * 320 * 320);
  for (let i = 0; i < input.length; i++) input[i] = ((i * 2654435761) % 1000) / 1000;
  const name = manifest.models[0].input.name;
  const feed = () => ({ [name]: new ort.Tensor('float32', input, [1, 3, 320, 320]) });
  const sessions = [];
  for (const v of variants) {
    const entry = manifest.models.find((m) => m.id === v.model);
    const bytes = new Uint8Array(await (await fetch('/models/' + entry.file)).arrayBuffer());
    const opts = { executionProviders: ['wasm'], graphOptimizationLevel: v.opt, enableProfiling: profile };
    if (v.extra) opts.extra = v.extra;
    if (v.free) opts.freeDimensionOverrides = v.free;
    let t = performance.now();
    const s = await ort.InferenceSession.create(bytes, opts);
    const create = performance.now() - t;
    t = performance.now();
    await s.run(feed());
    sessions.push({ name: v.name, s, create, first: performance.now() - t, times: [] });
  }
  for (let r = 0; r < runs; r++) {
    for (const x of sessions) {
      const t = performance.now();
      await x.s.run(feed());
      x.times.push(performance.now() - t);
    }
  }
  if (profile) for (const x of sessions) x.s.endProfiling();
  return sessions.map(({ name, create, first, times }) => ({ name, create, first, times }));
}
"""


def parse_variant(name: str) -> dict:
    model, *flags = name.split("-")
    session: dict = {}
    v = {"name": name, "model": f"u2netp-{model}", "opt": "all"}
    for flag in flags:
        if flag == "fold":
            session["disable_quant_qdq"] = "1"
        elif flag == "nospin":
            session.setdefault("intra_op", {})["allow_spinning"] = "0"
        elif flag == "static":
            v["free"] = {"height": SIZE, "width": SIZE}
        elif flag == "ext":
            v["opt"] = "extended"
        else:
            raise SystemExit(f"unknown variant option -{flag} in {name}")
    if session:
        v["extra"] = {"session": session}
    return v


def native_config(v: dict) -> dict[str, str]:
    out = {}
    session = (v.get("extra") or {}).get("session", {})
    if "disable_quant_qdq" in session:
        out["session.disable_quant_qdq"] = session["disable_quant_qdq"]
    if "intra_op" in session:
        out["session.intra_op.allow_spinning"] = session["intra_op"]["allow_spinning"]
    return out


def run_wasm(variants: list[dict], threads: int, runs: int, profile: bool) -> tuple[list[dict], list[str]]:
    from playwright.sync_api import sync_playwright

    from server.app import create_app

    server = start_server(create_app())
    logs: list[str] = []
    try:
        with sync_playwright() as pw:
            context, profile_dir = launch_chromium(pw)
            page = context.new_page()
            page.on("console", lambda m: logs.append(m.text))
            # Any page of ours will do: it is cross-origin isolated and allowed to load /vendor.
            page.goto(server.url + "/embed/frame.html")
            rows = page.evaluate(PAGE_JS, {"threads": threads, "variants": variants, "runs": runs,
                                           "profile": profile})
            page.wait_for_timeout(500)
            context.close()
            shutil.rmtree(profile_dir, ignore_errors=True)
    finally:
        server.stop()
    return rows, logs


def run_native(variants: list[dict], threads: int, runs: int) -> dict[str, dict]:
    import onnxruntime as ort

    x = np.array([((i * 2654435761) % 1000) / 1000 for i in range(3 * SIZE * SIZE)],
                 dtype=np.float32).reshape(1, 3, SIZE, SIZE)
    manifest = json.loads((MODELS / "manifest.json").read_text())
    out = {}
    for v in variants:
        entry = next(m for m in manifest["models"] if m["id"] == v["model"])
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if v["opt"] == "all"
                                       else ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
        for key, value in native_config(v).items():
            so.add_session_config_entry(key, value)
        t = time.perf_counter()
        session = ort.InferenceSession(str(MODELS / entry["file"]), so, providers=["CPUExecutionProvider"])
        create = time.perf_counter() - t
        feed = {entry["input"]["name"]: x}
        t = time.perf_counter()
        session.run(None, feed)
        first = time.perf_counter() - t
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            session.run(None, feed)
            times.append(time.perf_counter() - t)
        out[v["name"]] = {"create": 1000 * create, "first": 1000 * first, "times": [1000 * s for s in times]}
    return out


def print_profile(logs: list[str]) -> None:
    events = []
    for line in logs:
        line = line.strip().rstrip(",")
        if line.startswith("{") and '"ph"' in line:
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    runs = [e for e in events if e.get("name") == "model_run"]
    if not runs:
        print("\nno profile events in the console")
        return
    last = runs[-1]
    start, end = last["ts"], last["ts"] + last["dur"]
    ops: Counter = Counter()
    count: Counter = Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and start <= e["ts"] <= end:
            ops[e["args"]["op_name"]] += e["dur"]
            count[e["args"]["op_name"]] += 1
    total = sum(ops.values())
    init = [e["dur"] for e in events if e.get("name") == "session_initialization"]
    print(f"\nORT profiler, last of {len(runs)} runs: {last['dur'] / 1000:.0f} ms; session_initialization "
          f"{init[0] / 1000:.0f} ms" if init else "")
    print("\n| op type | ms | share | nodes |\n|---|---|---|---|")
    for op, dur in ops.most_common(10):
        print(f"| {op} | {dur / 1000:.1f} | {100 * dur / total:.1f}% | {count[op]} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=DEFAULT_VARIANTS)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--profile", metavar="VARIANT", help="profile one variant with ORT's profiler instead")
    args = ap.parse_args(argv)

    if args.profile:
        _, logs = run_wasm([parse_variant(args.profile)], max(args.threads), 3, profile=True)
        print_profile(logs)
        return 0
    variants = [parse_variant(name) for name in args.variants]
    for threads in args.threads:
        wasm, _ = run_wasm(variants, threads, args.runs, profile=False)
        native = run_native(variants, threads, args.runs)
        one, five, _ = os.getloadavg()
        print(f"\n### {threads} thread(s), 1x3x{SIZE}x{SIZE}, {args.runs} timed runs; load average {one:.2f} "
              f"(1 min), {five:.2f} (5 min){'  (above 1: not evidence)' if one > 1 else ''}\n")
        print("| variant | WASM build | WASM first | WASM min | WASM median | native build | native median "
              "| WASM ÷ native (median) |")
        print("|---|---|---|---|---|---|---|---|")
        for row in wasm:
            n = native[row["name"]]
            wm, nm = statistics.median(row["times"]), statistics.median(n["times"])
            print(f"| {row['name']} | {row['create']:.0f} ms | {row['first']:.0f} ms "
                  f"| {min(row['times']):.0f} ms | {wm:.0f} ms | {n['create']:.0f} ms | {nm:.0f} ms "
                  f"| {wm / nm:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
