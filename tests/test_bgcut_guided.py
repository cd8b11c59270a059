"""Guided filter against a naive per-window implementation, and its edge-following behaviour."""

from __future__ import annotations

import numpy as np
from bgcut.guided import fast_guided_filter, guided_filter

import bgcut


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
