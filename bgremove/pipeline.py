"""The native reference pipeline: decode -> bgcut.model_input -> model -> bgcut.postprocess -> encode."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from bgcut.passes import PlanResult
from PIL import Image

import bgcut

from .decode import decode
from .models import Model
from .passes import run_passes

FORMATS = ("png", "webp", "mask")
SUFFIX = {"png": ".png", "webp": ".webp", "mask": ".png"}
# zlib level 3: at 12 MP about 3x faster than Pillow's default 6 for ~18% larger files
# (bench/native_bench.py; encoding was the slowest stage).
PNG_COMPRESS_LEVEL = 3


@dataclass
class StageTimes:
    """Seconds spent per stage for one image."""

    decode: float = 0.0
    model_input: float = 0.0
    inference: float = 0.0
    postprocess: float = 0.0
    encode: float = 0.0
    detail: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.decode + self.model_input + self.inference + self.postprocess + self.encode


def options_for_format(options: bgcut.Options, fmt: str) -> bgcut.Options:
    """``mask`` output needs only the alpha; the other formats need RGBA."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    return replace(options, output="mask" if fmt == "mask" else "rgba")


def predict_mask(
    rgba: np.ndarray, model: Model, times: StageTimes | None = None, options: bgcut.Options | None = None
) -> PlanResult:
    """bgcut's model-run plan for ``rgba`` with the passes ``options`` allows (mirror, crop; see
    bgcut.passes): the merged mask (float32 in [0, 1], model-sized, or photo-sized when a crop pass
    ran), the working copy, and the number of model runs."""
    options = options or bgcut.Options()
    passes: dict[str, float] = {}
    result = run_passes(rgba, model, options, passes)
    if times is not None:
        # Working copy, model inputs and mask merging are everything in the plan but the model runs.
        times.inference += passes["inference"]
        times.model_input += passes["passes"] - passes["inference"]
        times.detail["model_runs"] = passes["model_runs"]
    return result


def remove_background(
    rgba: np.ndarray, model: Model, options: bgcut.Options | None = None, times: StageTimes | None = None,
    edits: bgcut.Edits | None = None,
) -> np.ndarray:
    """Cut out one decoded image: uint8 (H, W, 4), or (H, W) when ``options.output == 'mask'``.
    ``edits``: touch-up strokes for this image (``load_edits``), painted on the refined alpha."""
    options = options or bgcut.Options()
    planned = predict_mask(rgba, model, times, options)
    t0 = time.perf_counter()
    detail: dict[str, float] = {}
    out = bgcut.postprocess(rgba, planned.mask, options, timings=detail, work=planned.work, edits=edits)
    if times is not None:
        times.postprocess += time.perf_counter() - t0
        times.detail.update(detail)
    return out


def encode(result: np.ndarray, path: Path, fmt: str) -> None:
    """Write ``result`` as PNG (RGBA), WebP with alpha, or an 8-bit greyscale PNG mask."""
    if fmt == "mask":
        img = Image.fromarray(np.ascontiguousarray(result if result.ndim == 2 else result[..., 3]))
        img.save(path, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    elif fmt == "webp":
        Image.fromarray(result).save(path, format="WEBP", quality=90, alpha_quality=100, method=4)
    elif fmt == "png":
        Image.fromarray(result).save(path, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    else:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")


def load_edits(path: Path, width: int, height: int) -> bgcut.Edits:
    """Read and check an edits file (docs/API.md#edits) for a ``width`` x ``height`` photo; raises
    ``bgcut.EditsError`` (a ValueError) naming the file, for a missing, unreadable or refused one.
    Clipped values are reported on stderr."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise bgcut.EditsError(f"edits file {path}: cannot be read ({exc.strerror or exc})") from None
    try:
        edits = bgcut.parse_edits(data, width, height)
    except bgcut.EditsError as exc:
        raise bgcut.EditsError(f"edits file {path}: {exc}") from None
    for note in edits.warnings:
        print(f"bgremove: warning: edits file {path}: {note}", file=sys.stderr)
    return edits


def process_file(
    src: Path, dst: Path, model: Model, options: bgcut.Options, fmt: str = "png", edits: Path | None = None
) -> StageTimes:
    """Decode ``src``, cut it out and write ``dst`` in ``fmt``; returns the per-stage times.
    ``edits``: an edits file for this photo, checked before the model runs."""
    times = StageTimes()
    options = options_for_format(options, fmt)
    t0 = time.perf_counter()
    rgba = decode(src)
    strokes = load_edits(edits, rgba.shape[1], rgba.shape[0]) if edits is not None else None
    times.decode = time.perf_counter() - t0
    result = remove_background(rgba, model, options, times, strokes)
    t1 = time.perf_counter()
    encode(result, dst, fmt)
    times.encode = time.perf_counter() - t1
    return times
