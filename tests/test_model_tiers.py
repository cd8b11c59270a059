"""The two model tiers natively: `bgremove --model best|fast`, `bgremove.remove(model=...)`, and each
model's plan defaults from the manifest under the options a person gives.

Real models from web/models (the full U²-Net must be built: the manifest's `tiers.best`), real dev
photos; nothing is mocked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields

import numpy as np
import pytest
from PIL import Image

import bgcut
import bgremove
from bgremove.models import Manifest, ModelError, load_model
from tests.conftest import MODELS_DIR, ROOT

CLI = [sys.executable, "-m", "bgremove.cli"]


def manifest_with_best() -> dict:
    """The built manifest, which must offer the full U²-Net as the 'best' tier."""
    data = json.loads((MODELS_DIR / "manifest.json").read_text())
    best = data.get("tiers", {}).get("best")
    if not best or best.get("architecture") not in data.get("runtime_variants", {}):
        pytest.fail("web/models/manifest.json has no 'best' tier with runtime variants: build the full "
                    "U²-Net (`.venv/bin/python -m model_export build`, docs/MODELS.md)")
    return data


@pytest.fixture(scope="module")
def manifest() -> dict:
    return manifest_with_best()


def test_tiers_resolve_to_each_runtimes_variant(manifest):
    m = Manifest()
    for tier, spec in manifest["tiers"].items():
        variants = manifest["runtime_variants"][spec["architecture"]]
        for runtime in ("native", "wasm", "webgpu"):
            assert m.resolve(tier, runtime).id == variants[runtime]
    assert m.resolve(None, "native").architecture == manifest["tiers"]["fast"]["architecture"]


def test_unknown_model_lists_every_choice(manifest):
    with pytest.raises(ModelError) as err:
        Manifest().resolve("bestest", "native")
    message = str(err.value)
    for name in [*manifest["tiers"], *manifest["runtime_variants"], *(e["id"] for e in manifest["models"])]:
        assert name in message, (name, message)


def test_fast_plan_is_bgcut_defaults(manifest):
    """U²-Netp's behaviour must not change: its plan sets what bgcut's defaults already are."""
    plan = manifest["plans"]["u2netp"]
    planned, default = bgcut.Options.from_dict({}, plan), bgcut.Options()
    assert all(getattr(planned, f.name) == getattr(default, f.name) for f in fields(default)), plan


def test_model_gets_its_architectures_plan(manifest):
    arch = manifest["tiers"]["best"]["architecture"]
    assert load_model("best", runtime="native").plan == manifest["plans"].get(arch, {})


def test_cli_model_best_and_help(manifest, dev_ten, tmp_path):
    sample = dev_ten[7]
    done = subprocess.run([*CLI, "--model", "best", "--format", "mask", "-q", "-o", str(tmp_path),
                           str(sample.image)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / f"{sample.stem}.png") as im, Image.open(sample.image) as src:
        assert im.size == src.size
        alpha = np.asarray(im)
    assert 0.02 < (alpha > 127).mean() < 0.98
    # The same photo through the API: the same model and the same mask.
    api = bgremove.remove(sample.image, model="best", mask=True)
    assert api.model == manifest["runtime_variants"][manifest["tiers"]["best"]["architecture"]]["native"]
    assert np.array_equal(api.image, alpha)

    bad = subprocess.run([*CLI, "--model", "bestest", "-o", str(tmp_path), str(sample.image)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert "fast, best" in bad.stderr and "bestest" in bad.stderr, bad.stderr
    helptext = subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "best" in helptext and "fast" in helptext


def test_explicit_options_win_over_the_plan(manifest, dev_ten):
    """Each plan key given explicitly is used as given, whatever the plan says."""
    plan = manifest["plans"][manifest["tiers"]["best"]["architecture"]]
    given = {"threshold": 0.7, "mirror": not plan.get("mirror", True), "crop": False}
    opts = bgcut.Options.from_dict(given, plan)
    assert (opts.threshold, opts.mirror, opts.crop) == (0.7, given["mirror"], False)
    with pytest.raises(ValueError, match="unknown model plan"):
        bgcut.Options.from_dict({}, {"no_such_option": 1})
