"""Ours in Chromium against the peer (@imgly/background-removal) and our native CLI, in one run.

    .venv/bin/python bench/browser_bench.py                 # 0.3, 1, 12 and 48 MP, 3 runs each
    .venv/bin/python bench/browser_bench.py --sizes 1 --runs 1 --no-native   # a quick smoke run
    .venv/bin/python bench/browser_bench.py --no-peer       # ours and native only
    .venv/bin/python bench/browser_bench.py --model best --no-peer --sizes 1 12   # the full U²-Net

Photos: scikit-image's bundled "coffee" (600x400, public domain) enlarged with bgcut's bilinear
resize to each size in megapixels (3:2) and saved as JPEG quality 90, the recipe of
bench/native_bench.py. Output: PNG cut-outs with the shipped defaults on both sides.

Ours: the production server (waitress) on loopback, Debian's headless Chromium with a fresh profile,
the page's own remover (default backend; the model the page's Model choice starts with: --model
sets that choice before the first visit, so its first visit includes that model's download).
First visit: navigation to engine ready, the first photo at --first-visit-mp, bytes and requests
our server answered (response bodies as sent,
i.e. brotli-compressed, the service worker's precache included: we wait for it to finish), and
where the engine's start-up time went (EngineInfo.startup). Then per size: one warm-up call and
--runs timed calls, per-stage medians.

Peer: ../shared/peer-imgly (ISNet quint8, ONNX Runtime Web 1.21, WASM with 2 threads), copied to
.cache/peer-imgly because the shared folder is read-only, set up once with `npm ci` and
`node build-data.mjs` as its README says, and run with `node run.mjs` on the same photos: a fresh
profile whose first call (downloads, session) is the first visit, then --runs passes over every
photo. Its own page reports per-phase times.

Native: bgremove.pipeline.process_file with the model the browser used and that model's plan
defaults (the CLI's path).

Benchmarks are evidence only on an idle machine: the load average is printed with every table;
re-run when it is above 1. Prints Markdown.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bgcut  # noqa: E402
from bgremove.models import load_model  # noqa: E402
from bgremove.pipeline import StageTimes, process_file  # noqa: E402
from tests.browser_support import launch_chromium, start_server  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from native_bench import synth_photo  # noqa: E402  (same photos on every side)

PEER_SRC = ROOT.parent / "shared" / "peer-imgly"
PEER_DIR = ROOT / ".cache" / "peer-imgly"
PEER_MODEL = "isnet_quint8"
BROWSER_STAGES = ("decode", "preprocess", "inference", "postprocess", "encode", "total")
PEER_STAGES = ("decode_ms", "inference_ms", "mask_ms", "encode_ms")
NATIVE_STAGES = ("decode", "model_input", "inference", "postprocess", "encode")

REMOVE_JS = """
async ([b64, name, options]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], name, { type: 'image/jpeg' });
  const t0 = performance.now();
  const r = await window.bgremoveApp.remove(file, { ...options, format: 'image/png' });
  const t1 = performance.now();
  return { ...r.timings, call: t1 - t0, size: r.blob.size, backend: r.backend, model: r.model, start: t0,
           end: t1 };
}
"""


class ByteCounter:
    """WSGI middleware: response body bytes and requests, i.e. what went on the wire (after
    Content-Encoding, without headers)."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.total = 0
            self.requests = 0
            self.by_path: dict[str, int] = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        with self.lock:
            self.requests += 1
            self.by_path.setdefault(path, 0)
        body = self.app(environ, start_response)
        try:
            for chunk in body:
                with self.lock:
                    self.total += len(chunk)
                    self.by_path[path] += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close:
                close()


def load() -> str:
    one, five, _ = os.getloadavg()
    flag = "" if one <= 1 else "  (above 1: not evidence, re-run on an idle machine)"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min){flag}"


def s(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms / 1000:.2f}"


def ratio(a: float | None, b: float | None) -> str:
    return "n/a" if not a or not b else f"{a / b:.2f}"


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ---- ours ------------------------------------------------------------------------------------


# bgcut options every timed call passes (--refine), beside the page's defaults.
EXTRA_OPTIONS: dict = {}


def browser_remove(page, path: Path) -> dict:
    b64 = base64.b64encode(path.read_bytes()).decode()
    return page.evaluate(REMOVE_JS, [b64, path.name, EXTRA_OPTIONS])


def wait_ready(page) -> dict:
    page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=600_000, polling=20)
    info = page.evaluate("() => ({...window.bgremoveReady, at: performance.now(), "
                         "pageOrigin: performance.timeOrigin})")
    if "error" in info:
        raise SystemExit(f"engine failed: {info['error']}")
    return info


def run_ours(photos: dict[float, tuple[Path, tuple[int, int]]], sizes: list[float], runs: int,
             first_mp: float, model: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    from server.app import create_app

    counter = ByteCounter(create_app())
    server = start_server(counter)
    out: dict = {"sizes": {}}
    try:
        with sync_playwright() as pw:
            context, profile = launch_chromium(pw)
            if model:
                # The page's remembered Model choice (web/src/ui/settings-store.js), as if chosen before.
                stored = json.dumps(json.dumps({"model": model}))
                context.add_init_script("if (!localStorage.getItem('bgremove.settings.v1')) "
                                        f"localStorage.setItem('bgremove.settings.v1', {stored});")
            page = context.new_page()
            out["browser"] = context.browser.version if context.browser else "chromium"
            page.goto(server.url + "/")
            info = wait_ready(page)
            first_path = photos[first_mp][0]
            first = browser_remove(page, first_path)
            later = [browser_remove(page, first_path) for _ in range(max(runs, 2))]
            # The first visit is over once the service worker has saved this deploy.
            try:
                page.wait_for_function("() => window.bgremoveOffline && window.bgremoveOffline.version",
                                       timeout=300_000)
            except Exception:  # reported; the rest of the run still means something
                out["offline_note"] = "the service worker had not finished precaching after 300 s"
            out.update(info=info, first=first, later=later, bytes=counter.total, requests=counter.requests,
                       by_path=dict(counter.by_path))

            counter.reset()
            page.reload()
            warm = wait_ready(page)
            warm_first = browser_remove(page, first_path)
            out.update(warm=warm, warm_first=warm_first, warm_bytes=counter.total)

            for mp in sizes:
                path, _ = photos[mp]
                browser_remove(page, path)  # warm-up at this size
                samples = [browser_remove(page, path) for _ in range(runs)]
                out["sizes"][mp] = {st: median(r[st] for r in samples) for st in BROWSER_STAGES}
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
    finally:
        server.stop()
    return out


# ---- the peer --------------------------------------------------------------------------------


def ensure_peer() -> Path:
    """A writable copy of the read-only peer harness with its locked packages installed."""
    if not (PEER_SRC / "run.mjs").is_file():
        raise SystemExit(f"peer harness not found at {PEER_SRC}; pass --no-peer to skip it")
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    changed = False
    for src in PEER_SRC.iterdir():
        if not src.is_file():
            continue
        dst = PEER_DIR / src.name
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            dst.unlink(missing_ok=True)
            shutil.copyfile(src, dst)
            changed = True
    if changed or not (PEER_DIR / "node_modules" / "@imgly" / "background-removal").is_dir():
        print(f"setting up the peer in {PEER_DIR}: npm ci", file=sys.stderr)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True)
    if changed or not (PEER_DIR / "public" / "data" / "resources.json").is_file():
        subprocess.run(["node", "build-data.mjs"], cwd=PEER_DIR, check=True, stdout=subprocess.DEVNULL)
    return PEER_DIR


def peer_harness(photo_dir: Path, out_dir: Path, passes: int = 1) -> dict:
    """One run of the peer harness over ``photo_dir`` (alpha PNGs into ``out_dir``): its timings.json."""
    cmd = ["node", "run.mjs", "--model", PEER_MODEL, "--in", str(photo_dir), "--out", str(out_dir),
           "--format", "png", "--passes", str(passes)]
    done = subprocess.run(cmd, cwd=ensure_peer(), capture_output=True, text=True)
    timings_path = out_dir / "timings.json"
    if not timings_path.is_file():
        raise SystemExit(f"peer run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(timings_path.read_text())
    if result.get("status") != "ok":
        print(f"peer status {result.get('status')}: {result.get('error') or result.get('problems')}",
              file=sys.stderr)
    return result


def run_peer(photos: dict[float, tuple[Path, tuple[int, int]]], sizes: list[float], runs: int,
             first_mp: float, work: Path) -> dict:
    photo_dir = work / "peer-in"
    photo_dir.mkdir()
    # run.mjs warms up on the first file in name order: the first-visit photo, as on our side.
    names = {first_mp: "0_first.jpg"}
    for mp in sizes:
        names.setdefault(mp, f"{mp:08.2f}mp.jpg")
    for mp, name in names.items():
        os.link(photos[mp][0], photo_dir / name)
    result = peer_harness(photo_dir, work / "peer-out", runs)
    by_file = {img["file"]: img for img in result.get("images", [])}
    result["sizes"] = {}
    for mp, name in names.items():
        img = by_file.get(name)
        if img:
            result["sizes"][mp] = {"total": img["ms"], **{k: img.get(k) for k in PEER_STAGES}}
    first_runs = by_file.get(names[first_mp], {}).get("runs_ms") or []
    result["later_first_photo_ms"] = median(first_runs)
    return result


# ---- native ----------------------------------------------------------------------------------


def run_native(photos: dict[float, tuple[Path, tuple[int, int]]], sizes: list[float], runs: int,
               model_id: str, work: Path) -> dict:
    model = load_model(model_id)
    options = bgcut.Options.from_dict(EXTRA_OPTIONS, model.plan)
    rows = {}
    for mp in sizes:
        path, _ = photos[mp]
        dst = work / f"native_{mp:g}.png"
        process_file(path, dst, model, options, "png")
        samples: list[StageTimes] = [process_file(path, dst, model, options, "png") for _ in range(runs)]
        row = {st: 1000 * statistics.median(getattr(r, st) for r in samples) for st in NATIVE_STAGES}
        row["total"] = 1000 * statistics.median(r.total for r in samples)
        rows[mp] = row
    return rows


# ---- report ----------------------------------------------------------------------------------


def print_first_visit(ours: dict, peer: dict | None, first_mp: float) -> None:
    info, first, later = ours["info"], ours["first"], ours["later"]
    later_ms = median(r["call"] for r in later)
    nav_first = info["at"] + first["call"]
    print(f"\n### First visit, fresh profile, first photo {first_mp:g} MP\n\n{load()}\n")
    print("| | ours | peer | ours ÷ peer |\n|---|---|---|---|")
    pf = (peer or {}).get("first_call") or {}
    p_bytes = ((peer or {}).get("download_bytes") or {}).get("total")
    print(f"| bytes on the wire | {ours['bytes'] / 1e6:.2f} MB | "
          f"{'n/a' if p_bytes is None else f'{p_bytes / 1e6:.2f} MB'} (model and ORT files only) | "
          f"{ratio(ours['bytes'], p_bytes)} |")
    print(f"| requests | {ours['requests']} | n/a | |")
    print(f"| navigation -> engine ready | {s(info['at'])} s | n/a (starts on the first call) | |")
    print(f"| navigation -> first cut-out | {s(nav_first)} s | {s(pf.get('ms'))} s (first call) | "
          f"{ratio(nav_first, pf.get('ms'))} |")
    print(f"| first photo (remove call) | {s(first['call'])} s | {s(pf.get('ms'))} s | "
          f"{ratio(first['call'], pf.get('ms'))} |")
    p_later = (peer or {}).get("later_first_photo_ms")
    print(f"| same photo later (median) | {s(later_ms)} s | {s(p_later)} s | {ratio(later_ms, p_later)} |")
    print(f"| first ÷ later | {ratio(first['call'], later_ms)} | {ratio(pf.get('ms'), p_later)} | |")
    stages = [st for st in BROWSER_STAGES if st in first]
    print("\nours, first photo vs later, per stage (s): " + ", ".join(
        f"{st} {s(first[st])} vs {s(median(r.get(st) for r in later))}" for st in stages))
    if ours.get("offline_note"):
        print(f"\nnote: {ours['offline_note']}")
    top = sorted(ours["by_path"].items(), key=lambda kv: -kv[1])[:8]
    print("\nour largest responses: " + ", ".join(f"{p} {b / 1e6:.2f} MB" for p, b in top))
    print(f"\nwarm reload (same profile): engine ready {s(ours['warm']['at'])} s (model from "
          f"{ours['warm']['model']['source']}), first photo {s(ours['warm_first']['call'])} s, "
          f"{ours['warm_bytes'] / 1e6:.3f} MB on the wire")


def print_startup(ours: dict) -> None:
    info = ours["info"]
    spans = dict(info.get("startup") or {})
    origin = spans.pop("timeOrigin", None)
    if not spans:
        return
    # Worker clock -> page clock (both ms since their own timeOrigin).
    shift = (origin - info["pageOrigin"]) if origin else 0.0
    print(f"\n### Where our engine's start went (first visit; ms since navigation)\n\n{load()}\n")
    print("| step | start | end | duration |\n|---|---|---|---|")
    for name, (a, b) in sorted(spans.items(), key=lambda kv: kv[1][0]):
        print(f"| {name} | {a + shift:.0f} | {b + shift:.0f} | {b - a:.0f} |")
    print(f"| engine ready | | {info['at']:.0f} | |")


def print_sizes(photos, sizes, ours: dict, peer: dict | None, native: dict | None, model: str) -> None:
    settings = ", ".join(f"{k}={v}" for k, v in EXTRA_OPTIONS.items()) or "shipped defaults"
    print(f"\n### Per photo, warm, medians in seconds (PNG cut-out, {settings}; ours: {model}, "
          f"peer: {PEER_MODEL})\n\n{load()}\n")
    print("| MP | size | ours total | peer total | ours ÷ peer | ours: decode / model input / inference / "
          "postprocess / encode | peer: decode / inference / mask / encode |")
    print("|---|---|---|---|---|---|---|")
    for mp in sizes:
        h, w = photos[mp][1]
        o = ours["sizes"][mp]
        p = (peer or {}).get("sizes", {}).get(mp) or {}
        ours_stages = " / ".join(s(o[st]) for st in BROWSER_STAGES[:-1])
        peer_stages = " / ".join(s(p.get(st)) for st in PEER_STAGES) if p else "n/a"
        print(f"| {mp:g} | {w}x{h} | {s(o['total'])} | {s(p.get('total'))} "
              f"| {ratio(o['total'], p.get('total'))} | {ours_stages} | {peer_stages} |")
    if native:
        print(f"\n### Browser ÷ native, same photos, model and plan (native: bgremove.pipeline.process_file, "
              f"onnxruntime CPU)\n\n{load()}\n")
        print("| MP | side | decode | model input | inference | postprocess | encode | total "
              "| browser ÷ native |")
        print("|---|---|---|---|---|---|---|---|---|")
        for mp in sizes:
            b, n = ours["sizes"][mp], native[mp]
            print(f"| {mp:g} | browser | " + " | ".join(s(b[st]) for st in BROWSER_STAGES)
                  + f" | {ratio(b['total'], n['total'])} |")
            print(f"| {mp:g} | native | " + " | ".join(s(n[st]) for st in (*NATIVE_STAGES, "total")) + " | |")
        inf = median(ours["sizes"][mp]["inference"] / native[mp]["inference"] for mp in sizes
                     if native[mp]["inference"])
        print(f"\nmodel runs (inference stage) browser ÷ native, median over sizes: {ratio(inf, 1)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.3, 1, 12, 48], help="megapixels")
    ap.add_argument("--runs", type=int, default=3, help="timed calls per size (after one warm-up)")
    ap.add_argument("--first-visit-mp", type=float, default=1, help="the first photo of the first visit")
    ap.add_argument("--no-peer", action="store_true", help="skip @imgly/background-removal")
    ap.add_argument("--no-native", action="store_true", help="skip the native CLI pipeline")
    ap.add_argument("--wire-list", action="store_true", help="list every first-visit response by size")
    ap.add_argument("--model", default=None,
                    help="the page's Model choice: fast, best, or a model id (default: the page's default)")
    ap.add_argument("--refine", default=None, choices=bgcut.options.REFINE_MODES,
                    help="bgcut's refine option for every photo, ours and native (default: the model's)")
    args = ap.parse_args(argv)
    if args.refine:
        EXTRA_OPTIONS["refine"] = args.refine

    work = Path(tempfile.mkdtemp(prefix="bgremove-bench-"))
    try:
        photos = {}
        for mp in sorted({*args.sizes, args.first_visit_mp}):
            path = work / f"photo_{mp:g}mp.jpg"
            photos[mp] = (path, synth_photo(mp, path))
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{load()} at start")
        ours = run_ours(photos, args.sizes, args.runs, args.first_visit_mp, args.model)
        info = ours["info"]
        print(f"browser: Chromium {ours['browser']}; ours: backend {info['backend']} "
              f"({info.get('threads')} threads), model {info['model']['id']}, ORT {info['versions']['ort']}, "
              f"Pyodide {info['versions']['pyodide']}")
        peer = None if args.no_peer else run_peer(photos, args.sizes, args.runs, args.first_visit_mp, work)
        if peer:
            print(f"peer: @imgly/background-removal {peer.get('library_version')}, ORT "
                  f"{peer.get('onnxruntime_web_version')}, {peer.get('backend')}, "
                  f"{peer.get('ort_wasm_numThreads')} threads, status {peer.get('status')}")
        native = (None if args.no_native
                  else run_native(photos, args.sizes, args.runs, info["model"]["id"], work))
        print_first_visit(ours, peer, args.first_visit_mp)
        if args.wire_list:
            for path, n in sorted(ours["by_path"].items(), key=lambda item: -item[1]):
                print(f"    {n:>10,d}  {path}")
        print_startup(ours)
        print_sizes(photos, args.sizes, ours, peer, native, info["model"]["id"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
