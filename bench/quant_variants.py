"""Quantization variants of the small WASM model: build, size, quality on a dev half, native latency.

    .venv/bin/python bench/quant_variants.py --list
    .venv/bin/python bench/quant_variants.py --sensitivity     # per-conv sensitivity (calibration views)
    .venv/bin/python bench/quant_variants.py --build NAME ...          # .cache/quant_variants/NAME.onnx
    .venv/bin/python bench/quant_variants.py --score tune NAME ...     # default-pipeline IoU/B-IoU vs GT
    .venv/bin/python bench/quant_variants.py --time NAME ... [--runs 20]   # native ORT latency at 320
    .venv/bin/python bench/quant_variants.py --table                   # the docs/MODELS.md table
    .venv/bin/python bench/quant_variants.py --arch u2net --score report q5 q6   # U²-Net's WASM file

Every variant is built from the same fp32 network with ``model_export.mixed`` and only the settings
differ; calibration never touches ../shared. ``--score`` uses the dev split of bench/dev_split.py:
choose on ``tune``, claim on ``report``. Scores land in bench/results/quant_variants.json (gitignored)
and are reused until the model file changes. The WASM latency of the chosen file is measured in the
browser benchmark (bench/browser_bench.py) with the manifest's default model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model_export.build import QUANT, U2NET_QUANT, WIDE_CALIBRATION  # noqa: E402
from model_export.settings import CalibrationSettings, QuantizationSettings  # noqa: E402

OUT = ROOT / ".cache" / "quant_variants"
RESULTS = ROOT / "bench" / "results" / "quant_variants.json"
SENSITIVITY = ROOT / "bench" / "results" / "quant_sensitivity.json"

OLD_CAL = CalibrationSettings(crops=())  # the 8 bundled photos and their flips, as shipped before
WIDE_CAL = WIDE_CALIBRATION
BASE = QuantizationSettings(max_bytes=10**9)


def fp16_budget(sensitivity: dict[int, float], sizes: dict[int, int], budget_params: int,
                exclude: set[int]) -> tuple[int, ...]:
    """Greedy: the convs with the most sensitivity per weight, until `budget_params` weights are fp16."""
    order = sorted((k for k in sensitivity if k not in exclude),
                   key=lambda k: -sensitivity[k] / sizes[k])
    chosen, used = [], 0
    for k in order:
        if used + sizes[k] <= budget_params:
            chosen.append(k)
            used += sizes[k]
    return tuple(sorted(chosen))


def _sens() -> tuple[dict[int, float], dict[int, int]]:
    if not SENSITIVITY.is_file():
        raise SystemExit(f"{SENSITIVITY}: run --sensitivity first")
    data = json.loads(SENSITIVITY.read_text())
    return ({int(k): v for k, v in data["sensitivity"].items()},
            {int(k): v for k, v in data["params"].items()})


ARCH = "u2netp"


def variants() -> dict[str, QuantizationSettings]:
    """Name -> settings of every variant tried (fp16 sets come from the stored sensitivity)."""
    if ARCH == "u2net":
        # U²-Net's WASM file: 2**bits levels per channel in uint8 storage, nearest or GPTQ rounding.
        out = {f"q{b}-full{m // 1000}k": replace(U2NET_QUANT, bits=b, full_bits_max_weights=m)
               for b, m in ((6, 0), (6, 300_000), (6, 600_000), (5, 600_000), (5, 1_200_000), (4, 1_200_000))}
        out["q5-bias-corrected"] = replace(U2NET_QUANT, bias_correction=True)
        return {"shipped": U2NET_QUANT, **out}
    gptq = replace(BASE, calibration=WIDE_CAL, rounding="gptq", hessian_images=32)
    v = {
        "shipped": QUANT,
        "nearest-old-cal": replace(BASE, calibration=OLD_CAL),
        "nearest-wide-cal": replace(BASE, calibration=WIDE_CAL),
        "gptq-wide-cal": gptq,
        "gptq-d1-wide-cal": replace(gptq, gptq_damp=1.0),
    }
    if SENSITIVITY.is_file():
        sens, sizes = _sens()
        for budget in (100_000, 270_000):
            fp16 = fp16_budget(sens, sizes, budget, {0, len(sizes) - 1})
            tag = f"{budget // 1000}k"
            v[f"nearest-fp16-{tag}"] = replace(BASE, calibration=WIDE_CAL, fp16_convs=fp16)
            v[f"gptq-fp16-{tag}"] = replace(gptq, fp16_convs=fp16)
            v[f"gptq-d1-fp16-{tag}"] = replace(gptq, gptq_damp=1.0, fp16_convs=fp16)
    return v


def _network():
    from model_export.archs import ARCHS, load_network
    net, _, _ = load_network(ARCH, None)
    return net, ARCHS[ARCH]


def _variant_path(name: str) -> Path:
    return OUT / (f"{name}.onnx" if ARCH == "u2netp" else f"{ARCH}-{name}.onnx")


def build_variant(name: str, settings: QuantizationSettings) -> Path:
    from model_export.mixed import make_weight_quantized
    net, spec = _network()
    OUT.mkdir(parents=True, exist_ok=True)
    dst = _variant_path(name)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        plan = make_weight_quantized(net, spec, dst, Path(tmp), settings, log=None)
    fp16 = sum(1 for v in plan.values() if v == "fp16")
    print(f"{name}: {dst.stat().st_size} bytes, {fp16} fp16 convs, "
          f"built in {time.perf_counter() - t0:.0f} s", flush=True)
    return dst


def fp32_file() -> Path:
    from bgremove.models import Manifest
    return Manifest(ROOT / "web" / "models").entry(f"{ARCH}-fp32").path


def _plan() -> dict | None:
    """The architecture's plan defaults from the manifest (None: bgcut.Options()'s)."""
    manifest = json.loads((ROOT / "web" / "models" / "manifest.json").read_text())
    return (manifest.get("plans") or {}).get(ARCH)


def brotli_bytes(path: Path) -> int:
    from webbuild.compress import _brotli  # what webbuild serves (lower quality for big files)
    return len(_brotli(path.read_bytes()))


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}


def _save(data: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=1))


def _sha(path: Path) -> str:
    from bgremove.hashing import sha256_file
    return sha256_file(path)


def score(name: str, path: Path, half: str) -> dict:
    from model_export.userscore import dev_photos, score_file
    data = _load()
    name = name if ARCH == "u2netp" else f"{ARCH}-{name}"
    row = data.setdefault(name, {})
    sha = _sha(path)
    if row.get("sha") != sha:
        row.clear()
        row["sha"] = sha
    key = f"score_{half}"
    if key not in row:
        t0 = time.perf_counter()
        s = score_file(path, dev_photos(half), plan=_plan() if ARCH != "u2netp" else None)
        row[key] = {"photos": s.photos, "iou": s.iou, "biou": s.biou, "per_photo": s.per_photo}
        print(f"  scored {name} on {half} in {time.perf_counter() - t0:.0f} s", flush=True)
    row["bytes"] = path.stat().st_size
    row["brotli"] = brotli_bytes(path)
    data = {**_load(), name: row}
    _save(data)
    return row


def native_ms(path: Path, runs: int) -> float:
    from model_export.variants import session
    sess = session(path)
    x = np.random.default_rng(0).random((1, 3, 320, 320), dtype=np.float32)
    sess.run(None, {"input": x})
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, {"input": x})
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def sensitivity(images: int) -> None:
    import torch

    from model_export.bias_correction import _call_order
    from model_export.export import ContractModel
    from model_export.images import calibration_inputs
    from model_export.rounding import layer_sensitivity
    net, spec = _network()
    model = ContractModel(net, spec.mean, spec.std).eval()
    inputs = calibration_inputs(WIDE_CAL)
    step = max(1, len(inputs) // images)
    inputs = inputs[::step][:images]
    convs = _call_order(model, torch.from_numpy(inputs[0]))
    sens = layer_sensitivity(model, convs, inputs, list(range(len(convs))), log=print)
    params = {k: c.weight.numel() for k, c in enumerate(convs)}
    SENSITIVITY.parent.mkdir(parents=True, exist_ok=True)
    SENSITIVITY.write_text(json.dumps({"images": len(inputs), "sensitivity": sens, "params": params},
                                      indent=1))
    top = sorted(sens, key=lambda k: -sens[k])[:20]
    print("most sensitive convs (index: mean squared mask change, weights):")
    for k in top:
        print(f"  {k:3d}: {sens[k]:.3e}  {params[k]}")


def table(half: str) -> str:
    data = _load()
    ref = data.get("fp32", {}).get(f"score_{half}")
    lines = [f"| variant | bytes | brotli bytes | IoU ({half}) | B-IoU ({half}) | dIoU vs fp32 "
             "| dB-IoU vs fp32 | native ms (320) | WASM ms (320) |", "|---|---|---|---|---|---|---|---|---|"]
    for name, row in data.items():
        s = row.get(f"score_{half}")
        if not s:
            continue
        d_iou = f"{s['iou'] - ref['iou']:+.4f}" if ref else "-"
        d_biou = f"{s['biou'] - ref['biou']:+.4f}" if ref else "-"
        ms = f"{row['native_ms']:.0f}" if "native_ms" in row else "pending"
        lines.append(f"| {name} | {row['bytes']} | {row['brotli']} | {s['iou']:.4f} | {s['biou']:.4f} | "
                     f"{d_iou} | {d_biou} | {ms} | pending |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--list", action="store_true")
    p.add_argument("--sensitivity", type=int, nargs="?", const=67, metavar="IMAGES",
                   help="images for the sensitivity run (default: all 67 calibration views, as shipped)")
    p.add_argument("--build", nargs="+", metavar="NAME", default=[])
    p.add_argument("--score", nargs="+", metavar=("HALF", "NAME"), default=[])
    p.add_argument("--time", nargs="+", metavar="NAME", default=[])
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--table", choices=["tune", "report"], nargs="?", const="report")
    p.add_argument("--arch", choices=["u2netp", "u2net"], default="u2netp")
    args = p.parse_args()
    global ARCH
    ARCH = args.arch
    known = variants()
    if args.list:
        for name, s in known.items():
            print(f"{name:22s} rounding={s.rounding} fp16={len(s.fp16_convs)} convs "
                  f"photos={len(s.calibration.photos)} views={s.calibration.views_per_photo}")
        return 0
    if args.sensitivity:
        sensitivity(args.sensitivity)
    for name in args.build:
        build_variant(name, known[name])
    if args.score:
        half, names = args.score[0], args.score[1:]
        for name in names:
            path = fp32_file() if name == "fp32" else _variant_path(name)
            if not path.is_file():
                path = build_variant(name, known[name])
            s = score(name, path, half)[f"score_{half}"]
            print(f"{name:22s} {half}: IoU {s['iou']:.4f}  B-IoU {s['biou']:.4f}  ({s['photos']} photos)",
                  flush=True)
    for name in args.time:
        path = fp32_file() if name == "fp32" else _variant_path(name)
        ms = native_ms(path, args.runs)
        data = _load()
        data.setdefault(name, {})["native_ms"] = ms
        _save(data)
        print(f"{name}: {ms:.1f} ms median of {args.runs} at 320x320, 2 threads")
    if args.table:
        print(table(args.table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
