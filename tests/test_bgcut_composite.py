"""Compositing: transparent, solid colour, image and blurred backgrounds, input alpha, alpha output."""

from __future__ import annotations

import numpy as np
from bgcut.composite import cover_crop

import bgcut


def half_scene(h: int = 40, w: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """A grey photo with a mask that keeps the left half exactly."""
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., :3] = (10, 120, 230)
    rgba[..., 3] = 255
    mask = np.zeros((h, w), np.float32)
    mask[:, : w // 2] = 1
    return rgba, mask


# The soft mask passes through untouched, so expected pixels can be computed by hand.
NO_REFINE = {"refine": "none", "threshold": None, "decontaminate": False}


def test_transparent_keeps_colours_and_sets_alpha() -> None:
    rgba, mask = half_scene()
    out = bgcut.postprocess(rgba, mask, bgcut.Options(**NO_REFINE))
    assert out.shape == (40, 60, 4) and out.dtype == np.uint8 and out.flags.c_contiguous
    np.testing.assert_array_equal(out[..., :3], rgba[..., :3])
    assert (out[:, :30, 3] == 255).all() and (out[:, 30:, 3] == 0).all()


def test_solid_colour_background() -> None:
    rgba, mask = half_scene()
    mask[:, 30] = 0.5
    out = bgcut.postprocess(rgba, mask, bgcut.Options(background="#ff0080", **NO_REFINE))
    assert (out[..., 3] == 255).all()
    np.testing.assert_array_equal(out[:, :30, :3], np.broadcast_to(rgba[0, 0, :3], (40, 30, 3)))
    np.testing.assert_array_equal(out[:, 31:, :3], np.broadcast_to([255, 0, 128], (40, 29, 3)))
    np.testing.assert_array_equal(out[:, 30, :3], np.broadcast_to([133, 60, 179], (40, 3)))


def test_image_background_covers_and_centre_crops() -> None:
    rgba, mask = half_scene()
    bg = np.zeros((30, 90, 3), np.uint8)  # wider aspect: the middle 45 columns survive the crop
    bg[:, :22] = 255
    bg[:, 22:68] = (0, 255, 0)
    bg[:, 68:] = 255
    out = bgcut.postprocess(rgba, mask, bgcut.Options(background=bg, **NO_REFINE))
    np.testing.assert_array_equal(out[:, 32:58, :3], np.broadcast_to([0, 255, 0], (40, 26, 3)))
    crop = cover_crop(bg, (40, 60))
    assert crop.shape[:2] == (30, 45)


def test_blur_background_is_smooth_and_in_range() -> None:
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (50, 70, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    mask = np.zeros((50, 70), np.float32)
    out = bgcut.postprocess(rgba, mask, bgcut.Options(background="blur", **NO_REFINE))
    assert (out[..., 3] == 255).all()
    assert out[..., :3].astype(np.float32).std() < 0.3 * rgba[..., :3].astype(np.float32).std()


def test_input_transparency_multiplies_the_mask() -> None:
    rgba, mask = half_scene()
    rgba[:, :, 3] = 100
    mask[:, :30] = 0.5
    out = bgcut.postprocess(rgba, mask, bgcut.Options(**NO_REFINE))
    assert (out[:, :30, 3] == 50).all() and (out[:, 30:, 3] == 0).all()
    alpha = bgcut.postprocess(rgba, mask, bgcut.Options(output="mask", **NO_REFINE))
    assert alpha.shape == (40, 60) and alpha.dtype == np.uint8
    np.testing.assert_array_equal(alpha, out[..., 3])


def test_rgb_input_is_treated_as_opaque() -> None:
    rgba, mask = half_scene()
    out = bgcut.postprocess(rgba[..., :3].copy(), mask, bgcut.Options(**NO_REFINE))
    assert out.shape == (40, 60, 4)
    assert (out[:, :30, 3] == 255).all()
