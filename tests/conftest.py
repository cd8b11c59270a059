"""Shared fixtures: the real dev photos, the project paths, and (in browser_support) the live app."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV_DIR = ROOT.parent / "shared" / "data" / "dev"
MODELS_DIR = ROOT / "web" / "models"

pytest_plugins = ["tests.browser_support"]


@dataclass(frozen=True)
class DevSample:
    stem: str
    category: str
    source: str
    image: Path
    gt: Path


def _load_dev_index() -> list[DevSample]:
    index = DEV_DIR / "index.csv"
    if not index.is_file():
        # The dev set is research-licensed and lives beside the checkout, never inside it.
        pytest.fail(f"dev set not found at {DEV_DIR}: tests read real photos from ../shared/data/dev")
    samples = []
    with index.open(newline="") as fh:
        for row in csv.DictReader(fh):
            images = sorted((DEV_DIR / "images").glob(row["stem"] + ".*"))
            samples.append(
                DevSample(
                    stem=row["stem"],
                    category=row["category"],
                    source=row["source"],
                    image=images[0],
                    gt=DEV_DIR / "gt" / (row["stem"] + ".png"),
                )
            )
    return samples


@pytest.fixture(scope="session")
def dev_set() -> list[DevSample]:
    """All 203 dev photos with their human-made masks."""
    return _load_dev_index()


@pytest.fixture(scope="session")
def dev_ten(dev_set: list[DevSample]) -> list[DevSample]:
    """Ten photos spread evenly over the dev set, so every category and both sources appear."""
    step = len(dev_set) / 10
    return [dev_set[int(i * step)] for i in range(10)]
