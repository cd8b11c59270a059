"""Blur-fusion decontamination removes the background colour from the edge band."""

from __future__ import annotations

import numpy as np

import bgcut

RED = np.array([220, 20, 30], np.float32)
GREEN = np.array([20, 200, 40], np.float32)


def fringe_scene(h: int = 120, w: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Red disc over green with a 10 px soft edge whose pixels mix the two colours by alpha."""
    yy, xx = np.mgrid[:h, :w]
    dist = np.sqrt((yy - h / 2) ** 2 + (xx - w / 2) ** 2)
    alpha = np.clip((40 - dist) / 10, 0, 1).astype(np.float32)
    rgb = alpha[..., None] * RED + (1 - alpha[..., None]) * GREEN
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = np.rint(rgb).astype(np.uint8)
    rgba[..., 3] = 255
    return rgba, alpha


def test_decontamination_restores_foreground_colour_in_the_band() -> None:
    rgba, alpha = fringe_scene()
    on = bgcut.postprocess(rgba, alpha, bgcut.Options(refine="none", threshold=None))
    off = bgcut.postprocess(rgba, alpha, bgcut.Options(refine="none", threshold=None, decontaminate=False))
    band = (on[..., 3] > 12) & (on[..., 3] < 243)
    assert band.sum() > 500
    err_on = np.abs(on[band][:, :3].astype(np.float32) - RED).mean()
    err_off = np.abs(off[band][:, :3].astype(np.float32) - RED).mean()
    assert err_off > 60
    assert err_on < 20, err_on
    # Interior and exterior pixels keep their original colours.
    solid = (on[..., 3] == 255) | (on[..., 3] == 0)
    np.testing.assert_array_equal(on[solid][:, :3], rgba[solid][:, :3])


def test_decontaminated_composite_has_no_green_halo_on_white() -> None:
    rgba, alpha = fringe_scene()
    opts = {"refine": "none", "background": "#ffffff"}
    on = bgcut.postprocess(rgba, alpha, bgcut.Options.from_dict(opts))
    off = bgcut.postprocess(rgba, alpha, bgcut.Options.from_dict({**opts, "decontaminate": False}))
    band = (alpha > 0.05) & (alpha < 0.95)

    def greenness(img: np.ndarray) -> float:
        px = img[band].astype(np.float32)
        return float((px[:, 1] - np.maximum(px[:, 0], px[:, 2])).clip(0).mean())

    assert greenness(on) < 0.25 * greenness(off) + 1
