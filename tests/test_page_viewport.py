"""Results where the eyes are: on a laptop and on a phone, a chosen photo's card is in view at once
with live progress, and the finished cut-out and its Download button are in view without scrolling.

Also the hero's sample photos, the quick-look preview of multi-pass plans, and batch controls that
appear only from the second photo.
"""

from __future__ import annotations

import pytest

from tests.page_support import in_view, open_app, wait_done

pytestmark = pytest.mark.browser

VIEWPORTS = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]

# Remembers, for every card, whether it ever showed the "Preview" badge over a quick-look image
# before its final result (the badge is hidden again by then, so it is watched as it happens).
WATCH_PREVIEW_JS = """() => {
  window.previewSeen = new Set();
  new MutationObserver(() => {
    for (const li of document.querySelectorAll('#results li.result[data-state=working]')) {
      const badge = li.querySelector('.badge');
      const img = li.querySelector('img.after');
      if (badge && !badge.hidden && img && !img.hidden && img.src.startsWith('blob:')) {
        window.previewSeen.add(li.querySelector('.card-caption .name').textContent);
      }
    }
  }).observe(document.getElementById('results'), {subtree: true, attributes: true, childList: true});
}"""


def test_cutout_and_download_in_view_on_laptop_and_phone(live_server, browser_context, dev_ten, tmp_path):
    page = open_app(browser_context, live_server.url)
    page.evaluate(WATCH_PREVIEW_JS)
    for i, viewport in enumerate(VIEWPORTS):
        page.set_viewport_size(viewport)
        page.evaluate("() => window.scrollTo(0, 0)")
        # The first screen is one action, with the promise that nothing is uploaded.
        assert in_view(page.get_by_text("Choose photos", exact=True))
        assert "Nothing is uploaded" in page.locator(".hero").inner_text()
        assert page.locator("#results-section").is_hidden()

        sample = dev_ten[3 + i]
        page.locator("#file-input").set_input_files(str(sample.image))
        card = page.locator("#results li.result").first
        # At once: the card, its photo and its progress, in view.
        card.wait_for(timeout=10_000)
        assert in_view(card)
        assert card.get_attribute("data-state") in ("queued", "working")
        assert card.locator(".card-progress").is_visible()
        assert in_view(card.locator("img.before"))

        wait_done(page, 1)
        assert page.evaluate("() => window.scrollY") == 0, "the page scrolled by itself"
        cutout = card.locator("img.after")
        download = card.locator("a.download")
        assert cutout.is_visible() and in_view(cutout), f"cut-out out of view at {viewport}"
        assert download.is_visible() and in_view(download), f"Download out of view at {viewport}"
        assert download.inner_text().startswith("Download PNG")
        # The progress gave way to the result, in place, with the before/after split on it.
        assert card.locator(".card-progress").is_hidden()
        split = card.get_by_label(f"Before / after split for {sample.image.name}")
        assert split.is_visible()
        split.fill("20")
        assert card.locator(".card-stage").evaluate("(el) => el.style.getPropertyValue('--split')") == "20%"
        # Copy and the other formats sit next to Download; no batch controls for one photo.
        assert card.get_by_role("button", name=f"Copy to the clipboard: {sample.image.name}").is_visible()
        for fmt in ("WebP", "JPEG", "Mask"):
            assert card.get_by_role("button", name=f"Download {sample.image.name} as {fmt}").is_visible()
        assert page.locator("#batch-bar").is_hidden()
        # Nothing sticks out sideways.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=tmp_path / f"result-{viewport['width']}.png")

        # The multi-pass default plan showed its first pass as a preview before the final result.
        assert sample.image.name in page.evaluate("() => [...window.previewSeen]"), "no preview was shown"

        # Another format from the card downloads that format.
        with page.expect_download() as dl:
            card.get_by_role("button", name=f"Download {sample.image.name} as JPEG").click()
        assert dl.value.suggested_filename == f"{sample.image.stem}-cutout.jpg"

        card.get_by_role("button", name=f"Remove {sample.image.name}").click()
        page.wait_for_function("() => document.body.dataset.photos === '0'")
    assert page.ui_errors == []


def test_sample_photos_and_batch_controls_from_the_second_photo(live_server, browser_context, dev_ten):
    page = open_app(browser_context, live_server.url)
    samples = page.locator(".samples button[data-sample]")
    assert samples.count() == 3
    for i in range(samples.count()):
        img = samples.nth(i).locator("img")
        assert img.evaluate("(el) => el.complete && el.naturalWidth") > 0
    page.get_by_role("button", name="Try the cat sample photo").click()
    page.locator("#results li.result").first.wait_for(timeout=10_000)
    assert page.locator("#batch-bar").is_hidden()
    # The hero steps aside for the results but keeps the chooser and the promise.
    assert page.locator(".samples").is_hidden()
    assert page.locator("label[for=file-input]").is_visible()
    assert page.get_by_text("Nothing is uploaded.").is_visible()

    page.locator("#file-input").set_input_files(str(dev_ten[1].image))
    bar = page.locator("#batch-bar")
    bar.wait_for(timeout=10_000)
    assert page.get_by_role("button", name="Download all (ZIP)").is_visible()
    assert page.get_by_role("button", name="Cancel all").is_visible()
    wait_done(page, 2)
    assert page.locator("#overall-text").inner_text().startswith("2 of 2 done")
    names = page.locator("#results .card-caption .name").all_inner_texts()
    assert names == ["cat.jpg", dev_ten[1].image.name]
    page.get_by_role("button", name=f"Remove {dev_ten[1].image.name}").click()
    assert bar.is_hidden()
    assert page.ui_errors == []
