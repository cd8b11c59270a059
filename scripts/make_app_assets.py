"""Regenerate the app's icons (web/icons/) and sample photos (web/samples/).

    .venv/bin/python scripts/make_app_assets.py

Icons are drawn here with Pillow, so their source is this file. The sample photos are scikit-image's
bundled photos (public domain or CC0; see docs/THIRD_PARTY.md), read from the installed wheel with
Pillow (never through skimage's download fetchers) and saved as JPEG so the app shell stays small.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "web" / "icons"
SAMPLES = ROOT / "web" / "samples"

ACCENT = (52, 84, 209)
CHECK_DARK = (206, 211, 228)
CHECK_LIGHT = (255, 255, 255)
SUPERSAMPLE = 4

# name in skimage/data -> file name in web/samples; the names say what the photo shows.
SAMPLE_PHOTOS = {"astronaut.png": "astronaut.jpg", "chelsea.png": "cat.jpg", "coffee.png": "coffee.jpg"}
SAMPLE_QUALITY = 88


def _icon(size: int, *, maskable: bool) -> Image.Image:
    """A person on a half-removed background: the left half is the photo's colour, the right half the
    checkerboard that stands for transparency. Maskable icons fill the square and keep the person
    inside the central 80 % circle that every mask shape leaves visible."""
    s = size * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    bg = Image.new("RGBA", (s, s), (*ACCENT, 255))
    cells = 8
    cell = s / cells
    draw = ImageDraw.Draw(bg)
    for y in range(cells):
        for x in range(cells // 2, cells):
            colour = CHECK_DARK if (x + y) % 2 else CHECK_LIGHT
            draw.rectangle([x * cell, y * cell, (x + 1) * cell, (y + 1) * cell], fill=(*colour, 255))
    mask = Image.new("L", (s, s), 0)
    if maskable:
        mask.paste(255, (0, 0, s, s))
    else:
        ImageDraw.Draw(mask).rounded_rectangle([0, 0, s - 1, s - 1], radius=s * 0.22, fill=255)
    img.paste(bg, (0, 0), mask)
    # The person: scaled to the safe zone for maskable icons, a little larger otherwise.
    k = 0.72 if maskable else 0.86
    cx = s / 2
    d = ImageDraw.Draw(img)
    head_r = s * 0.15 * k
    head_cy = s / 2 - s * 0.12 * k
    outline = s * 0.018
    body = [cx - s * 0.28 * k, s / 2 + s * 0.07 * k, cx + s * 0.28 * k, s / 2 + s * 0.63 * k]
    for grow, colour in ((outline, ACCENT), (0, (255, 255, 255))):
        d.ellipse([cx - head_r - grow, head_cy - head_r - grow, cx + head_r + grow, head_cy + head_r + grow],
                  fill=(*colour, 255))
        d.pieslice([body[0] - grow, body[1] - grow, body[2] + grow, body[3] + grow], 180, 360,
                   fill=(*colour, 255))
    # The body's lower half would spill past the icon's bottom edge: cut it with the icon's shape.
    clip = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    clip.paste(img, (0, 0), mask)
    return clip.resize((size, size), Image.Resampling.LANCZOS)


def make_icons() -> list[Path]:
    ICONS.mkdir(parents=True, exist_ok=True)
    out = []
    for size in (192, 512):
        for maskable in (False, True):
            path = ICONS / f"icon-{'maskable-' if maskable else ''}{size}.png"
            _icon(size, maskable=maskable).save(path, optimize=True)
            out.append(path)
    return out


def make_samples() -> list[Path]:
    import skimage

    data = Path(skimage.__file__).parent / "data"
    SAMPLES.mkdir(parents=True, exist_ok=True)
    out = []
    for src, name in SAMPLE_PHOTOS.items():
        with Image.open(data / src) as im:
            path = SAMPLES / name
            im.convert("RGB").save(path, "JPEG", quality=SAMPLE_QUALITY, optimize=True, progressive=True)
            out.append(path)
    return out


if __name__ == "__main__":
    for p in make_icons() + make_samples():
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size} bytes")
