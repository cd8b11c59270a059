"""Property tests for a misbehaving model and extreme shapes (complements test_bgcut_properties.py).

Decision: bgcut treats a mask value of NaN as 0 (background), +inf as 1, -inf as 0, and clips
everything else into [0, 1]; the mask may have any size and aspect ratio (it is resized to the photo).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import bgcut

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any aspect ratio: one side up to 300 while the other may be 1.
long_side = st.integers(1, 300)
short_side = st.integers(1, 12)

wild_floats = st.floats(allow_nan=True, allow_infinity=True, width=32)
backgrounds = st.one_of(
    st.sampled_from(["transparent", "blur", "#000000", "#ffffff", "#12ab9f"]),
    hnp.arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9), st.sampled_from([3, 4]))),
)
option_dicts = st.fixed_dictionaries(
    {"background": backgrounds},
    optional={
        "refine": st.sampled_from(bgcut.options.REFINE_MODES),
        "threshold": st.one_of(st.none(), st.floats(0.01, 0.99)),
        "edge_shift": st.integers(-4, 4),
        "feather": st.integers(0, 4),
        "decontaminate": st.booleans(),
        "output": st.sampled_from(bgcut.options.OUTPUT_MODES),
    },
)


def image(h: int, w: int, seed: int, alpha: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    if alpha == "opaque":
        rgba[..., 3] = 255
    elif alpha == "clear":
        rgba[..., 3] = 0
    return rgba


@SETTINGS
@given(
    dims=st.tuples(long_side, short_side).flatmap(lambda t: st.sampled_from([t, t[::-1]])),
    mask=hnp.arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(1, 40)), elements=wild_floats),
    opts=option_dicts,
    alpha=st.sampled_from(["opaque", "clear", "random"]),
    seed=st.integers(0, 2**16),
)
def test_any_mask_values_and_shapes_give_valid_output(dims, mask, opts, alpha, seed) -> None:
    h, w = dims
    rgba = image(h, w, seed, alpha)
    out = bgcut.postprocess(rgba, mask, bgcut.Options.from_dict(opts))
    assert out.dtype == np.uint8 and out.flags.c_contiguous
    assert out.shape == ((h, w) if opts.get("output") == "mask" else (h, w, 4))


@SETTINGS
@given(h=long_side, w=long_side, value=st.sampled_from([np.nan, -np.inf, -5.0, 0.0]))
def test_nan_and_negative_masks_mean_background(h: int, w: int, value: float) -> None:
    rgba = image(h, w, h * 7 + w, "opaque")
    mask = np.full((1, 1, 16, 16), value, np.float32)
    alpha = bgcut.postprocess(rgba, mask, bgcut.Options(output="mask", refine="none"))
    assert (alpha == 0).all()


@SETTINGS
@given(h=long_side, w=long_side, value=st.sampled_from([np.inf, 1.0, 7.5]))
def test_large_masks_mean_foreground(h: int, w: int, value: float) -> None:
    rgba = image(h, w, h + w, "opaque")
    mask = np.full((16, 16), value, np.float32)
    alpha = bgcut.postprocess(rgba, mask, bgcut.Options(output="mask", refine="none"))
    assert (alpha == 255).all()


@SETTINGS
@given(
    dims=st.tuples(long_side, short_side).flatmap(lambda t: st.sampled_from([t, t[::-1]])),
    size=st.tuples(st.integers(1, 64), st.integers(1, 64)),
    alpha=st.sampled_from(["opaque", "clear", "random"]),
)
def test_model_input_any_shape(dims, size, alpha) -> None:
    rgba = image(*dims, seed=dims[0] * 31 + dims[1], alpha=alpha)
    for pixels in (rgba, rgba[..., :3]):
        x = bgcut.model_input(pixels, size)
        assert x.shape == (1, 3, *size) and x.dtype == np.float32
        assert np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1
