"""Running bgcut's model-run plan (``bgcut.passes.mask_plan``) with a native model.

The plan itself (sizes, working copy, mirror and crop passes, per-photo decisions, merges) lives in
bgcut and is shared with the browser worker; this module only calls the model and keeps time.
``PassOptions`` names a plan for benchmarks that sweep plans without building ``bgcut.Options``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bgcut import passes as geo

from .models import Model


@dataclass(frozen=True)
class PassOptions:
    """How the model is run on one photo (the plan fields of ``bgcut.Options``).

    size: long side of the model input (None: the manifest's size for the model).
    square: squash to ``size x size`` (None: the manifest's rule) or keep the aspect ratio.
    flip: allow the mirrored run (averaged with the first).
    crop: allow a second run on a crop around a small subject, blended in.
    auto: run the allowed passes only when the first mask says they are worth it
        (``extra_passes='auto'``); False runs every allowed pass.
    crop_weight: the crop pass's weight inside its box (1: replace the first pass there).
    """

    size: int | None = None
    square: bool | None = None
    flip: bool = False
    crop: bool = False
    auto: bool = False
    crop_weight: float = geo.CROP_WEIGHT

    def __post_init__(self) -> None:
        if not 0.0 <= self.crop_weight <= 1.0:
            raise ValueError(f"crop_weight must be in [0, 1], got {self.crop_weight!r}")
        if self.size is not None and not (isinstance(self.size, int) and 32 <= self.size <= 2048):
            raise ValueError(f"model input size must be None or an integer in 32..2048, got {self.size!r}")

    @classmethod
    def from_options(cls, options: object) -> PassOptions:
        """The plan an options object asks for (``bgcut.Options`` fields ``flip_tta``, ``crop_pass``,
        ``extra_passes``, ``model_size``, ``model_square`` when it has them; one plain run otherwise)."""
        return cls(
            size=getattr(options, "model_size", None),
            square=getattr(options, "model_square", None),
            flip=bool(getattr(options, "flip_tta", False)),
            crop=bool(getattr(options, "crop_pass", False)),
            auto=getattr(options, "extra_passes", "always") == "auto",
        )

    @property
    def flip_tta(self) -> bool:
        return self.flip

    @property
    def crop_pass(self) -> bool:
        return self.crop

    @property
    def extra_passes(self) -> str:
        return "auto" if self.auto else "always"

    @property
    def model_size(self) -> int | None:
        return self.size

    @property
    def model_square(self) -> bool | None:
        return self.square


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
