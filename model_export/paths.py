"""Where the build reads and writes, relative to the repository root."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".cache" / "model_export"
DEFAULT_OUT = ROOT / "web" / "models"
DEV_DIR = ROOT.parent / "shared" / "data" / "dev"
