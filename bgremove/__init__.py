"""bgremove: background removal on this machine. ``bgremove.remove(image, **options)`` is the
Python API (bgremove/api.py, docs/BATCH.md); imported on first use, so ``import bgremove`` stays light."""

from __future__ import annotations

from typing import Any

__all__ = ["Removal", "remove"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'bgremove' has no attribute {name!r}")
