"""bgcut.trimap_matting: closed-form matting inside the automatic trimap band."""

from __future__ import annotations

import numpy as np
import pytest
from bgcut.postprocessing import postprocess_full
from bgcut.trimap_matting import TrimapMatting, matting_stencil, solve_band, unknown_band

import bgcut


def _ramp_scene(h: int = 40, w: int = 60, start: int = 25, width: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Red foreground over blue background with a linear alpha ramp: the true alpha is the ramp."""
    true_alpha = np.tile(np.clip((np.arange(w) - start) / width, 0, 1), (h, 1)).astype(np.float32)
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., 0] = np.round(255 * true_alpha)
    rgba[..., 2] = np.round(255 * (1 - true_alpha))
    rgba[..., 3] = 255
    return rgba, true_alpha


def test_unknown_band_covers_the_contour_and_fractional_pixels() -> None:
    alpha = np.zeros((20, 20), np.float32)
    alpha[:, 10:] = 1.0
    alpha[2, 2] = 0.3
    band = unknown_band(alpha, 3)
    assert band[:, 7:13].all() and not band[:, :6][3:].any() and not band[:, 14:].any()
    assert band[2, 2]


def test_stencil_rows_sum_to_zero_inside_the_image() -> None:
    # The matting Laplacian annihilates constants: every full row sums to zero.
    rng = np.random.default_rng(0)
    image = rng.random((12, 12, 3))
    unknown = np.zeros((12, 12), bool)
    unknown[4:8, 4:8] = True
    ys, _, stencil = matting_stencil(image, unknown, 1e-5)
    assert ys.size == 16 and stencil.shape == (16, 25)
    assert np.abs(stencil.sum(axis=1)).max() < 1e-9
    assert (stencil[:, 12] > 0).all()


def test_closed_form_recovers_a_soft_edge_from_a_hard_step() -> None:
    rgba, true_alpha = _ramp_scene()
    rough = (true_alpha >= 0.5).astype(np.float32)
    out = TrimapMatting(band=8, prior=1e-4, iterations=500)(rgba, rough)
    assert out.dtype == np.float32 and out.shape == rough.shape
    assert np.abs(rough - true_alpha).max() > 0.4
    assert np.abs(out - true_alpha)[2:-2].max() < 0.05


def test_flat_colours_leave_the_contour_where_it_was() -> None:
    rgba = np.full((30, 30, 4), 128, np.uint8)
    alpha = np.zeros((30, 30), np.float32)
    alpha[:, 15:] = 1.0
    # No colour edge to follow: the Laplacian only smooths, so the step becomes a symmetric ramp
    # across the band whose 0.5 crossing stays put; outside the band nothing changes.
    out = TrimapMatting(band=4, prior=1e-1)(rgba, alpha)
    assert (out[:, :10] == 0).all() and (out[:, 20:] == 1).all()
    assert (out[:, :15] < 0.5).all() and (out[:, 15:] > 0.5).all()
    assert (np.diff(out, axis=1) >= -1e-6).all()


def test_subsampled_solve_changes_only_the_band() -> None:
    rgba, true_alpha = _ramp_scene(80, 120, 50, 20)
    rough = (true_alpha >= 0.5).astype(np.float32)
    refiner = TrimapMatting(band=4, subsample=2, prior=1e-4, iterations=500)
    out = refiner(rgba, rough)
    assert np.abs(out - true_alpha)[4:-4].mean() < np.abs(rough - true_alpha)[4:-4].mean() / 3
    far = np.abs(np.arange(120) - 60) > refiner.margin
    assert np.array_equal(out[:, far], rough[:, far])


def test_no_contour_returns_the_input() -> None:
    rgba = np.zeros((16, 16, 4), np.uint8)
    alpha = np.ones((16, 16), np.float32)
    assert np.array_equal(TrimapMatting()(rgba, alpha), alpha)
    assert np.array_equal(solve_band(rgba[..., :3] / 255.0, alpha, np.zeros((16, 16), bool)), alpha)


@pytest.mark.parametrize("kwargs", [{"band": 0}, {"subsample": 0}, {"eps": 0.0}, {"prior": -1.0},
                                    {"iterations": 0}, {"guide_radius": 0}])
def test_bad_parameters_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="TrimapMatting needs"):
        TrimapMatting(**kwargs)


@pytest.mark.parametrize("width", [120, 1600])
def test_band_tiles_read_the_one_whole_photo_solve(width: int) -> None:
    # refine='matte' on the band path (prepared once, read per tile) against the full-resolution
    # path (one call on the whole photo): the same solve, so the same alpha (1600 px wide: solved
    # at half scale, where the two resample the mask in a different order).
    h = width // 2
    rgba, true_alpha = _ramp_scene(h, width, width // 2 - width // 12, width // 6)
    mask = (true_alpha[::4, ::4] >= 0.5).astype(np.float32)
    opts = bgcut.Options(refine="matte", output="mask")
    band_out = bgcut.postprocess(rgba, mask, opts).astype(int)
    full_out = postprocess_full(rgba, mask, opts).astype(int)
    plain = bgcut.postprocess(rgba, mask, bgcut.Options(output="mask")).astype(int)
    assert np.abs(band_out - full_out).max() <= (0 if width <= 1000 else 2)
    truth = np.rint(true_alpha * 255)
    assert np.abs(band_out - truth).mean() < np.abs(plain - truth).mean()
