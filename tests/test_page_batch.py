"""A batch through the page: five dev photos in, five results, one ZIP of five RGBA PNGs; cancel and retry."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.page_support import open_app, oriented_size, wait_done

pytestmark = pytest.mark.browser


def test_batch_of_five_to_a_zip_then_cancel_and_retry(live_server, browser_context, dev_ten, tmp_path):
    five = dev_ten[:5]
    page = open_app(browser_context, live_server.url)
    page.locator("#file-input").set_input_files([str(s.image) for s in five])

    # All five are queued at once, with a bar each and one overall.
    assert page.locator("#results li.result").count() == 5
    assert page.locator("#results li.result progress").count() == 5
    wait_done(page, 5)
    assert page.locator("#overall-progress").evaluate("(el) => [el.value, el.max]") == [5, 5]
    assert page.locator("#overall-text").inner_text().startswith("5 of 5 done")

    with page.expect_download() as dl:
        page.get_by_role("button", name="Download all (ZIP)").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.name == "cutouts.zip"
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"{s.image.stem}-cutout.png" for s in five)
        for sample in five:
            with Image.open(io.BytesIO(zf.read(f"{sample.image.stem}-cutout.png"))) as img:
                assert img.format == "PNG" and img.mode == "RGBA"
                assert img.size == oriented_size(sample.image)
                alpha = np.asarray(img)[..., 3]
                assert alpha.min() < 255, f"{sample.stem}: no transparency at all"

    # Cancel everything that is waiting or running; each card says so and can be retried.
    page.locator("#file-input").set_input_files([str(s.image) for s in dev_ten[5:8]])
    page.get_by_role("button", name="Cancel all").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#results li.result[data-state=cancelled]').length === 3",
        timeout=60_000)
    assert "cancelled" in page.locator("#overall-text").inner_text()
    name = dev_ten[6].image.name
    page.get_by_role("button", name=f"Retry {name}").click()
    wait_done(page, 6)
    card = page.locator("#results li.result", has_text=name)
    assert card.get_attribute("data-state") == "done"
    assert page.ui_errors == []
