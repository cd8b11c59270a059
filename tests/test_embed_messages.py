"""web/embed.js is a classic script and cannot import modules, so it keeps copies of the widget's
message names (web/embed/messages.js, which the frame imports) and of the result formats
(web/src/shared/protocol.js). These tests hold the copies equal to the modules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[1] / "web"


def module_exports(path: Path) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to read the ES modules (scripts/bootstrap.sh installs it)")
    script = f"import * as m from {json.dumps(path.as_uri())}; console.log(JSON.stringify(m));"
    out = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def embed_constant(name: str) -> str:
    match = re.search(rf"^  const {name} = (.+?);$", (WEB / "embed.js").read_text(), re.M | re.S)
    assert match, f"web/embed.js no longer defines {name}"
    return match.group(1)


def test_embed_message_names_match_the_frame_module() -> None:
    shared = module_exports(WEB / "embed" / "messages.js")
    assert json.loads(embed_constant("CHANNEL").replace("'", '"')) == shared["CHANNEL"]
    assert int(embed_constant("PROTOCOL")) == shared["PROTOCOL"]
    copy = dict(re.findall(r"([A-Z]+): '([a-z]+)'", embed_constant("Message")))
    assert copy == shared["Message"]


def test_embed_formats_match_the_protocol() -> None:
    shared = module_exports(WEB / "src" / "shared" / "protocol.js")
    assert json.loads(embed_constant("FORMATS").replace("'", '"')) == shared["FORMATS"]
