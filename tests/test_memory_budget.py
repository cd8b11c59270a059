"""Phones with little memory (issue #14): past the device's memory budget a photo is processed at a
bounded working size, the result says so, and the rest of a batch goes on. The budget is forced
small with the page's ?memory-budget-mb= parameter (web/src/worker/memory-budget.js), so a desktop
Chromium takes the path a 2 GB phone would."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.browser_support import launch_chromium, wait_for_ready
from tests.test_browser_api import WASM_MODEL, create_remover

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 64
BYTES_PER_PIXEL = 40  # web/src/worker/memory-budget.js


def _budget(nav: dict) -> float | None:
    script = f"""
      const m = await import({json.dumps((ROOT / 'web/src/worker/memory-budget.js').as_uri())});
      const b = m.memoryBudgetBytes({json.dumps(nav)});
      console.log(JSON.stringify(Number.isFinite(b) ? b : null));
    """
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_budget_follows_device_memory():
    gib = 2 ** 30
    assert _budget({"deviceMemory": 2}) == 0.5 * gib
    assert _budget({"deviceMemory": 4}) == 1 * gib
    assert _budget({"deviceMemory": 8}) is None  # Chromium's cap: a desktop, no bound
    # Safari on an iPhone says nothing about its memory: assume a small device.
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1"
    assert _budget({"userAgent": iphone}) == gib
    assert _budget({"userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"}) is None


def _jpeg(src: Path, size: tuple[int, int]) -> bytes:
    with Image.open(src) as im:
        big = im.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    big.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _heic(src: Path, size: tuple[int, int]) -> bytes:
    """A HEIC this Chromium cannot decode itself: it goes through libheif (web/src/worker/heic.js)."""
    import pillow_heif

    with Image.open(src) as im:
        big = im.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    pillow_heif.from_pillow(big).save(buf, quality=50)
    return buf.getvalue()


BATCH_JS = """
async ([handle, files]) => {
  const out = [];
  for (const [name, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    try {
      const file = new File([bytes], name, { type: 'image/jpeg' });
      const r = await window[handle].remove(file, { format: 'mask' });
      out.push({ name, width: r.width, height: r.height, warnings: r.warnings,
                 downscaled: r.downscaled ?? null, size: r.blob.size });
    } catch (err) {
      out.push({ name, error: err.message });
    }
  }
  return out;
}
"""


@pytest.mark.browser
def test_small_budget_processes_at_a_bounded_size_and_the_batch_goes_on(live_server, playwright_instance,
                                                                       dev_ten):
    import base64

    context, profile = launch_chromium(playwright_instance)
    try:
        page = context.new_page()
        page.goto(live_server.url + f"/?memory-budget-mb={BUDGET_MB}")
        wait_for_ready(page)
        create_remover(page, "r", model=WASM_MODEL, backend="wasm")
        big = (3000, 2000)  # 6 MP; the budget affords 64 MiB / 40 B = 1.68 MP
        files = [
            ("big.jpg", _jpeg(dev_ten[0].image, big)),
            ("small.jpg", dev_ten[1].image.read_bytes()),
            ("big2.jpg", _jpeg(dev_ten[2].image, (2000, 3000))),
            ("big.heic", _heic(dev_ten[3].image, (3000, 2000))),
        ]
        got = page.evaluate(BATCH_JS, ["r", [[n, base64.b64encode(d).decode()] for n, d in files]])
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)

    assert [g.get("error") for g in got] == [None] * 4, got
    affordable = BUDGET_MB * 2 ** 20 / BYTES_PER_PIXEL
    for g, (w, h) in ((got[0], big), (got[2], (2000, 3000)), (got[3], big)):
        assert g["width"] * g["height"] <= affordable, g
        # Same aspect, and not needlessly small.
        assert abs(g["width"] / g["height"] - w / h) < 0.01, g
        assert g["width"] * g["height"] > 0.95 * affordable, g
        assert g["downscaled"]["from_mp"] == 6.0, g
        assert g["downscaled"]["to_mp"] == round(g["width"] * g["height"] / 1e5) / 10, g
        assert (g["downscaled"]["from_width"], g["downscaled"]["from_height"]) == (w, h)
        assert any(f"Processed at {g['downscaled']['to_mp']} MP to fit this device's memory" in x
                   for x in g["warnings"]), g
    # A photo within the budget is untouched.
    with Image.open(dev_ten[1].image) as im:
        assert (got[1]["width"], got[1]["height"]) == im.size
    assert got[1]["downscaled"] is None and not got[1]["warnings"], got[1]
