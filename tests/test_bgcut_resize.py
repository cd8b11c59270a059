"""bgcut.resize and bgcut.model_input against direct references."""

from __future__ import annotations

import numpy as np
import pytest
from bgcut.resize import resize, taps

import bgcut


def area_reference(x: np.ndarray, n_out: int) -> np.ndarray:
    """Exact area average along axis 0: split every input sample into n_out equal parts."""
    n_in = x.shape[0]
    fine = np.repeat(x.astype(np.float64), n_out, axis=0)
    return fine.reshape(n_out, n_in, *x.shape[1:]).mean(axis=1)


def bilinear_reference(x: np.ndarray, n_out: int) -> np.ndarray:
    n_in = x.shape[0]
    out = np.empty((n_out, *x.shape[1:]))
    for i in range(n_out):
        pos = min(max((i + 0.5) * n_in / n_out - 0.5, 0.0), n_in - 1)
        j = int(np.floor(pos))
        f = pos - j
        out[i] = (1 - f) * x[j] + f * x[min(j + 1, n_in - 1)]
    return out


@pytest.mark.parametrize(("n_in", "n_out"), [(1, 1), (7, 3), (10, 5), (13, 4), (100, 7), (5, 1), (3, 2)])
def test_shrink_is_exact_area_average(n_in: int, n_out: int) -> None:
    rng = np.random.default_rng(n_in * 31 + n_out)
    x = rng.random((n_in, 3)).astype(np.float32)
    got = resize(x[:, None, :], (n_out, 1))[:, 0, :]
    np.testing.assert_allclose(got, area_reference(x, n_out), atol=2e-6)


@pytest.mark.parametrize(("n_in", "n_out"), [(1, 5), (2, 7), (5, 13), (320, 480), (4, 4)])
def test_enlarge_is_half_pixel_bilinear(n_in: int, n_out: int) -> None:
    rng = np.random.default_rng(n_in + 7 * n_out)
    x = rng.random((n_in, 2)).astype(np.float32)
    got = resize(x[:, None, :], (n_out, 1))[:, 0, :]
    np.testing.assert_allclose(got, bilinear_reference(x, n_out), atol=2e-6)


def test_two_axes_match_separable_reference_and_bands() -> None:
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    got = resize(img, (11, 80))
    ref = area_reference(img, 11)
    ref = np.swapaxes(bilinear_reference(np.swapaxes(ref, 0, 1), 80), 0, 1)
    np.testing.assert_allclose(got, ref, atol=1e-3)
    bands = np.concatenate([resize(img, (11, 80), rows=(r, min(11, r + 4))) for r in range(0, 11, 4)])
    np.testing.assert_array_equal(bands, got)


def test_taps_weights_sum_to_one_and_stay_in_range() -> None:
    for n_in, n_out in [(1, 1), (4000, 320), (320, 4000), (997, 13), (13, 997), (6, 4)]:
        index, weight = taps(n_in, n_out)
        assert index.min() >= 0 and index.max() < n_in
        np.testing.assert_allclose(weight.sum(axis=1), 1.0, atol=1e-6)
        assert (weight >= 0).all()


def test_model_input_shape_range_and_values() -> None:
    rgba = np.zeros((64, 96, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, 48:, 1] = 255
    x = bgcut.model_input(rgba, (32, 48))
    assert x.shape == (1, 3, 32, 48) and x.dtype == np.float32 and x.flags.c_contiguous
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_allclose(x[0, 0], 1.0)
    np.testing.assert_allclose(x[0, 1, :, :24], 0.0)
    np.testing.assert_allclose(x[0, 1, :, 24:], 1.0)
    np.testing.assert_allclose(x[0, 2], 0.0)


def test_model_input_rejects_bad_images() -> None:
    with pytest.raises(ValueError, match="uint8"):
        bgcut.model_input(np.zeros((4, 4, 4), np.float32), (8, 8))
    with pytest.raises(ValueError, match=r"\(H, W, 4\)"):
        bgcut.model_input(np.zeros((4, 4), np.uint8), (8, 8))


def test_upsample_mask_keeps_constant_and_range() -> None:
    mask = np.full((1, 1, 5, 7), 0.25, np.float32)
    up = bgcut.upsample_mask(mask, (33, 19))
    assert up.shape == (33, 19)
    np.testing.assert_allclose(up, 0.25, atol=1e-6)
