"""Threshold, edge shift and feather."""

from __future__ import annotations

import numpy as np
from bgcut.edges import apply_threshold, feather, shift_edge

import bgcut


def test_hard_threshold_is_binary() -> None:
    a = np.linspace(0, 1, 11, dtype=np.float32)
    out = apply_threshold(a, 0.5)
    np.testing.assert_array_equal(out, (a >= 0.5).astype(np.float32))


def test_soft_threshold_is_monotone_ramp() -> None:
    a = np.linspace(0, 1, 101, dtype=np.float32)
    out = apply_threshold(a, 0.5, 0.2)
    assert (np.diff(out) >= 0).all()
    assert out[a <= 0.4].max() == 0 and out[a >= 0.6].min() == 1
    assert 0 < out[50] < 1


def disc(h: int = 64, w: int = 64, radius: float = 16) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return ((yy - h / 2) ** 2 + (xx - w / 2) ** 2 <= radius**2).astype(np.float32)


def test_edge_shift_grows_and_shrinks_by_the_requested_pixels() -> None:
    a = np.zeros((40, 40), np.float32)
    a[10:30, 10:30] = 1
    grown = shift_edge(a, 3)
    shrunk = shift_edge(a, -3)
    assert grown.sum() == 26 * 26 and grown[7:33, 7:33].min() == 1
    assert shrunk.sum() == 14 * 14 and shrunk[13:27, 13:27].min() == 1


def test_feather_softens_the_edge_but_keeps_the_core() -> None:
    a = disc()
    f = feather(a, 3)
    assert f.min() >= 0 and f.max() <= 1
    partial = ((f > 0.01) & (f < 0.99)).sum()
    assert partial > 4 * ((a > 0) & (a < 1)).sum() + 100
    assert f[32, 32] == 1 and f[0, 0] == 0


def test_options_apply_in_postprocess() -> None:
    rgba = np.full((64, 64, 4), 128, np.uint8)
    rgba[..., 3] = 255
    mask = disc() * 0.8
    base = bgcut.Options(refine="none", threshold=None, output="mask")
    soft = bgcut.postprocess(rgba, mask, base)
    hard = bgcut.postprocess(rgba, mask, bgcut.Options(refine="none", output="mask", threshold=0.5))
    assert soft.max() == round(0.8 * 255)
    assert set(np.unique(hard)) <= {0, 255}
    grow = bgcut.Options(refine="none", output="mask", threshold=0.5, edge_shift=4)
    grown = bgcut.postprocess(rgba, mask, grow)
    assert (grown > 0).sum() > (hard > 0).sum()
