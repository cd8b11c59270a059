"""One 48-megapixel JPEG end to end in Chromium (and the CLI), within the memory we budget.

Slow (a few minutes on 2 cores): one image only. Prints the peak numbers recorded in
docs/BENCHMARKS.md#limits-and-memory.
"""

from __future__ import annotations

import base64
import io
import resource
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import launch_chromium, wait_for_ready
from tests.test_browser_api import (
    MAX_BOUND,
    MEAN_BOUND,
    REMOVE_JS,
    WASM_MODEL,
    create_remover,
    mask_diff,
    run_cli,
)

# test_browser_api's page function, also returning the engine's memory report.
REMOVE_WITH_MEMORY_JS = REMOVE_JS.replace("timings: r.timings }", "timings: r.timings, memory: r.memory }")

pytestmark = pytest.mark.browser



def renderer_peak_rss_mib(profile: str) -> float:
    """The largest VmHWM (peak resident memory) among this browser's renderer processes: the page's
    renderer hosts the engine worker, its WASM heaps and the canvases."""
    procs: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        procs[int(entry.name)] = (ppid, cmd)
    roots = {pid for pid, (_, cmd) in procs.items() if f"--user-data-dir={profile}" in cmd}
    family = set(roots)
    grew = True
    while grew:
        kids = {pid for pid, (ppid, _) in procs.items() if ppid in family} - family
        family |= kids
        grew = bool(kids)
    peak = 0
    for pid in family:
        if "--type=renderer" not in procs[pid][1]:
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def test_forty_eight_megapixel_jpeg(live_server, playwright_instance, dev_ten, tmp_path):
    with Image.open(dev_ten[4].image) as img:
        big = img.convert("RGB").resize((8000, 6000), Image.Resampling.BILINEAR)
    path = tmp_path / "forty_eight_mp.jpg"
    big.save(path, quality=90)
    del big
    context, profile = launch_chromium(playwright_instance)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        wait_for_ready(page)
        create_remover(page, "big", model=WASM_MODEL, backend="wasm")
        page.set_default_timeout(600_000)
        # The default cut-out (RGBA PNG, decontaminated) is the heaviest output.
        r = page.evaluate(REMOVE_WITH_MEMORY_JS, ["big", base64.b64encode(path.read_bytes()).decode(),
                                                  path.name, "image/jpeg", {}])
        renderer = renderer_peak_rss_mib(profile)
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
    assert (r["width"], r["height"]) == (8000, 6000)
    with Image.open(io.BytesIO(base64.b64decode(r["b64"]))) as img:
        assert img.mode == "RGBA"
        browser = np.asarray(img)[..., 3].copy()
    native = run_cli([path], tmp_path / "cli", WASM_MODEL, "--format", "png")
    cli_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with Image.open(native[path.stem]) as img:
        mean, worst = mask_diff(browser, np.asarray(img.getchannel("A")))
    heap = r["memory"]["pyodideHeapBytes"]
    print(f"\n48 MP: browser {r['timings']['total'] / 1000:.1f} s {r['timings']}; Pyodide heap peak "
          f"{heap / 2**20:.0f} MiB; renderer peak RSS {renderer:.0f} MiB; "
          f"CLI peak RSS {cli_rss / 1024:.0f} MiB; "
          f"diff mean {mean * 255:.3f}/255 max {worst * 255:.0f}/255")
    assert heap < 2**31  # half of Pyodide's 4 GiB maximum: the 64 MP limit needs a third more
    assert mean <= MEAN_BOUND and worst <= MAX_BOUND
