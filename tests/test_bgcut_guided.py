"""Guided filter against a naive per-window implementation, and its edge-following behaviour."""

from __future__ import annotations

import numpy as np
import pytest
from bgcut.guided import EdgeRefiner, edge_refiner, fast_guided_filter, guided_filter

import bgcut
from bgcut import band


def naive_guided(guide: np.ndarray, p: np.ndarray, r: int, eps: float) -> np.ndarray:
    """He et al. Algorithm 1 with a colour guide, one window at a time, in float64."""
    h, w = p.shape
    g = guide.astype(np.float64)
    a = np.zeros((h, w, 3))
    b = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            win = (slice(max(0, y - r), y + r + 1), slice(max(0, x - r), x + r + 1))
            gi = g[win].reshape(-1, 3)
            pi = p[win].reshape(-1).astype(np.float64)
            mu = gi.mean(axis=0)
            sigma = (gi - mu).T @ (gi - mu) / len(gi)
            cov = (gi * pi[:, None]).mean(axis=0) - mu * pi.mean()
            a[y, x] = np.linalg.solve(sigma + eps * np.eye(3), cov)
            b[y, x] = pi.mean() - a[y, x] @ mu
    q = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            win = (slice(max(0, y - r), y + r + 1), slice(max(0, x - r), x + r + 1))
            q[y, x] = a[win].reshape(-1, 3).mean(axis=0) @ g[y, x] + b[win].mean()
    return q


def test_guided_filter_matches_naive() -> None:
    rng = np.random.default_rng(0)
    guide = rng.random((14, 11, 3)).astype(np.float32)
    p = rng.random((14, 11)).astype(np.float32)
    for r, eps in [(1, 1e-2), (2, 1e-3), (4, 1e-1)]:
        np.testing.assert_allclose(guided_filter(guide, p, r, eps), naive_guided(guide, p, r, eps), atol=2e-4)


def test_fast_guided_with_subsample_one_equals_guided() -> None:
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, (20, 23, 4), dtype=np.uint8)
    p = rng.random((20, 23)).astype(np.float32)
    full = np.clip(guided_filter(rgba[..., :3].astype(np.float32) / 255, p, 3, 1e-3), 0, 1)
    np.testing.assert_allclose(fast_guided_filter(rgba, p, 3, 1e-3, 1), full, atol=1e-4)


def step_scene(h: int = 120, w: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """A vertical colour edge at x = 70 and a soft, slightly misplaced low-res mask of it."""
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[:, :70] = (200, 40, 40, 255)
    rgba[:, 70:] = (30, 160, 60, 255)
    x = (np.arange(32) + 0.5) * w / 32
    mask = np.clip((73 - x) / 10 + 0.5, 0, 1).astype(np.float32)
    return rgba, np.tile(mask, (24, 1))


def test_guided_refinement_snaps_to_the_image_edge() -> None:
    rgba, mask = step_scene()
    plain = bgcut.refine_alpha(rgba, mask, bgcut.Options(refine="none"))
    assert -np.diff(plain[60]).max() < 0.15  # the upsampled mask is a gentle ramp
    for refine in ("guided", "fast_guided"):
        refined = bgcut.refine_alpha(rgba, mask, bgcut.Options(refine=refine, radius=8, eps=1e-4))
        drops = -np.diff(refined, axis=1)
        # Every row now has its steepest drop exactly at the colour edge, and it is a real step.
        assert (drops.argmax(axis=1) == 69).all(), refine
        assert drops[:, 69].min() > 0.4, refine


def hair_scene(h: int = 96, w: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """A dark subject on the left with loose dark strands beside it on a light background, and a
    model-like mask that only knows a blurry subject edge."""
    rng = np.random.default_rng(3)
    rgba = np.full((h, w, 4), 255, np.uint8)
    rgba[..., :3] = (225, 215, 200)
    rgba[:, :60, :3] = (60, 40, 30)
    for x in rng.choice(np.arange(62, 110), 9, replace=False):
        rgba[:, x, :3] = (60, 40, 30)
    x = (np.arange(w // 4) + 0.5) * 4
    mask = np.clip((84 - x) / 48 + 0.5, 0, 1).astype(np.float32)
    return rgba, np.tile(mask, (h // 4, 1))


def test_edge_refiner_follows_colour_edges() -> None:
    rgba, mask = step_scene()
    alpha = bgcut.refine_alpha(rgba, mask, bgcut.Options(refine="none", threshold=None))
    out = EdgeRefiner(6, 1e-3, 1, 0.45, 0.6)(rgba, alpha)
    assert out.dtype == np.float32 and out.shape == alpha.shape
    assert out.min() >= 0.0 and out.max() <= 1.0
    drops = -np.diff(out, axis=1)
    assert (drops.argmax(axis=1) == 69).all()  # the steepest drop sits on the colour edge
    truth = (np.arange(160) < 70).astype(np.float32)
    assert np.abs(out - truth).mean() < 0.6 * np.abs(alpha - truth).mean()


def test_edge_refiner_on_a_widened_tile_equals_the_whole_image_inside() -> None:
    rgba, mask = hair_scene()
    alpha = bgcut.refine_alpha(rgba, mask, bgcut.Options(refine="none"))
    for subsample, tol in ((1, 1e-5), (2, 0.03)):
        ref = EdgeRefiner(4, 1e-3, subsample, 0.45, 0.6)
        whole = ref(rgba, alpha)
        y0, y1, x0, x1 = 40, 56, 50, 90
        m = ref.margin
        tile = ref(rgba[y0 - m:y1 + m, x0 - m:x1 + m], alpha[y0 - m:y1 + m, x0 - m:x1 + m])
        inner = tile[m:m + y1 - y0, m:m + x1 - x0]
        # Exact up to float rounding at full resolution; with subsampling the tile's low-resolution
        # grid starts elsewhere, so only close.
        np.testing.assert_allclose(inner, whole[y0:y1, x0:x1], atol=tol)


def test_edge_refiner_radius_scales_with_the_photo() -> None:
    small = edge_refiner(300, 400)
    mid = edge_refiner(900, 1200)
    large = edge_refiner(3000, 4000)
    assert small.radius == max(2, round(400 / 120)) and mid.radius == 10
    assert large.radius == 16  # capped: tiles widen by about 2r, so large photos would pay r squared
    assert large.subsample == large.radius // 3 and small.subsample == 1
    assert edge_refiner(300, 400, radius=9).radius == 9
    assert large.margin >= 2 * large.radius
    with pytest.raises(ValueError, match="radius"):
        EdgeRefiner(0, 1e-3)


def test_refine_edge_runs_on_the_band_and_agrees_with_the_whole_photo() -> None:
    rgba, mask = hair_scene(192, 256)
    opts = bgcut.Options(refine="edge", output="mask", radius=4)
    assert band.supports(rgba, opts)
    timings: dict[str, float] = {}
    tiles = bgcut.postprocess(rgba, mask, opts, timings=timings).astype(np.float64)
    assert 0 < timings["band_fraction"] < 1
    whole = 255 * bgcut.refine_alpha(rgba, mask, opts).astype(np.float64)
    assert np.abs(tiles - whole).mean() < 1.0  # levels of 255: each tile fits on its own grid
    plain = bgcut.postprocess(rgba, mask, bgcut.Options(output="mask")).astype(np.float64)
    assert np.abs(tiles - plain).mean() > 1.0  # it did refine
    # Only pixels near the unsure outline may change: far inside and far outside stay 255 and 0.
    assert (tiles[:, :40] == 255).all() and (tiles[:, 130:] == 0).all()
