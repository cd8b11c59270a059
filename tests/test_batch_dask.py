"""docs/BATCH.md's dask.distributed recipe, run as written on a LocalCluster of two worker
processes: the masks equal the CLI's, and a broken photo is a record, not a failed batch."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECIPE_NAME = "bgremove_dask_recipe"

pytestmark = pytest.mark.slow


def load_recipe(folder: Path):
    """The documented code block (the one defining remove_all) as an importable module."""
    text = (ROOT / "docs" / "BATCH.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def remove_all" in b]
    assert len(blocks) == 1, "docs/BATCH.md must hold exactly one recipe block defining remove_all"
    path = folder / f"{RECIPE_NAME}.py"
    path.write_text(blocks[0])
    spec = importlib.util.spec_from_file_location(RECIPE_NAME, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[RECIPE_NAME] = module
    spec.loader.exec_module(module)
    return module


def test_recipe_on_a_local_cluster_matches_the_cli(dev_ten, tmp_path):
    from dask.distributed import Client, LocalCluster

    photos = tmp_path / "photos"
    photos.mkdir()
    for sample in dev_ten[4:7]:
        shutil.copy(sample.image, photos / sample.image.name)
    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    cli_out = tmp_path / "cli"
    cmd = [str(Path(sys.executable).with_name("bgremove")), str(photos), "-o", str(cli_out),
           "--format", "mask", "-q", "--jobs", "1"]
    cli = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert cli.returncode == 1 and "broken.png" in cli.stderr, cli.stderr

    recipe = load_recipe(tmp_path)
    out = tmp_path / "dask"
    uris = recipe.images_in(str(photos))
    assert [Path(u).name for u in uris] == sorted(p.name for p in photos.iterdir())
    try:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster, Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            # As docs/BATCH.md says: the workers get the recipe module the way dask ships user code.
            client.upload_file(str(tmp_path / f"{RECIPE_NAME}.py"))
            records = recipe.remove_all(client, uris, str(out), mask=True, threads=1)
    finally:
        sys.modules.pop(RECIPE_NAME, None)

    assert [r["uri"] for r in records] == uris
    by_name = {Path(r["uri"]).name: r for r in records}
    broken = by_name.pop("broken.png")
    assert not broken["ok"] and broken["error"].startswith("DecodeError: <image: 18 bytes>"), broken
    assert len(by_name) == 3 and all(r["ok"] for r in by_name.values()), by_name
    for name in by_name:
        mask = Path(name).stem + ".png"
        assert (out / mask).read_bytes() == (cli_out / mask).read_bytes(), name
