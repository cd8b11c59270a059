"""`bgremove` with its defaults against rembg's plain U²-Netp pipeline, on the same photos in one run.

    .venv/bin/python bench/cli_vs_plain.py                       # 30 dev photos + 12 MP, 3 runs each
    .venv/bin/python bench/cli_vs_plain.py --photos 30 --sizes 12 --runs 3
    .venv/bin/python bench/cli_vs_plain.py --photos 2 --sizes --runs 1   # smoke run

The plain pipeline is written here after rembg's: decode with Pillow, Pillow bilinear resize to
320x320, u2netp fp32 in ONNX Runtime (the same session options as ours), Pillow bilinear upsampling
of the mask to the photo, alpha put on the photo, PNG encoded like ours (zlib level 3; rembg's
Pillow default, level 6, would be slower, so this is the stricter baseline). No refinement, no
threshold, no decontamination. Ours is ``bgremove.pipeline.process_file`` with ``bgcut.Options()``
and the CLI's default model (the manifest's native variant), i.e. exactly what ``bgremove`` runs
per file. Both pipelines alternate photo by photo, so they share whatever load the machine has.

Photos: ``--photos N`` dev photos spread over ``../shared/data/dev`` (as the files are: JPEG) and
``--sizes`` synthetic photos (scikit-image "coffee" enlarged, JPEG q90, as bench/native_bench.py).
Prints per-photo medians, per-stage medians and the ratio of the totals, with the load average;
timings taken with a load average above 1 are not evidence (run it on an idle machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from native_bench import synth_photo  # noqa: E402

import bgcut  # noqa: E402
from bgremove.models import Manifest, OnnxModel, load_model  # noqa: E402
from bgremove.pipeline import PNG_COMPRESS_LEVEL, StageTimes, process_file  # noqa: E402

DEV_DIR = ROOT.parent / "shared" / "data" / "dev"
PLAIN_MODEL = "u2netp-fp32"
STAGES = ("decode", "model_input", "inference", "postprocess", "encode")


def plain_pipeline(src: Path, dst: Path, model: OnnxModel) -> dict[str, float]:
    """rembg's plain U²-Netp cut-out, stage by stage; returns seconds per stage."""
    t: dict[str, float] = {}
    c = time.perf_counter
    t0 = c()
    with Image.open(src) as im:
        photo = im.convert("RGB")
    t1 = c()
    x = np.asarray(photo.resize((320, 320), Image.Resampling.BILINEAR), np.float32) * np.float32(1 / 255)
    x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    t2 = c()
    mask = model.predict(x)
    t3 = c()
    small = Image.fromarray(np.clip(mask, 0, 1) * np.float32(255))
    alpha = small.resize(photo.size, Image.Resampling.BILINEAR)
    photo.putalpha(alpha.convert("L"))
    t4 = c()
    photo.save(dst, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    t5 = c()
    t.update(decode=t1 - t0, model_input=t2 - t1, inference=t3 - t2, postprocess=t4 - t3, encode=t5 - t4)
    return t


def ours(src: Path, dst: Path, model: OnnxModel, options: bgcut.Options) -> dict[str, float]:
    times: StageTimes = process_file(src, dst, model, options, "png")
    return {s: getattr(times, s) for s in STAGES} | {"runs": times.detail.get("model_runs", float("nan"))}


def photos(n: int, sizes: list[float], tmp: Path) -> list[tuple[str, Path]]:
    out = []
    if n:
        files = sorted((DEV_DIR / "images").iterdir())
        if not files:
            raise SystemExit(f"{DEV_DIR}: no dev photos")
        step = max(1, len(files) // n)
        out += [(f.stem, f) for f in files[::step][:n]]
    for mp in sizes:
        path = tmp / f"coffee_{mp:g}mp.jpg"
        h, w = synth_photo(mp, path)
        out.append((f"coffee {mp:g} MP ({w}x{h})", path))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=30, help="dev photos (spread over the set)")
    ap.add_argument("--sizes", type=float, nargs="*", default=[12], help="synthetic photos, megapixels")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per photo and pipeline (median)")
    args = ap.parse_args(argv)
    plain_model = OnnxModel(Manifest().entry(PLAIN_MODEL))
    our_model = load_model(None, runtime="native")
    options = bgcut.Options()
    load0 = os.getloadavg()
    print(f"ours: bgremove defaults, model {our_model.id}; plain: rembg-style, model {plain_model.id}; "
          f"median of {args.runs} runs; ONNX Runtime threads {os.cpu_count()}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    rows = []
    per_stage: dict[str, dict[str, list[float]]] = {"plain": {}, "ours": {}}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        todo = photos(args.photos, args.sizes, tmp)
        for name, src in todo:
            # Warm-up: sessions, caches, first-touch allocations.
            plain_pipeline(src, tmp / "plain.png", plain_model)
            ours(src, tmp / "ours.png", our_model, options)
            got: dict[str, list[dict[str, float]]] = {"plain": [], "ours": []}
            for _ in range(args.runs):
                got["plain"].append(plain_pipeline(src, tmp / "plain.png", plain_model))
                got["ours"].append(ours(src, tmp / "ours.png", our_model, options))
            med = {}
            for side, runs in got.items():
                med[side] = statistics.median(sum(r[s] for s in STAGES) for r in runs)
                for s in STAGES:
                    per_stage[side].setdefault(s, []).append(statistics.median(r[s] for r in runs))
            rows.append((name, med["plain"], med["ours"], got["ours"][0]["runs"]))
            print(f"| {name} | {med['plain']:.3f} | {med['ours']:.3f} | {med['ours'] / med['plain']:.2f}x | "
                  f"{got['ours'][0]['runs']:.0f} |", flush=True)
    load1 = os.getloadavg()
    print()
    print("| photo | plain s | ours s | ours / plain | our model runs |")
    print("|---|---|---|---|---|")
    for name, p, o, runs in rows:
        print(f"| {name} | {p:.3f} | {o:.3f} | {o / p:.2f}x | {runs:.0f} |")
    sum_p, sum_o = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"| **all {len(rows)} photos, total** | {sum_p:.2f} | {sum_o:.2f} | **{sum_o / sum_p:.2f}x** | "
          f"{np.mean([r[3] for r in rows]):.2f} |")
    print()
    print("Per stage, median over photos (seconds):")
    print("| side | " + " | ".join(STAGES) + " |")
    print("|---|" + "---|" * len(STAGES))
    for side in ("plain", "ours"):
        cells = [f"{statistics.median(per_stage[side][s]):.3f}" for s in STAGES]
        print(f"| {side} | " + " | ".join(cells) + " |")
    print(f"\nload average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}"
          + ("  (above 1: not evidence, re-run on an idle machine)" if max(load0[0], load1[0]) > 1 else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
