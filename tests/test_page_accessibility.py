"""Accessibility checked by axe-core in Chromium: the empty page, with results, with the inspector
open, and in dark mode, with no serious or critical violations.

axe-core is pinned in package.json (devDependencies) and read from node_modules; it is evaluated in
the page by the test (DevTools protocol, so the page's CSP stays as shipped) and never served by
the app.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.page_support import open_app, open_section, wait_done

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN_AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  // A run that checked nothing would pass anything: the page's rules must have been applied.
  if (r.passes.length < 10) throw new Error(`axe applied only ${r.passes.length} rules`);
  return r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
  }));
}"""


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (bash scripts/bootstrap.sh setup does)")
    return AXE.read_text()


def blocking_violations(page, source: str) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source + "\n;undefined")
    return [v for v in page.evaluate(RUN_AXE_JS) if v["impact"] in BLOCKING]


def test_axe_empty_results_inspector_and_dark(live_server, browser_context, dev_ten):
    source = axe_source()
    page = open_app(browser_context, live_server.url)
    page.emulate_media(color_scheme="light")
    assert blocking_violations(page, source) == [], "empty page"

    page.locator("#file-input").set_input_files([str(dev_ten[0].image), str(dev_ten[5].image)])
    wait_done(page, 2)
    assert blocking_violations(page, source) == [], "with results"

    page.get_by_role("button", name=f"Inspect {dev_ten[0].image.name}").click()
    page.wait_for_function("() => document.getElementById('view-after').complete")
    assert blocking_violations(page, source) == [], "inspector open"

    # Dark mode, with every section open so their contents are checked too.
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    open_section(page, "fine-tune")
    open_section(page, "about-engine")
    page.locator("#opt-background").select_option("color")
    assert blocking_violations(page, source) == [], "dark mode"
    assert page.ui_errors == []
