"""Touch-up brush strokes (bgcut.edits): where they paint, edge snapping, and hostile edits files.

Real dev photos and the real model give the alpha the strokes paint on; footprints are checked
against a brute-force distance computed here, independently of bgcut.footprint.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from bgcut.edits import MAX_POINTS, RADIUS_MAX, EditsError, apply_edits, finish, parse_edits, pre_edit_alpha
from bgcut.snap import SNAP_CORE

import bgcut
from bgremove.decode import decode
from bgremove.models import load_model
from bgremove.pipeline import predict_mask

from .conftest import MODELS_DIR, DevSample


def edits_doc(w: int, h: int, *strokes: dict) -> dict:
    return {"version": 1, "photo": {"width": w, "height": h}, "strokes": list(strokes)}


def polyline_distance(points: list[list[float]], h: int, w: int) -> np.ndarray:
    """Distance from every pixel centre to the polyline, by brute force over all segments."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    best = np.full((h, w), np.inf)
    pts = np.asarray(points, np.float64)
    segs = list(itertools.pairwise(pts)) or [(pts[0], pts[0])]
    for a, b in segs:
        e = b - a
        ll = float(e @ e)
        t = np.zeros_like(xs) if ll == 0 else np.clip(((xs - a[0]) * e[0] + (ys - a[1]) * e[1]) / ll, 0, 1)
        best = np.minimum(best, np.hypot(xs - a[0] - t * e[0], ys - a[1] - t * e[1]))
    return best


@pytest.fixture(scope="module")
def photo(dev_ten: list[DevSample]) -> tuple[np.ndarray, np.ndarray, object]:
    """A real dev photo, its pre-edit alpha from the real model, and the plan."""
    rgba = decode(dev_ten[3].image)
    model = load_model("u2netp-fp32", MODELS_DIR)
    options = bgcut.Options()
    planned = predict_mask(rgba, model, None, options)
    alpha0 = pre_edit_alpha(rgba, planned, options)
    assert (alpha0 == 0).mean() > 0.2 and (alpha0 == 1).mean() > 0.05, "photo needs subject and background"
    return rgba, alpha0, planned


def _stroke_over(alpha0: np.ndarray, value: float, r: float) -> list[list[float]]:
    """A short horizontal stroke whose footprint lies where alpha0 == value (found by erosion)."""
    h, w = alpha0.shape
    ok = alpha0 == value
    k = int(np.ceil(r)) + 3
    # A pixel is a good centre when a (2k+1) x 5k box around it is all `value`.
    ii = np.cumsum(np.cumsum(np.pad(ok, ((1, 0), (1, 0))).astype(np.int64), 0), 1)
    y, x = np.mgrid[k:h - k, k + 2 * k:w - k - 2 * k]
    total = (ii[y + k + 1, x + 3 * k + 1] - ii[y - k, x + 3 * k + 1] - ii[y + k + 1, x - 3 * k]
             + ii[y - k, x - 3 * k])
    full = total == (2 * k + 1) * (6 * k + 1)
    assert full.any(), f"no room for a stroke of radius {r} over alpha == {value}"
    cy, cx = int(y[full][full.sum() // 2]), int(x[full][full.sum() // 2])
    return [[cx - 2 * k + 0.3, cy + 0.6], [cx, cy - 0.4], [cx + 2 * k - 0.2, cy + 0.1]]


@pytest.mark.parametrize("snap", [False, True])
def test_keep_and_erase_change_alpha_inside_the_footprint_only(photo, snap: bool) -> None:
    rgba, alpha0, _ = photo
    h, w = alpha0.shape
    r = 9.5
    keep_pts = _stroke_over(alpha0, 0.0, r)  # background the model erased
    erase_pts = _stroke_over(alpha0, 1.0, r)  # subject the model kept
    doc = edits_doc(w, h, {"mode": "keep", "radius": r, "snap": snap, "points": keep_pts},
                    {"mode": "erase", "radius": r, "snap": snap, "points": erase_pts})
    before = alpha0.copy()
    out = apply_edits(alpha0, rgba, parse_edits(json.dumps(doc), w, h))
    np.testing.assert_array_equal(alpha0, before)  # the input is left alone
    assert out.dtype == np.float32 and out.shape == (h, w)
    d_keep, d_erase = polyline_distance(keep_pts, h, w), polyline_distance(erase_pts, h, w)
    outside = (d_keep >= r + 0.5) & (d_erase >= r + 0.5)
    np.testing.assert_array_equal(out[outside], alpha0[outside])
    # Deep inside: painted outright (snapping leaves the core, SNAP_CORE of the radius, to the brush;
    # here the whole footprint lies over one kind of alpha, so the snap keeps painting it all).
    inner = r - 0.5 if not snap else r * SNAP_CORE
    assert (out[d_keep <= inner] == 1.0).all()
    assert (out[d_erase <= inner] == 0.0).all()
    if not snap:
        assert (out[d_keep < r - 0.5] == 1).all() and (out[d_erase < r - 0.5] == 0).all()
    else:
        # Snapping holds paint back only where the colour says "the other side"; over one kind of
        # alpha that is a minority of the rim (textures and shading of the real photo).
        assert out[d_keep < r - 0.5].mean() > 0.7 and out[d_erase < r - 0.5].mean() < 0.3
    # The rim is antialiased: partial values only within a pixel of the edge.
    if not snap:
        rim = (d_keep > r - 0.5) & (d_keep < r + 0.5)
        assert ((out[rim] > 0) & (out[rim] < 1)).any()


def test_strokes_replay_incrementally_and_through_postprocess(photo) -> None:
    rgba, alpha0, planned = photo
    h, w = alpha0.shape
    keep_pts = _stroke_over(alpha0, 0.0, 6)
    erase_pts = _stroke_over(alpha0, 1.0, 6)
    edits = parse_edits(edits_doc(w, h, {"mode": "keep", "radius": 6, "points": keep_pts},
                                  {"mode": "erase", "radius": 6, "snap": False, "points": erase_pts},
                                  {"mode": "keep", "radius": 3, "points": [erase_pts[1]]}), w, h)
    whole = apply_edits(alpha0, rgba, edits)
    step = apply_edits(apply_edits(alpha0, rgba, edits.prefix(1)), rgba, edits.suffix(1))
    np.testing.assert_array_equal(whole, step)
    again = alpha0.copy()
    assert apply_edits(again, rgba, edits, inplace=True) is again
    np.testing.assert_array_equal(again, whole)
    assert apply_edits(alpha0, rgba, edits.prefix(0)).tobytes() == alpha0.tobytes()
    # The hosts' route (cached alpha, then finish) and postprocess(edits=) give the same result.
    options = bgcut.Options()
    via_cache = finish(rgba, whole, options)
    direct = bgcut.postprocess(rgba, planned, options, edits=edits.to_dict())
    np.testing.assert_array_equal(via_cache, direct)
    assert (direct[..., 3] == np.round(whole * 255)).all()
    # No strokes: postprocess is exactly what it was.
    np.testing.assert_array_equal(bgcut.postprocess(rgba, planned, options, edits=edits_doc(w, h)),
                                  bgcut.postprocess(rgba, planned, options))


def two_tone(h: int = 160, w: int = 200, edge: int = 100, seed: int = 0) -> np.ndarray:
    """A dark 'subject' left of column ``edge``, a light background right of it, with sensor-like noise."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3), np.float32)
    img[:, :edge] = (52, 70, 61)
    img[:, edge:] = (214, 201, 182)
    img += rng.normal(0, 4, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def _boundary(row: np.ndarray) -> int:
    """First column, from the left, where alpha drops below one half."""
    return int(np.argmax(row < 0.5))


@pytest.mark.parametrize("mode", ["keep", "erase"])
def test_snapping_moves_the_boundary_to_the_photo_edge(mode: str) -> None:
    h, w, edge, r = 160, 200, 100, 36.0
    rgb = two_tone(h, w, edge)
    alpha0 = np.zeros((h, w), np.float32)
    # Keep: the model stopped 22 px short of the subject's edge, and the stroke runs inside the
    # subject with its rim spilling over the edge. Erase: the model spilled 22 px into the
    # background, and the stroke runs in the background with its rim reaching into the subject.
    wrong = edge - 22 if mode == "keep" else edge + 22
    alpha0[:, :wrong] = 1.0
    x = edge - 28 if mode == "keep" else edge + 28
    pts = [[x, 10.0], [x + 0.5, 80.0], [x, 150.0]]
    results = {}
    for snap in (False, True):
        doc = edits_doc(w, h, {"mode": mode, "radius": r, "snap": snap, "points": pts})
        results[snap] = apply_edits(alpha0, rgb, parse_edits(doc, w, h))
    rows = slice(40, 120)
    hard = [_boundary(row) for row in results[False][rows]]
    snapped = [_boundary(row) for row in results[True][rows]]
    # Without snapping the brush's own outline is the boundary (x +- r); with it, the photo's edge.
    expect_hard = round(x + r) if mode == "keep" else round(x - r)
    assert all(abs(b - expect_hard) <= 1 for b in hard), hard
    assert all(abs(b - edge) <= 2 for b in snapped), snapped
    # ... and crisply: within 3 px of the edge the snapped alpha is decided.
    sn = results[True][rows]
    assert (sn[:, edge - 30:edge - 3] > 0.9).all() and (sn[:, edge + 3:edge + 30] < 0.1).all()


def test_snapping_follows_a_real_edge_in_a_dev_photo(photo) -> None:
    """On the real photo: an Erase stroke centred on the model's own outline with snapping leaves the
    outline where the photo's edge is, so it changes far less than the same stroke without snapping."""
    rgba, alpha0, _ = photo
    h, w = alpha0.shape
    ys, xs = np.nonzero((alpha0 > 0.3) & (alpha0 < 0.7))
    assert ys.size > 50
    i = ys.size // 2
    pts = [[float(xs[i]) + 0.5, float(ys[i]) + 0.5]]
    changed = {}
    for snap in (False, True):
        out = apply_edits(alpha0, rgba, parse_edits(edits_doc(w, h, {"mode": "erase", "radius": 12,
                                                                     "snap": snap, "points": pts}), w, h))
        changed[snap] = float(np.abs(out - alpha0).sum())
    assert changed[True] < 0.6 * changed[False], changed


@pytest.mark.parametrize(("doc", "message"), [
    (edits_doc(640, 480), "for a 640 x 480 photo, but this photo is 480 x 640"),
    ({"version": 2, "photo": {"width": 480, "height": 640}, "strokes": []}, "version 2"),
    ({"photo": {"width": 480, "height": 640}, "strokes": []}, "version None"),
    ({"version": 1, "strokes": []}, "which photo size"),
    ({"version": 1, "photo": {"width": 480, "height": 640}}, '"strokes" list'),
    (edits_doc(480, 640, {"mode": "paint", "radius": 3, "points": [[1, 1]]}), "mode 'paint'"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": []}), "has no points"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": [["1", 2]]}), "not an [x, y] pair"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": [[True, 2]]}), "not an [x, y] pair"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": [[1, 2, 3]]}), "not an [x, y] pair"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": [[float("nan"), 2]]}), "not a finite"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": [[1e300, 2]]}), "beyond"),
    (edits_doc(480, 640, {"mode": "keep", "radius": float("nan"), "points": [[1, 2]]}), "radius nan"),
    (edits_doc(480, 640, {"mode": "keep", "radius": -4, "points": [[1, 2]]}), "radius -4"),
    (edits_doc(480, 640, {"mode": "keep", "radius": "9", "points": [[1, 2]]}), "radius '9'"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "snap": "yes", "points": [[1, 2]]}), "snap 'yes'"),
    (edits_doc(480, 640, {"mode": "keep", "radius": 3, "points": [[1, 2]], "size": 4}), "unknown key"),
    ({**edits_doc(480, 640), "extra": 1}, "unknown key"),
    ([1, 2, 3], "JSON object"),
    ("{not json", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    ('{"version": 1, "photo": {"width": 480, "height": 640}, "strokes": [{"mode": "keep", "radius": NaN, '
     '"points": [[1, 2]]}]}', "NaN"),
    ('{"version": 1, "photo": {"width": 480, "height": 640}, "strokes": [{"mode": "keep", "radius": 3, '
     '"points": [[Infinity, 2]]}]}', "Infinity"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    (edits_doc(480, 640, *[{"mode": "keep", "radius": 3, "points": [[1, 2]]}] * 10_001), "10001 strokes"),
])
def test_bad_edits_are_refused_with_a_message(doc: object, message: str) -> None:
    data = doc if isinstance(doc, str | bytes) else json.dumps(doc) if not _has_nan(doc) else doc
    with pytest.raises(EditsError) as err:
        parse_edits(data, 480, 640)
    assert message in str(err.value), str(err.value)
    assert isinstance(err.value, ValueError)


def _has_nan(doc: object) -> bool:
    return "nan" in repr(doc)


def test_a_million_points_are_refused_before_any_work() -> None:
    pts = [[float(i % 480), float(i % 640)] for i in range(1_000_000)]
    text = json.dumps(edits_doc(480, 640, {"mode": "erase", "radius": 5, "points": pts}))
    with pytest.raises(EditsError, match=f"1000000 points; the limit is {MAX_POINTS}"):
        parse_edits(text, 480, 640)


def test_huge_radii_are_clipped_and_huge_work_refused() -> None:
    edits = parse_edits(edits_doc(480, 640, {"mode": "erase", "radius": 1e9, "points": [[10, 10]]},
                                  {"mode": "keep", "radius": 0.01, "points": [[10, 10]]}), 480, 640)
    assert edits.strokes[0].radius == RADIUS_MAX and edits.strokes[1].radius == 0.5
    assert "radius 1e+09 px clipped to 2048 px" in edits.warnings[0]
    # Clipped to the maximum, the stroke still works: it erases the whole small photo.
    rgb = two_tone(640, 480, 200)
    out = apply_edits(np.ones((640, 480), np.float32), rgb, edits.prefix(1))
    assert (out == 0).all()
    # Thousands of photo-wide zig-zags at the largest radius: refused, not run for hours.
    zig = [[0.0, 0.0] if i % 2 else [8000.0, 8000.0] for i in range(5000)]
    with pytest.raises(EditsError, match="too large to draw"):
        parse_edits(edits_doc(8000, 8000, {"mode": "keep", "radius": 2048, "points": zig}), 8000, 8000)
    # ... but a big brush held still for the most points a file may have is one dab, and accepted.
    still = [[4000.0, 4000.0]] * MAX_POINTS
    assert len(parse_edits(edits_doc(8000, 8000, {"mode": "keep", "radius": 2048, "points": still}),
                           8000, 8000)) == 1


def test_points_outside_the_photo_and_single_dabs() -> None:
    rgb = two_tone(50, 60, 30)
    alpha0 = np.zeros((50, 60), np.float32)
    doc = edits_doc(60, 50, {"mode": "keep", "radius": 5, "snap": False,
                             "points": [[-100, -100], [-90, -100]]},
                    {"mode": "keep", "radius": 4, "snap": False, "points": [[30, 25]]},
                    {"mode": "keep", "radius": 4, "snap": False, "points": [[59.5, 49.5], [200, 300]]})
    out = apply_edits(alpha0, rgb, parse_edits(doc, 60, 50))
    d = polyline_distance([[30, 25]], 50, 60)
    far = polyline_distance([[59.5, 49.5], [200, 300]], 50, 60)
    changed = out > 0
    np.testing.assert_array_equal(changed, (d < 4.5) | (far < 4.5))
    assert (out[d <= 3.5] == 1).all()
    # A thin line from a million pixels away paints only where it crosses the photo, as the same
    # line drawn from edge to edge does (the part beyond the photo is cut off, not walked).
    for snap in (False, True):
        far_doc = edits_doc(60, 50, {"mode": "keep", "radius": 0.5, "snap": snap,
                                     "points": [[-1e6, 20.25], [1e6, 20.25]]})
        near_doc = edits_doc(60, 50, {"mode": "keep", "radius": 0.5, "snap": snap,
                                      "points": [[-5.0, 20.25], [65.0, 20.25]]})
        np.testing.assert_array_equal(apply_edits(alpha0, rgb, parse_edits(far_doc, 60, 50)),
                                      apply_edits(alpha0, rgb, parse_edits(near_doc, 60, 50)))
    hard = edits_doc(60, 50, {"mode": "keep", "radius": 0.5, "snap": False,
                              "points": [[-1e6, 20.25], [1e6, 20.25]]})
    line = apply_edits(alpha0, rgb, parse_edits(hard, 60, 50))
    # Row 20's centres lie 0.25 px from the line (coverage 0.75), row 19's 0.75 px (0.25).
    np.testing.assert_allclose(line[20], 0.75)
    np.testing.assert_allclose(line[19], 0.25)
    assert (line[:19] == 0).all() and (line[21:] == 0).all()
