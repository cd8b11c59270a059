"""An old deploy's service worker still names the previous build's model files (its cached
models/manifest.json); a new model build keeps those files one more build (issue #14, finding 5)."""

from __future__ import annotations

import json
from pathlib import Path

from model_export.manifest import write_manifest


def _entry(variant: str, tag: str) -> dict:
    return {"id": f"u2netp-{variant}", "architecture": "u2netp", "variant": variant,
            "file": f"u2netp-{variant}.{tag}.onnx", "license": "MIT", "source": "test"}


def _build(out: Path, tag: str) -> dict:
    entries = [_entry(v, tag) for v in ("fp32", "uint8")]
    for e in entries:
        (out / e["file"]).write_bytes(tag.encode())
        (out / (e["file"] + ".br")).write_bytes(b"br")
    return write_manifest(out, entries)


def test_previous_build_files_survive_one_build(tmp_path):
    first = _build(tmp_path, "aaaaaaaaaaaa")
    assert first["previous_files"] == []

    second = _build(tmp_path, "bbbbbbbbbbbb")
    old = {e["file"] for e in first["models"]}
    # The old deploy's manifest names these: they must still be there to download.
    assert all((tmp_path / f).is_file() for f in old)
    assert second["previous_files"] == sorted(old)
    assert json.loads((tmp_path / "manifest.json").read_text())["previous_files"] == sorted(old)

    third = _build(tmp_path, "cccccccccccc")
    # Two builds back: gone, with their precompressed variants.
    assert not any((tmp_path / f).exists() for f in old)
    assert not any((tmp_path / (f + ".br")).exists() for f in old)
    assert third["previous_files"] == sorted(e["file"] for e in second["models"])
    on_disk = sorted(p.name for p in tmp_path.glob("*.onnx"))
    assert on_disk == sorted({e["file"] for e in third["models"]} | set(third["previous_files"]))


def test_rebuilding_the_same_files_keeps_nothing_extra(tmp_path):
    _build(tmp_path, "aaaaaaaaaaaa")
    again = _build(tmp_path, "aaaaaaaaaaaa")
    assert again["previous_files"] == []
    assert len(list(tmp_path.glob("*.onnx"))) == 2
