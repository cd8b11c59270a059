"""HEIC photos in Chromium (which cannot decode HEIC itself): libheif in the engine worker, loaded
on the first HEIC file only, gives the same cut-out as the CLI (pillow-heif on the same libheif).

Firefox is not installed here; it takes the same path (no native HEIC), but is untested.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import RequestLog, launch_chromium, wait_for_ready
from tests.heic_support import claim_size, make_heic, pillow_rgb
from tests.page_support import wait_done
from tests.test_browser_api import (
    MAX_BOUND,
    MEAN_BOUND,
    WASM_MODEL,
    create_remover,
    mask_diff,
    mask_from_png,
    reject_in_page,
    remove_in_page,
    run_cli,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]


def _is_heic_runtime(url: str) -> bool:
    return "/vendor/libheif-" in url or url.endswith("/src/worker/heic.js")


@pytest.fixture(scope="module")
def heic_files(dev_ten, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("heic")
    return {
        "plain": make_heic(dev_ten[3].image, folder / "IMG_0001.HEIC"),
        "rotated": make_heic(dev_ten[5].image, folder / "IMG_0002.heic", orientation=6),
        "ten_bit": make_heic(dev_ten[7].image, folder / "IMG_0003.heic", ten_bit=True),
    }


@pytest.fixture(scope="module")
def cli_heic_masks(heic_files, tmp_path_factory) -> dict[str, np.ndarray]:
    out = run_cli(list(heic_files.values()), tmp_path_factory.mktemp("heic-cli"), WASM_MODEL,
                  "--format", "mask")
    masks = {}
    for key, path in heic_files.items():
        with Image.open(out[path.stem]) as img:
            masks[key] = np.asarray(img.convert("L"))
    return masks


@pytest.fixture(scope="module")
def heic_page(live_server, playwright_instance):
    """A fresh profile: the first visit's requests are logged before any HEIC file is seen."""
    context, profile = launch_chromium(playwright_instance)
    log = RequestLog()
    log.attach(context)
    page = context.new_page()
    page.goto(live_server.url + "/")
    wait_for_ready(page)
    # The service worker has installed (precached everything it precaches) once it controls the page.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=180_000)
    first_visit = [r.url for r in log.requests]
    create_remover(page, "heicRemover", model=WASM_MODEL, backend="wasm")
    yield page, log, first_visit, context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_first_visit_fetches_no_heic_decoder(heic_page):
    """The decoder adds nothing to a first visit: not requested, not in the precache list."""
    page, _log, first_visit, _ = heic_page
    assert first_visit, "no requests logged"
    assert not [u for u in first_visit if _is_heic_runtime(u)]
    precache = page.evaluate("async () => (await (await fetch('/sw-precache.js')).text())")
    manifest = json.loads(precache.split("=", 1)[1].rstrip().rstrip(";"))
    precached = manifest["shell"] + manifest["runtime"]
    assert not [u for u in precached if _is_heic_runtime(u)]
    assert any("/vendor/libheif-" in u and u.endswith(".wasm") for u in manifest["lazy"])
    assert "/src/worker/heic.js" in manifest["lazy"]


def test_heic_cutouts_match_the_cli(heic_page, heic_files, cli_heic_masks, dev_ten):
    """Plain, rotated (irot) and 10-bit HEIC: same size and alpha as the CLI within the parity bounds."""
    page, log, *_ = heic_page
    for key, path in heic_files.items():
        r = remove_in_page(page, "heicRemover", path, {"format": "mask"}, mime="image/heic")
        browser = mask_from_png(r["bytes"])
        native = cli_heic_masks[key]
        assert browser.shape == native.shape, (key, browser.shape, native.shape)
        mean, worst = mask_diff(browser, native)
        assert mean <= MEAN_BOUND and worst <= MAX_BOUND, (key, mean, worst)
        assert 0.01 < browser.mean() / 255 < 0.99, key
        if key == "rotated":
            # Stored as the photo is, with irot 270: shown (and cut out) turned a quarter, like the CLI.
            stored = pillow_rgb(dev_ten[5].image).shape
            assert browser.shape == (stored[1], stored[0]), (browser.shape, stored)
    # The decoder came from our origin, after the first visit.
    assert any("/vendor/libheif-" in req.url and req.url.endswith("libheif.wasm") for req in log.requests)


def test_damaged_and_oversized_heic_are_refused_then_the_next_works(heic_page, heic_files):
    page, *_ = heic_page
    data = heic_files["plain"].read_bytes()
    msg = reject_in_page(page, "heicRemover", data[: len(data) // 2], "cut.heic", "image/heic")
    assert msg and "HEIC" in msg and "damaged or incomplete" in msg and "cut.heic" in msg, msg
    msg = reject_in_page(page, "heicRemover", claim_size(data, 30000, 30000), "huge.heic", "image/heic")
    assert msg and "too large" in msg and "30000x30000" in msg and "64 megapixels" in msg, msg
    r = remove_in_page(page, "heicRemover", heic_files["plain"], {"format": "mask"}, mime="image/heic")
    assert mask_from_png(r["bytes"]).max() > 0


def test_heic_batch_in_the_page(heic_page, heic_files, tmp_path):
    """Dropped with a truncated and an oversized HEIC: those two say why, the others complete and are
    named after the original with the new extension."""
    page, *_ = heic_page
    data = heic_files["plain"].read_bytes()
    cut = tmp_path / "cut.heic"
    cut.write_bytes(data[: len(data) // 3])
    huge = tmp_path / "huge.heic"
    huge.write_bytes(claim_size(data, 30000, 30000))
    page.locator("#file-input").set_input_files([str(cut), str(heic_files["plain"]), str(huge),
                                                  str(heic_files["rotated"])])
    wait_done(page, 2)
    page.wait_for_function(
        "() => document.querySelectorAll('#results li.result[data-state=error]').length === 2",
        timeout=120_000)
    for name, words in (("cut.heic", "damaged or incomplete"), ("huge.heic", "too large")):
        card = page.locator("#results li.result", has_text=name)
        assert card.get_attribute("data-state") == "error"
        assert words in card.inner_text(), card.inner_text()
    for path in (heic_files["plain"], heic_files["rotated"]):
        card = page.locator("#results li.result", has_text=path.name)
        assert card.get_attribute("data-state") == "done"
        assert card.locator("a.download").get_attribute("download") == f"{path.stem}-cutout.png"


def test_heic_works_offline_after_first_use(heic_page, heic_files, live_server):
    """The decoder was cached by the service worker on first use: a new page, offline, still decodes."""
    page, _log, _first, context = heic_page
    # Earlier tests decoded HEIC in this profile; make sure at least one did.
    remove_in_page(page, "heicRemover", heic_files["plain"], {"format": "mask"}, mime="image/heic")
    context.set_offline(True)
    try:
        offline = context.new_page()
        offline.goto(live_server.url + "/")
        wait_for_ready(offline)
        create_remover(offline, "offlineRemover", model=WASM_MODEL, backend="wasm")
        r = remove_in_page(offline, "offlineRemover", heic_files["rotated"], {"format": "mask"},
                           mime="image/heic")
        assert mask_from_png(r["bytes"]).max() > 0
        offline.close()
    finally:
        context.set_offline(False)
