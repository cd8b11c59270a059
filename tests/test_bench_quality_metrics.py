"""The quality metrics on tiny synthetic masks whose values are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from bench.quality_metrics import (
    band_width,
    boundary_iou,
    boundary_region,
    iou,
    mae,
    matting_gradient,
    matting_mse,
    matting_sad,
    matting_score,
    sad,
    soft_band,
    soft_band_bias,
    soft_band_mae,
)


def _square(n: int, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    m = np.zeros((n, n), bool)
    m[y0:y1, x0:x1] = True
    return m


def test_iou_of_overlapping_squares() -> None:
    gt = _square(10, 0, 4, 0, 4)  # 16 px
    pred = _square(10, 2, 6, 2, 6).astype(np.float32)  # 16 px, overlap 2x2 = 4
    assert iou(pred, gt) == pytest.approx(4 / 28)


def test_iou_cuts_the_soft_alpha_at_one_half() -> None:
    gt = _square(4, 0, 4, 0, 2)
    alpha = np.zeros((4, 4), np.float32)
    alpha[:, 0] = 0.5  # counts (>= 0.5)
    alpha[:, 1] = 0.49  # does not
    assert iou(alpha, gt * np.uint8(255)) == pytest.approx(4 / 8)


def test_iou_of_two_empty_masks_is_one() -> None:
    assert iou(np.zeros((3, 3), np.float32), np.zeros((3, 3), bool)) == 1.0


def test_band_width_is_two_percent_of_the_diagonal() -> None:
    assert band_width(480, 854) == 20  # diagonal 979.7
    assert band_width(30, 40) == 1  # diagonal 50 -> exactly 1
    assert band_width(3, 4) == 1  # never zero


def test_boundary_region_of_a_square_is_its_inner_ring() -> None:
    m = _square(9, 1, 8, 1, 8)  # 7x7 square
    ring1 = boundary_region(m, 1)
    assert ring1.sum() == 49 - 25  # the 5x5 core survives one erosion
    assert not ring1[4, 4] and ring1[1, 1] and ring1[4, 1]
    assert boundary_region(m, 2).sum() == 49 - 9
    assert boundary_region(m, 3).sum() == 48  # only the centre is 4 steps from the background
    assert boundary_region(m, 4).sum() == 49


def test_image_border_counts_as_contour() -> None:
    full = np.ones((5, 5), bool)
    assert boundary_region(full, 1).sum() == 25 - 9


def test_boundary_iou_with_a_known_band() -> None:
    gt = _square(12, 2, 10, 2, 10)  # 8x8; band d=1 is the 28-pixel outer ring of it
    pred = _square(12, 2, 10, 2, 11).astype(np.float32)  # 8x9, one column wider
    # Pred's d=1 band: 72 - 6*7 = 30 pixels. Shared: GT ring minus its right column except corners'
    # rows (x=9, y=3..8: 6 px not in pred's band) = 22; union = 28 + 30 - 22 = 36.
    assert boundary_iou(pred, gt, d=1) == pytest.approx(22 / 36)
    assert boundary_iou(gt.astype(np.float32), gt, d=1) == 1.0


def test_boundary_iou_ignores_interior_differences() -> None:
    gt = _square(20, 0, 20, 0, 20)
    pred = gt.astype(np.float32)
    pred[8:12, 8:12] = 0  # a hole deep inside: creates a new contour of its own
    hole_ring = boundary_region(pred >= 0.5, 1) & ~boundary_region(gt, 1)
    assert hole_ring.sum() == 36 - 16  # the 6x6 square around the 4x4 hole, minus the hole
    # GT band: 20*20 - 18*18 = 76; pred band = 76 + 20 (ring around the hole); all of GT's is shared.
    assert boundary_iou(pred, gt, d=1) == pytest.approx(76 / 96)


def test_mae_and_sad_of_a_soft_alpha() -> None:
    gt = np.array([[255, 255], [0, 0]], np.uint8)
    alpha = np.array([[1.0, 0.5], [0.25, 0.0]], np.float32)
    assert mae(alpha, gt) == pytest.approx(0.75 / 4)
    assert sad(alpha, gt) == pytest.approx(0.75 / 1000)


def test_shape_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="same"):
        iou(np.zeros((2, 3), np.float32), np.zeros((3, 2), bool))


def test_soft_band_is_the_fractional_pixels_grown_by_a_disc() -> None:
    gt = np.zeros((15, 15), np.uint8)
    gt[:, 8:] = 255
    gt[7, 7] = 128  # the only fractional pixel
    band = soft_band(gt, 3)
    assert band[7, 7] and band[7, 4] and band[4, 7] and band[7, 10]
    assert not band[7, 3] and not band[3, 7]  # 4 px away
    assert band[9, 9] and not band[10, 10]  # diagonal: sqrt(8) <= 3 < sqrt(18)
    assert band.sum() == 29  # lattice points of a disc of radius 3
    assert not soft_band(gt * 0 + 255, 3).any()


def test_matting_metrics_against_a_soft_ground_truth() -> None:
    gt = np.array([[0, 0, 0, 0], [0, 51, 204, 255], [0, 255, 255, 255], [0, 0, 0, 0]], np.uint8)
    alpha = gt.astype(np.float32) / 255
    alpha[1, 1] = 0.0  # off by 0.2
    alpha[1, 2] = 1.0  # off by 0.2
    assert matting_sad(alpha, gt) == pytest.approx(0.4 / 1000)
    assert matting_mse(alpha, gt) == pytest.approx(2 * 0.04 / 16)
    # Every pixel lies within 3 px of a fractional one, so the band is the whole image.
    assert soft_band_mae(alpha, gt) == pytest.approx(0.4 / 16)
    assert matting_gradient(gt.astype(np.float32) / 255, gt) == pytest.approx(0.0, abs=1e-12)  # float32 input
    assert matting_gradient(alpha, gt) > 0.0
    s = matting_score(alpha, gt)
    assert set(s) == {"sad", "mse", "grad", "band_mae", "iou"}
    # IoU cuts both at 0.5: gt has 5 pixels >= 0.5 ([1,2],[1,3],[2,1..3]); alpha the same 5.
    assert s["iou"] == 1.0


def test_soft_band_mae_is_nan_without_soft_pixels() -> None:
    gt = np.zeros((4, 4), np.uint8)
    assert np.isnan(soft_band_mae(np.zeros((4, 4), np.float32), gt))


def test_reference_colours_recover_a_known_foreground() -> None:
    from bench.quality_matting import reference_colours

    h, w = 12, 40
    alpha = np.tile(np.clip((np.arange(w) - 12) / 16, 0, 1), (h, 1))  # 0 .. 1 over 16 columns
    fg = np.array([0.9, 0.2, 0.1])
    bg = np.array([0.1, 0.3, 0.8])
    image = alpha[..., None] * fg + (1 - alpha[..., None]) * bg
    got = reference_colours(image, alpha)
    soft = (alpha > 0.1) & (alpha < 1)
    # Smooth F and B with the compositing equation: constant colours are found again.
    np.testing.assert_allclose(got[soft], np.broadcast_to(fg, got[soft].shape), atol=0.02)
    np.testing.assert_allclose(got[alpha == 1], image[alpha == 1], atol=1e-6)  # pinned where a = 1


def test_hair_bounds_pastes_the_truth_only_near_the_outline() -> None:
    # bench/hair_bounds.py's "perfect band-limited matting" bound: our alpha, with the ground truth
    # in the pixels within k px of our 0.5 contour and nowhere else.
    from bench.hair_bounds import paste_truth

    ours = _square(40, 10, 30, 10, 30).astype(np.float32)
    truth = np.full((40, 40), 0.5, np.float32)
    pasted = paste_truth(ours, truth, 2)
    changed = pasted != ours
    # The contour is the pixel pairs across the square's edge: rows 9/10 and 29/30, columns alike.
    assert changed[9, 20] and changed[10, 20] and changed[7, 20] and changed[12, 20]
    assert not changed[6, 20] and not changed[13, 20] and not changed[20, 20] and not changed[0, 0]
    assert np.all(pasted[changed] == 0.5)
    # Nothing to paste into when there is no outline.
    empty = np.zeros((8, 8), np.float32)
    assert np.array_equal(paste_truth(empty, truth[:8, :8], 4), empty)


def test_soft_band_bias_has_the_sign_of_the_error() -> None:
    gt = np.zeros((20, 20), np.float32)
    gt[5:15, 5:15] = 1.0
    gt[5:15, 15] = 0.5  # one soft column
    band = soft_band(gt)
    assert soft_band_bias(gt, gt) == 0.0
    assert soft_band_bias(np.minimum(gt + 0.2, 1.0), gt) > 0
    assert soft_band_bias(gt * 0.5, gt) < 0
    assert soft_band_bias(np.ones_like(gt), gt) == pytest.approx(float(np.mean(1.0 - gt[band])))
    assert np.isnan(soft_band_bias(gt, (gt >= 0.5).astype(np.float32)))
