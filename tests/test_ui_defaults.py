"""The page's pipeline defaults (web/src/ui/defaults.js) mirror bgcut.Options, the source of truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bgcut

DEFAULTS_JS = Path(__file__).resolve().parents[1] / "web" / "src" / "ui" / "defaults.js"


def pipeline_defaults_js() -> dict:
    text = DEFAULTS_JS.read_text()
    body = re.search(r"PIPELINE_DEFAULTS = Object\.freeze\(\{(.*?)\}\);", text, re.S).group(1)
    out = {}
    for key, value in re.findall(r"^\s*(\w+):\s*([^,\n]+),", body, re.M):
        out[key] = json.loads(value.replace("'", '"'))
    return out


def test_pipeline_defaults_match_bgcut_options():
    js = pipeline_defaults_js()
    assert set(js) == {"refine", "threshold", "edge_shift", "feather", "decontaminate",
                        "mirror", "crop"}
    opts = bgcut.Options()
    for key, value in js.items():
        assert getattr(opts, key) == value, (
            f"web/src/ui/defaults.js has {key}={value!r} but bgcut.Options has {getattr(opts, key)!r}: "
            "update defaults.js")
