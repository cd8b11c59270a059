"""Box mean and running min/max against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from bgcut.boxfilter import box_mean, max_filter, min_filter


def brute(x: np.ndarray, r: int, reduce) -> np.ndarray:
    h, w = x.shape[:2]
    out = np.empty(x.shape, np.float64)
    for i in range(h):
        for j in range(w):
            out[i, j] = reduce(x[max(0, i - r) : i + r + 1, max(0, j - r) : j + r + 1], axis=(0, 1))
    return out


SHAPES = [(1, 1), (1, 9), (9, 1), (5, 7), (13, 11, 3), (23, 17)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("r", [1, 2, 5, 30])
def test_box_mean_matches_brute_force(shape: tuple[int, ...], r: int) -> None:
    x = np.random.default_rng(len(shape) * 100 + r).random(shape).astype(np.float32)
    np.testing.assert_allclose(box_mean(x, r), brute(x, r, np.mean), atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (5, 7), (23, 17)])
@pytest.mark.parametrize("r", [1, 3, 12])
def test_min_max_filters_match_brute_force(shape: tuple[int, int], r: int) -> None:
    x = np.random.default_rng(r).random(shape).astype(np.float32)
    np.testing.assert_array_equal(max_filter(x, r), brute(x, r, np.max).astype(np.float32))
    np.testing.assert_array_equal(min_filter(x, r), brute(x, r, np.min).astype(np.float32))


def test_radius_zero_is_identity() -> None:
    x = np.random.default_rng(0).random((4, 5)).astype(np.float32)
    np.testing.assert_array_equal(box_mean(x, 0), x)
    np.testing.assert_array_equal(max_filter(x, 0), x)
