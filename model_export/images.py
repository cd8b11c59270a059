"""Image loading shared by calibration, the parity check and validation: one resize path for all."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from PIL import Image

from .settings import CalibrationSettings


def load_rgb(path: Path) -> Image.Image:
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: expected an image file readable by Pillow ({exc})") from exc


def to_input(image: Image.Image, height: int, width: int) -> np.ndarray:
    """The contract's input tensor: RGB, NCHW float32 in [0,1], bilinear resize to (height, width)."""
    arr = np.asarray(image.resize((width, height), Image.BILINEAR), dtype=np.float32) / 255.0
    return np.ascontiguousarray(arr.transpose(2, 0, 1)[None])


def bundled_photo_dir() -> Path:
    # Located without importing skimage: its data loaders may fetch over the network, the files on disk
    # are all we want.
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-image is not installed; install the project's 'export' extra")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def calibration_inputs(settings: CalibrationSettings) -> list[np.ndarray]:
    """Contract inputs from the bundled photos that exist on disk: each photo whole, its flips and crops,
    then the seeded augmented views of model_export/calibration.py."""
    base = bundled_photo_dir()
    present = [base / name for name in settings.photos if (base / name).is_file()]
    if not present:
        raise RuntimeError(f"none of the calibration photos {settings.photos} exist under {base}")
    size = settings.size
    out = []
    for path in present:
        image = load_rgb(path)
        views = [image]
        w, h = image.size
        for frac in settings.crops:
            cw, ch = int(w * frac), int(h * frac)
            views.append(image.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch)))
            views.append(image.crop((0, 0, cw, ch)))
        if settings.hflip:
            views += [v.transpose(Image.FLIP_LEFT_RIGHT) for v in list(views)]
        out += [to_input(v, size, size) for v in views]
    if settings.views_per_photo or settings.composites:
        from .calibration import augmented_views
        photos = {path.name: load_rgb(path) for path in present}
        extra = augmented_views(photos, settings.views_per_photo, settings.composites, settings.seed, size)
        out += [to_input(v, size, size) for v in extra]
    return out
