"""bgcut.Options validation and from_dict (what the browser sends)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import bgcut


def test_defaults_are_valid_and_frozen() -> None:
    opts = bgcut.Options()
    # The defaults chosen from the dev-set numbers (docs/QUALITY.md).
    assert opts.refine == "none" and opts.threshold == 0.4 and opts.threshold_softness == 0.3
    assert opts.mirror is True and opts.crop is True
    assert opts.decontaminate is True and opts.background == "transparent"
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.radius = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"refine": "sharp"}, "refine must be one of"),
        ({"radius": 0}, "radius"),
        ({"radius": 2.5}, "radius"),
        ({"radius": True}, "radius"),
        ({"eps": 0}, "eps"),
        ({"eps": float("nan")}, "eps"),
        ({"subsample": 0}, "subsample"),
        ({"threshold": 1.0}, "threshold must be"),
        ({"threshold": "0.5"}, "threshold must be"),
        ({"threshold_softness": -0.1}, "threshold_softness"),
        ({"edge_shift": 1000}, "edge_shift"),
        ({"feather": -1}, "feather"),
        ({"decontaminate": 1}, "decontaminate"),
        ({"background": "red"}, "background"),
        ({"background": "#12345"}, "background"),
        ({"background": np.zeros((4, 4), np.uint8)}, "background image"),
        ({"background": np.zeros((4, 4, 3), np.float32)}, "background image"),
        ({"background": 3}, "background"),
        ({"output": "png"}, "output must be one of"),
    ],
)
def test_invalid_values_raise_clear_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bgcut.Options(**kwargs)


def test_from_dict_accepts_js_numbers_and_rejects_unknown_keys() -> None:
    opts = bgcut.Options.from_dict(
        {"radius": 8.0, "feather": 2.0, "edge_shift": -3.0, "eps": 0.01, "background": "#A0b0C0"}
    )
    assert opts.radius == 8 and isinstance(opts.radius, int) and opts.edge_shift == -3
    assert opts.background_rgb() == (160, 176, 192)
    with pytest.raises(ValueError, match=r"unknown option.*'colour'"):
        bgcut.Options.from_dict({"colour": "#ffffff"})
    with pytest.raises(ValueError, match="feather"):
        bgcut.Options.from_dict({"feather": 1.5})
    assert bgcut.Options.from_dict(None).refine == bgcut.Options().refine
    assert bgcut.Options.from_dict({"radius": None}).radius is None
