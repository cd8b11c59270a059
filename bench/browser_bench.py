"""The browser pipeline in Chromium against the native CLI pipeline, on the same photos.

    .venv/bin/python bench/browser_bench.py [--sizes 1 4 12 24] [--runs 2] [--format png]

Photos: scikit-image's bundled "coffee" (600x400, public domain) enlarged with bgcut's bilinear
resize to each size in megapixels (3:2) and saved as JPEG quality 90, the same recipe as
bench/native_bench.py. The app is the production server (waitress) on loopback; Chromium is
Debian's, headless, with a fresh profile, using the page's own remover (default model and backend).

Measures: a first visit (navigation to engine ready, then the first 12 MP result, and every byte
our server sent as response bodies, i.e. the encoded size on the wire without headers); a warm
reload in the same profile; per-stage medians per size after one warm-up each; and the native
pipeline (bgremove.pipeline.process_file) per stage on the same files and model. Prints Markdown.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import shutil
import statistics
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
from native_bench import synth_photo  # noqa: E402  (same photos on both sides)

BROWSER_STAGES = ("decode", "preprocess", "inference", "postprocess", "encode", "total")
NATIVE_STAGES = ("decode", "model_input", "inference", "postprocess", "encode")
FORMATS = {"png": "image/png", "webp": "image/webp", "mask": "mask"}

REMOVE_JS = """
async ([b64, name, format]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const r = await window.bgremoveApp.remove(new File([bytes], name, { type: 'image/jpeg' }), { format });
  return { ...r.timings, size: r.blob.size, backend: r.backend, model: r.model, at: performance.now() };
}
"""


class ByteCounter:
    """WSGI middleware: sums response body bytes (what went on the wire, after Content-Encoding)."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.total = 0
        self.by_path: dict[str, int] = {}

    def reset(self) -> None:
        with self.lock:
            self.total = 0
            self.by_path = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        body = self.app(environ, start_response)
        try:
            for chunk in body:
                with self.lock:
                    self.total += len(chunk)
                    self.by_path[path] = self.by_path.get(path, 0) + len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close:
                close()


def browser_remove(page, path: Path, fmt: str) -> dict:
    b64 = base64.b64encode(path.read_bytes()).decode()
    return page.evaluate(REMOVE_JS, [b64, path.name, FORMATS[fmt]])


def wait_ready(page) -> dict:
    page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=300_000)
    info = page.evaluate("() => ({...window.bgremoveReady, at: performance.now()})")
    if "error" in info:
        raise SystemExit(f"engine failed: {info['error']}")
    return info


def fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 12, 24], help="megapixels")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--format", default="png", choices=sorted(FORMATS))
    ap.add_argument("--first-visit-mp", type=float, default=12)
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from server.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="bgremove-bench-"))
    photos = {}
    for mp in sorted(set([*args.sizes, args.first_visit_mp])):
        path = tmp / f"photo_{mp:g}mp.jpg"
        photos[mp] = (path, synth_photo(mp, path))

    counter = ByteCounter(create_app())
    server = start_server(counter)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average at start {os.getloadavg()[0]:.1f}")
    browser_rows = {}
    try:
        with sync_playwright() as pw:
            context, profile = launch_chromium(pw)
            page = context.new_page()
            print(f"browser: {context.browser.version if context.browser else 'chromium'}")
            # First visit on a fresh profile.
            page.goto(server.url + "/")
            info = wait_ready(page)
            first_path = photos[args.first_visit_mp][0]
            first = browser_remove(page, first_path, args.format)
            first_bytes, by_path = counter.total, dict(counter.by_path)
            versions = info["versions"]
            print(f"\nengine: backend {info['backend']} ({info.get('threads')} threads), model "
                  f"{info['model']['id']}, ORT {versions['ort']}, Pyodide {versions['pyodide']}")
            print("\n| first visit (fresh profile) | value |\n|---|---|")
            print(f"| navigation -> engine ready | {fmt_ms(info['at'])} s |")
            print(f"| first {args.first_visit_mp:g} MP result (remove call) | {fmt_ms(first['total'])} s |")
            print(f"| navigation -> first result (less the harness's file hand-over) | "
                  f"{fmt_ms(info['at'] + first['total'])} s |")
            print(f"| bytes on the wire (response bodies) | {first_bytes / 1e6:.2f} MB "
                  f"in {len(by_path)} responses |")
            top = sorted(by_path.items(), key=lambda kv: -kv[1])[:6]
            print("\nlargest responses: " + ", ".join(f"{p} {b / 1e6:.2f} MB" for p, b in top))

            counter.reset()
            page.reload()
            warm = wait_ready(page)
            warm_first = browser_remove(page, first_path, args.format)
            print("\n| warm reload (same profile) | value |\n|---|---|")
            print(f"| navigation -> engine ready (model from {warm['model']['source']}) | "
                  f"{fmt_ms(warm['at'])} s |")
            print(f"| first {args.first_visit_mp:g} MP result | {fmt_ms(warm_first['total'])} s |")
            print(f"| bytes on the wire | {counter.total / 1e6:.3f} MB |")

            for mp in args.sizes:
                path, _ = photos[mp]
                browser_remove(page, path, args.format)  # warm-up at this size
                runs = [browser_remove(page, path, args.format) for _ in range(args.runs)]
                browser_rows[mp] = {s: statistics.median(r[s] for r in runs) for s in BROWSER_STAGES}
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
    finally:
        server.stop()

    model = load_model(info["model"]["id"])
    options = bgcut.Options()
    native_rows = {}
    for mp in args.sizes:
        path, _ = photos[mp]
        dst = tmp / f"out_{mp:g}.{'webp' if args.format == 'webp' else 'png'}"
        process_file(path, dst, model, options, args.format)
        runs: list[StageTimes] = [process_file(path, dst, model, options, args.format)
                                  for _ in range(args.runs)]
        row = {s: 1000 * statistics.median(getattr(r, s) for r in runs) for s in NATIVE_STAGES}
        row["total"] = 1000 * statistics.median(r.total for r in runs)
        native_rows[mp] = row

    print(f"\nwarm per-stage medians in seconds, {args.runs} runs after a warm-up, format {args.format}, "
          f"model {info['model']['id']}; native = bgremove.pipeline.process_file, onnxruntime CPU")
    print("\n| MP | size | side | decode | model input | inference | postprocess | encode | total | "
          "browser/native |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for mp in args.sizes:
        h, w = photos[mp][1]
        b, n = browser_rows[mp], native_rows[mp]
        print(f"| {mp:g} | {w}x{h} | browser | " + " | ".join(fmt_ms(b[s]) for s in BROWSER_STAGES)
              + f" | {b['total'] / n['total']:.2f}x |")
        print(f"| {mp:g} | {w}x{h} | native | " + " | ".join(fmt_ms(n[s]) for s in (*NATIVE_STAGES, "total"))
              + " | |")
    inf_ratio = statistics.median(browser_rows[mp]["inference"] / native_rows[mp]["inference"]
                                  for mp in args.sizes)
    print(f"\ninference (320x320 model input) browser/native, median over sizes: {inf_ratio:.2f}x")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
