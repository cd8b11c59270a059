"""HEIC cost: native decode time (pillow-heif, as the CLI) against JPEG of the same photo, and what
the lazy browser decoder adds to the wire on the first HEIC (never to a first visit).

    .venv/bin/python bench/heic_decode.py --mp 12 --repeat 5

The photo is a dev photo scaled to the size asked for, encoded in memory (never written to the repo).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bgremove.decode import decode  # noqa: E402  (registers the HEIF opener)


def _timed(path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        decode(path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mp", type=float, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    photos = sorted((ROOT.parent / "shared" / "data" / "dev" / "images").glob("*.jpg"))
    if not photos:
        sys.exit("dev photos not found at ../shared/data/dev/images")
    with Image.open(photos[0]) as img:
        img = img.convert("RGB")
    scale = (args.mp * 1e6 / (img.width * img.height)) ** 0.5
    img = img.resize((int(img.width * scale) & ~1, int(img.height * scale) & ~1), Image.Resampling.BICUBIC)
    with tempfile.TemporaryDirectory() as tmp:
        jpeg, heic = Path(tmp) / "photo.jpg", Path(tmp) / "photo.heic"
        img.save(jpeg, quality=92)
        buf = io.BytesIO()
        img.save(buf, format="HEIF", quality=92)
        heic.write_bytes(buf.getvalue())
        size = f"{img.width}x{img.height} ({args.mp:g} MP)"
        print(f"| {size} | file bytes | native decode (median of {args.repeat}) |")
        print("|---|---|---|")
        for label, path in (("JPEG q92", jpeg), ("HEIC q92", heic)):
            print(f"| {label} | {path.stat().st_size} | {_timed(path, args.repeat) * 1000:.0f} ms |")
    runtime = json.loads((ROOT / "web" / "vendor" / "runtime.json").read_text())
    lazy = [f for f in runtime["files"] if f.get("lazy") and "/libheif-" in f["path"]]
    wire = sum(f["encodings"].get("br", f["bytes"]) for f in lazy if not f["path"].endswith("LICENSE"))
    print(f"\nHEIC decoder on the first HEIC file (brotli, libheif.js + libheif.wasm): {wire / 1e3:.0f} KB; "
          "first visit: 0 bytes (lazy, not precached)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
