"""``bgremove.remove(image, **options)``: the CLI's pipeline as one Python call (docs/BATCH.md).

The same functions as ``bgremove`` on the command line: the same decoder for paths and bytes,
the same model sessions (one per model per process, created on first use and reused), the same
bgcut post-processing. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageOps

import bgcut

from .decode import DecodeError, _check_size, _to_rgba, decode, hide_transparent
from .models import load_model
from .pipeline import StageTimes, encode, load_edits, options_for_format, remove_background

ImageInput = str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray


@dataclass(frozen=True)
class Removal:
    """One result. image: uint8 (H, W, 4) cut-out, or (H, W) alpha mask when ``mask=True``;
    timings: seconds per stage (decode, model_input, inference, postprocess; encode stays 0
    until ``save``); model: the model id that ran."""

    image: np.ndarray
    timings: StageTimes
    model: str
    mask: bool = field(default=False)

    def to_pil(self) -> Image.Image:
        return Image.fromarray(self.image)

    def save(self, target: str | os.PathLike | BinaryIO, fmt: str | None = None) -> None:
        """Write as the CLI does to a path or a binary file object: 'png' (RGBA), 'webp' or 'mask';
        by default 'mask' for a mask, else from the path's suffix (webp or png)."""
        if isinstance(target, str | os.PathLike):
            target = Path(target)
            suffix = target.suffix.lower()
        else:
            suffix = ""
        if fmt is None:
            fmt = "mask" if self.mask else ("webp" if suffix == ".webp" else "png")
        t0 = time.perf_counter()
        encode(self.image, target, fmt)
        self.timings.encode += time.perf_counter() - t0


def remove(
    image: ImageInput,
    *,
    mask: bool = False,
    model: str | None = None,
    models_dir: str | os.PathLike | None = None,
    threads: int | None = None,
    edits: Any = None,
    **options: Any,
) -> Removal:
    """Cut out ``image``: a file path, the bytes of an image file, a PIL image or a uint8 array
    (H, W), (H, W, 3) or (H, W, 4).

    mask: return the 8-bit alpha mask instead of the RGBA cut-out.
    model: 'fast' or 'best' (the manifest's tiers), an architecture or a model id, as the CLI's
        --model (default: the default model's architecture, in the variant the manifest names for
        native runs). The model's plan defaults (the manifest's ``plans``) apply under ``options``.
    threads: ONNX Runtime threads for this process's session, when it is first created.
    edits: touch-up brush strokes to replay on the alpha (docs/API.md#edits): the path of an
        edits file (a ``pathlib.Path`` / ``os.PathLike``), its JSON text (str) or bytes, the parsed
        dict, or a ``bgcut.Edits``; checked against the decoded photo's size before the model runs
        (bgcut.EditsError, a ValueError, with a message for people).
    options: bgcut.Options fields, as the CLI's flags set them: refine, threshold, edge_shift,
        feather, decontaminate, background ('transparent', '#rrggbb', 'blur', or an image in any
        of the forms ``image`` accepts), mirror, crop, model_size, ...
    Raises DecodeError (a ValueError) for unreadable input, ValueError for bad options and
    bgremove.models.ModelError for a missing or corrupt model.
    """
    if "output" in options:
        raise ValueError("use mask=True for the alpha mask; 'output' is set from it")
    background = options.get("background")
    if background is not None and not isinstance(background, str):
        options["background"] = to_rgba(background, "background")
    bgcut.Options.from_dict(options)  # bad options fail before any work
    # As the CLI resolves --model: a tier, an architecture (or None) picks the manifest's native
    # variant; the model's plan defaults from the manifest sit under the given options.
    session = load_model(model, models_dir, threads, runtime="native")
    opts = options_for_format(bgcut.Options.from_dict(options, session.plan), "mask" if mask else "png")
    times = StageTimes()
    t0 = time.perf_counter()
    rgba = to_rgba(image)
    times.decode = time.perf_counter() - t0
    strokes = _edits_for(edits, rgba.shape[1], rgba.shape[0])
    result = remove_background(rgba, session, opts, times, strokes)
    return Removal(image=result, timings=times, model=session.id, mask=mask)


def _edits_for(edits: Any, width: int, height: int) -> bgcut.Edits | None:
    if edits is None or isinstance(edits, bgcut.Edits):
        if edits is not None and (edits.width, edits.height) != (width, height):
            return bgcut.parse_edits(edits.to_dict(), width, height)  # refuses with the sizes named
        return edits
    if isinstance(edits, os.PathLike):
        return load_edits(Path(edits), width, height)
    return bgcut.parse_edits(edits, width, height)


def to_rgba(image: ImageInput, what: str = "image") -> np.ndarray:
    """Any accepted input as the pipeline's uint8 (H, W, 4), exactly as the CLI decodes files."""
    if isinstance(image, str | os.PathLike):
        return decode(image)
    if isinstance(image, bytes | bytearray | memoryview):
        return _decode_bytes(bytes(image), what)
    if isinstance(image, Image.Image):
        _check_size(Path(f"<{what}>"), image.size)
        return hide_transparent(_to_rgba(ImageOps.exif_transpose(image)))
    if isinstance(image, np.ndarray):
        return hide_transparent(_array_rgba(image, what))
    raise TypeError(f"{what} must be a path, bytes, a PIL image or a numpy array, got {type(image).__name__}")


def _decode_bytes(data: bytes, what: str) -> np.ndarray:
    # Through a private file, so bytes get the very checks and messages a path gets.
    with tempfile.TemporaryDirectory(prefix="bgremove-") as tmp:
        path = Path(tmp) / what
        path.write_bytes(data)
        try:
            return decode(path)
        except DecodeError as exc:
            raise DecodeError(str(exc).replace(str(path), f"<{what}: {len(data)} bytes>")) from None


def _array_rgba(array: np.ndarray, what: str) -> np.ndarray:
    if array.dtype != np.uint8:
        raise ValueError(f"{what} array must be uint8, got {array.dtype}")
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4) or 0 in array.shape:
        raise ValueError(f"{what} array must be shaped (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    _check_size(Path(f"<{what}>"), (array.shape[1], array.shape[0]))
    if array.shape[2] == 4:
        return np.array(array, order="C")
    out = np.empty((*array.shape[:2], 4), np.uint8)
    out[..., :3] = array
    out[..., 3] = 255
    return out

