"""Property tests: any size, aspect ratio and option combination gives a well-formed result."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bgcut

sizes = st.integers(min_value=1, max_value=48)

options = st.fixed_dictionaries(
    {},
    optional={
        "refine": st.sampled_from(["none", "guided", "fast_guided"]),
        "radius": st.one_of(st.none(), st.integers(1, 20)),
        "eps": st.sampled_from([1e-6, 1e-4, 1e-2, 1.0]),
        "subsample": st.one_of(st.none(), st.integers(1, 8)),
        "threshold": st.one_of(st.none(), st.floats(0.01, 0.99)),
        "threshold_softness": st.floats(0.0, 1.0),
        "edge_shift": st.integers(-6, 6),
        "feather": st.integers(0, 5),
        "decontaminate": st.booleans(),
        "background": st.sampled_from(["transparent", "#336699", "blur"]),
        "output": st.sampled_from(["rgba", "mask"]),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=sizes, w=sizes, mh=sizes, mw=sizes, opts=options, seed=st.integers(0, 2**32 - 1))
def test_postprocess_is_well_formed(h: int, w: int, mh: int, mw: int, opts: dict, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    mask = rng.random((1, 1, mh, mw), dtype=np.float32)
    out = bgcut.postprocess(rgba, mask, bgcut.Options.from_dict(opts))
    expected = (h, w) if opts.get("output") == "mask" else (h, w, 4)
    assert out.shape == expected and out.dtype == np.uint8 and out.flags.c_contiguous


@settings(max_examples=40, deadline=None)
@given(h=sizes, w=sizes, mh=sizes, mw=sizes)
def test_model_input_in_range_for_any_size(h: int, w: int, mh: int, mw: int) -> None:
    rgba = np.random.default_rng(h * 100 + w).integers(0, 256, (h, w, 4), dtype=np.uint8)
    x = bgcut.model_input(rgba, (mh, mw))
    assert x.shape == (1, 3, mh, mw) and x.dtype == np.float32
    assert np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1


@settings(max_examples=40, deadline=None)
@given(h=sizes, w=sizes, refine=st.sampled_from(bgcut.options.REFINE_MODES), value=st.sampled_from([0, 1]))
def test_constant_masks_stay_constant(h: int, w: int, refine: str, value: float) -> None:
    rgba = np.random.default_rng(h + 7 * w).integers(0, 256, (h, w, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    mask = np.full((20, 20), value, np.float32)
    alpha = bgcut.postprocess(rgba, mask, bgcut.Options(refine=refine, output="mask"))
    assert (alpha == round(value * 255)).all()


def test_odd_sizes_including_primes() -> None:
    for h, w in [(1, 1), (1, 97), (97, 1), (2, 3), (31, 37), (101, 13)]:
        rgba = np.full((h, w, 4), 200, np.uint8)
        mask = np.linspace(0, 1, 320 * 320, dtype=np.float32).reshape(320, 320)
        for bg in ("transparent", "blur", "#000000"):
            out = bgcut.postprocess(rgba, mask, bgcut.Options(background=bg))
            assert out.shape == (h, w, 4)
