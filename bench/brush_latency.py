"""Touch-up brushes in Chromium: pointer move -> frame on a large photo, and the stroke-end recompute.

    .venv/bin/python bench/brush_latency.py                   # 12 MP, 3 strokes of 120 moves
    .venv/bin/python bench/brush_latency.py --mp 1 --strokes 1 --moves 20   # a quick smoke run

The photo is bench/native_bench.py's (scikit-image's public-domain "coffee" enlarged to --mp
megapixels, JPEG). The page runs on the production server on loopback in Debian's headless
Chromium with a fresh profile; the photo goes through the page as a person's would (file input,
Inspect, the Keep brush), with Playwright's mouse.

Per stroke:
- move -> frame: from each pointermove event's timestamp to the next animation frame after the
  page's handlers ran (the brush paints its display-size preview canvas inside the handler, so
  that frame shows the stroke). One frame at 60 Hz is 16.7 ms.
- handler: the time the page's pointermove handlers take (a capture listener before them, one
  after them).
- stroke start: the pointerdown handler (it paints the shown result into the preview canvas once).
- stroke end -> result: from pointerup until the worker's full-resolution result is on screen
  (the inspector's preview canvas hidden again, its result image showing the edited file).
Then --api-runs calls of BgRemover.applyEdits with all the strokes drawn, for the worker's own
split: strokes (bgcut.edits.apply_edits, every stroke: the file is new to the worker's kept
photo), edit (that plus decontamination and compositing) and encode (PNG), median. While drawing,
a stroke end applies only the new stroke; the 'stroke end' row above is that case.

Benchmarks are evidence only on an idle machine: the load average is printed; re-run when it is
above 1. Prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from native_bench import synth_photo  # noqa: E402

from tests.browser_support import launch_chromium, start_server  # noqa: E402

DONE_JS = "() => document.querySelector('#results li.result[data-state=done] a.download')"

INSTRUMENT_JS = """() => {
  const canvas = document.getElementById('edit-preview');
  const stage = document.getElementById('stage');
  const m = window.brushBench = { frame: [], handler: [], down: [], end: [] };
  let t0 = 0;
  let upAt = null;
  canvas.addEventListener('pointermove', () => { t0 = performance.now(); }, { capture: true });
  canvas.addEventListener('pointerdown', () => { t0 = performance.now(); }, { capture: true });
  // Registered after ui/brushes.js's listeners, so these run after them.
  canvas.addEventListener('pointermove', (e) => {
    if (e.buttons !== 1) return;
    m.handler.push(performance.now() - t0);
    const at = e.timeStamp;
    requestAnimationFrame(() => m.frame.push(performance.now() - at));
  });
  canvas.addEventListener('pointerdown', () => m.down.push(performance.now() - t0));
  canvas.addEventListener('pointerup', () => { upAt = performance.now(); });
  new MutationObserver(() => {
    if (upAt !== null && stage.dataset.applying === 'false' && stage.dataset.preview !== 'true') {
      m.end.push(performance.now() - upAt);
      upAt = null;
    }
  }).observe(stage, { attributes: true });
}"""

def load() -> str:
    one, five, _ = os.getloadavg()
    flag = "" if one <= 1 else "  (above 1: not evidence, re-run on an idle machine)"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min){flag}"


def stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    v = sorted(values)
    p95 = v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
    return f"{statistics.median(v):.1f} / {p95:.1f} / {v[-1]:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mp", type=float, default=12, help="photo size in megapixels")
    ap.add_argument("--strokes", type=int, default=3)
    ap.add_argument("--moves", type=int, default=120, help="pointer moves per stroke")
    ap.add_argument("--brush", type=int, default=40, help="brush size on screen, px")
    ap.add_argument("--api-runs", type=int, default=3, help="BgRemover.applyEdits calls (0: none)")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from server.app import create_app

    work = Path(tempfile.mkdtemp(prefix="bgremove-brush-"))
    server = start_server(create_app())
    try:
        photo = work / f"photo_{args.mp:g}mp.jpg"
        w, h = synth_photo(args.mp, photo)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {load()} at start")
        with sync_playwright() as pw:
            context, profile = launch_chromium(pw)
            try:
                page = context.new_page()
                page.goto(server.url + "/")
                page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=600_000)
                info = page.evaluate("() => window.bgremoveReady")
                if "error" in info:
                    raise SystemExit(f"engine failed: {info['error']}")
                page.locator("#file-input").set_input_files(str(photo))
                page.wait_for_function(DONE_JS, timeout=600_000)
                page.get_by_role("button", name=f"Inspect {photo.name}").click()
                page.wait_for_function("() => document.getElementById('view-after').complete")
                page.evaluate(INSTRUMENT_JS)
                page.locator("#brush-size").fill(str(args.brush))
                page.keyboard.press("b")
                box = page.locator("#edit-preview").bounding_box()
                for i in range(args.strokes):
                    y = box["y"] + box["height"] * (0.3 + 0.4 * i / max(1, args.strokes - 1))
                    x0, x1 = box["x"] + box["width"] * 0.2, box["x"] + box["width"] * 0.8
                    page.mouse.move(x0, y)
                    page.mouse.down()
                    for k in range(1, args.moves + 1):
                        page.mouse.move(x0 + (x1 - x0) * k / args.moves, y)
                    page.mouse.up()
                    page.wait_for_function(
                        "(n) => window.brushBench.end.length >= n", arg=i + 1, timeout=600_000)
                m = page.evaluate("() => window.brushBench")
                api = []
                if args.api_runs:
                    with page.expect_download() as dl:
                        page.locator("#edits-save").click()
                    edits = dl.value.path().read_text()
                    api = page.evaluate("""async ([runs, text]) => {
                      const file = await (await fetch(document.getElementById('view-before').src)).blob();
                      const out = [];
                      for (let i = 0; i < runs; i += 1) {
                        const edits = JSON.parse(text);
                        // No strokes first, so the timed call applies every stroke.
                        const key = { editKey: 'bench' };
                        await window.bgremoveApp.applyEdits(file, { ...edits, strokes: [] }, key);
                        const r = await window.bgremoveApp.applyEdits(file, edits, key);
                        out.push(r.timings);
                      }
                      return out;
                    }""", [args.api_runs + 1, edits])[1:]  # the first one removes the photo again
            finally:
                context.close()
                shutil.rmtree(profile, ignore_errors=True)
        print(f"\nbrushes on a {w}x{h} ({w * h / 1e6:.1f} MP) photo, model {info['model']['id']}, "
              f"backend {info['backend']}; {args.strokes} strokes of {args.moves} moves; {load()} at end\n")
        print("| step | median / p95 / max (ms) | samples |")
        print("|---|---|---|")
        print(f"| pointer move -> frame | {stats(m['frame'])} | {len(m['frame'])} |")
        print(f"| pointermove handler | {stats(m['handler'])} | {len(m['handler'])} |")
        print(f"| stroke start (pointerdown handler) | {stats(m['down'])} | {len(m['down'])} |")
        print(f"| stroke end -> full-resolution result on screen | {stats(m['end'])} | {len(m['end'])} |")
        for key in ("strokes", "edit", "encode", "total") if api else ():
            values = [t[key] for t in api]
            print(f"| worker applyEdits: {key} ({args.strokes} strokes) | {stats(values)} | {len(values)} |")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
