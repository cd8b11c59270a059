"""Running bgcut's model-run plan (``bgcut.passes.mask_plan``) with a native model.

The plan itself (sizes, working copy, mirror and crop passes, per-photo decisions, merges) lives in
bgcut and is shared with the browser worker; this module only calls the model and keeps time.
``PassOptions`` names a plan for benchmarks that sweep plans without building ``bgcut.Options``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bgcut import options as defaults
from bgcut import passes as geo

from .models import Model


@dataclass(frozen=True)
class PassOptions:
    """How the model is run on one photo (the plan fields of ``bgcut.Options``).

    Named as in ``bgcut.Options`` (which documents them), with one more for benchmarks:
    crop_weight: the crop pass's weight inside its box (1: replace the first pass there).
    Unlike ``bgcut.Options``, nothing runs beyond the first pass unless asked.
    """

    model_size: int | None = None
    model_square: bool | None = None
    mirror: bool = False
    crop: bool = False
    extra_passes: str = "always"
    crop_weight: float = geo.CROP_WEIGHT

    def __post_init__(self) -> None:
        if not 0.0 <= self.crop_weight <= 1.0:
            raise ValueError(f"crop_weight must be in [0, 1], got {self.crop_weight!r}")
        size = self.model_size
        if size is not None and not (isinstance(size, int) and 32 <= size <= 2048):
            raise ValueError(f"model_size must be None or an integer in 32..2048, got {self.model_size!r}")
        if self.extra_passes not in defaults.EXTRA_PASS_MODES:
            raise ValueError(f"extra_passes must be one of {defaults.EXTRA_PASS_MODES}, got "
                             f"{self.extra_passes!r}")

    @classmethod
    def from_options(cls, options: object) -> PassOptions:
        """The plan an options object asks for (its ``bgcut.options.PLAN_FIELDS`` when it has them;
        one plain run otherwise)."""
        given = {name: getattr(options, name) for name in defaults.PLAN_FIELDS if hasattr(options, name)}
        return cls(**given)


def input_rule(model: Model) -> geo.InputRule:
    """The model's input rule: from its manifest entry, else bgcut's default (u2netp's contract)."""
    rule = getattr(model, "input_rule", None)
    return rule if isinstance(rule, geo.InputRule) else geo.InputRule()


def run_passes(
    photo: np.ndarray | geo.WorkingCopy,
    model: Model,
    plan_options: object,
    timings: dict[str, float] | None = None,
) -> geo.PlanResult:
    """Drive bgcut's plan for ``photo`` with ``model``; ``plan_options``: a ``bgcut.Options`` or a
    ``PassOptions``. ``timings`` gets ``passes`` (seconds in all), ``inference`` (in the model) and
    ``model_runs``."""
    inference = 0.0

    def predict(x: np.ndarray) -> np.ndarray:
        nonlocal inference
        t = time.perf_counter()
        out = model.predict(x)
        inference += time.perf_counter() - t
        return out

    t0 = time.perf_counter()
    crop_weight = getattr(plan_options, "crop_weight", geo.CROP_WEIGHT)
    result = geo.run_plan(geo.mask_plan(photo, plan_options, input_rule(model), crop_weight), predict)
    if timings is not None:
        timings.update(passes=time.perf_counter() - t0, inference=inference, model_runs=float(result.runs))
    return result


def predict_mask_passes(
    rgba: np.ndarray, model: Model, opts: PassOptions | None = None, timings: dict[str, float] | None = None
) -> np.ndarray:
    """The merged mask for ``rgba`` after every pass ``opts`` asks for; float32 (h, w) in [0, 1], at
    the model's resolution, or at the photo's (capped) resolution when a crop pass ran."""
    return run_passes(rgba, model, opts or PassOptions(), timings).mask
