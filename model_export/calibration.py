"""Deterministic, varied calibration views from permissively licensed photos that ship in a wheel.

The build runs on fresh machines without ``../shared``, so calibration may only use images that the
build's own dependencies bring. scikit-image's wheel bundles a few public-domain / CC0 photos (see
``PHOTO_LICENSES``); a handful of photos is too little variety for bias correction and per-layer
rounding, so each photo yields several augmented views: random-resized crops at several scales and
aspect ratios, horizontal flips, colour jitter (brightness, contrast, saturation, hue) and composites
(a crop of one photo pasted as a "subject" onto another photo or a texture as background). One seeded
generator drives everything, so the same settings give bit-identical views on every machine.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageEnhance

# Photos inside the scikit-image wheel and their licences, from the docstrings of skimage.data.
# stereo_motorcycle (Middlebury 2014) is left out: its licence is not stated.
PHOTO_LICENSES = {
    "astronaut.png": "public domain (NASA)",
    "coffee.png": "CC0 (Rachel Michetti)",
    "chelsea.png": "CC0 (Stefan van der Walt)",
    "rocket.jpg": "public domain (SpaceX)",
    "camera.png": "CC0 (Lav Varshney)",
    "hubble_deep_field.jpg": "public domain (NASA)",
    "retina.jpg": "CC0 (Häggström)",
    "coins.png": "no known copyright restrictions",
    "grass.png": "CC0 (CC0Textures)",
    "gravel.png": "CC0 (CC0Textures)",
    "brick.png": "CC0 (CC0Textures)",
}
# Photos with a subject, used as the foreground of composites; the others serve as backgrounds.
SUBJECTS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "camera.png", "coins.png")


def random_view(image: Image.Image, rng: np.random.Generator, size: int) -> Image.Image:
    """A random-resized crop (10-100% of the area, aspect 3:4..4:3), maybe mirrored, colour-jittered."""
    w, h = image.size
    area = w * h * rng.uniform(0.1, 1.0)
    aspect = float(np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3))))
    cw = int(min(w, max(16, round(np.sqrt(area * aspect)))))
    ch = int(min(h, max(16, round(np.sqrt(area / aspect)))))
    x0 = int(rng.integers(0, w - cw + 1))
    y0 = int(rng.integers(0, h - ch + 1))
    view = image.crop((x0, y0, x0 + cw, y0 + ch)).resize((size, size), Image.BILINEAR)
    if rng.random() < 0.5:
        view = view.transpose(Image.FLIP_LEFT_RIGHT)
    return jitter(view, rng)


def jitter(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Brightness, contrast and saturation x[0.6, 1.4], hue shifted by up to +-0.05 of the circle."""
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.6, 1.4))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.6, 1.4))
    image = ImageEnhance.Color(image).enhance(rng.uniform(0.6, 1.4))
    shift = round(rng.uniform(-0.05, 0.05) * 255)
    if shift:
        hsv = np.asarray(image.convert("HSV")).copy()
        hsv[..., 0] = (hsv[..., 0].astype(np.int16) + shift) % 256
        image = Image.fromarray(hsv, "HSV").convert("RGB")
    return image


def composite(subject: Image.Image, background: Image.Image, rng: np.random.Generator,
              size: int) -> Image.Image:
    """A central crop of `subject` pasted at a random place and scale (35-75%) onto `background`."""
    base = random_view(background, rng, size)
    w, h = subject.size
    frac = rng.uniform(0.5, 0.9)
    cw, ch = int(w * frac), int(h * frac)
    piece = subject.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch))
    side = int(size * rng.uniform(0.35, 0.75))
    scale = side / max(cw, ch)
    piece = jitter(piece.resize((max(8, int(cw * scale)), max(8, int(ch * scale))), Image.BILINEAR), rng)
    x0 = int(rng.integers(0, size - piece.size[0] + 1))
    y0 = int(rng.integers(0, size - piece.size[1] + 1))
    base.paste(piece, (x0, y0))
    return base


def augmented_views(photos: dict[str, Image.Image], views_per_photo: int, composites: int, seed: int,
                    size: int) -> list[Image.Image]:
    """`views_per_photo` random views of each photo, then `composites` subject-on-background images."""
    rng = np.random.default_rng(seed)
    names = sorted(photos)
    out = [random_view(photos[n], rng, size) for n in names for _ in range(views_per_photo)]
    subjects = [n for n in names if n in SUBJECTS]
    for i in range(composites if subjects else 0):
        subject = subjects[i % len(subjects)]
        others = [n for n in names if n != subject]
        background = others[int(rng.integers(0, len(others)))]
        out.append(composite(photos[subject], photos[background], rng, size))
    return out
