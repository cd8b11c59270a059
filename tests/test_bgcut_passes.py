"""The extra model passes (flip TTA, crop second pass)."""

from __future__ import annotations

import numpy as np
import pytest
from bgcut.passes import merge_crop, merge_mirror, mirror_input, model_size, subject_box

import bgcut
from bench.quality_metrics import iou
from bgremove.decode import decode
from bgremove.models import load_model
from bgremove.passes import PassOptions, predict_mask_passes


def test_model_size_square_and_aspect() -> None:
    assert model_size(480, 854, 320) == (320, 320)
    assert model_size(480, 854, 320, 32, square=False) == (192, 320)  # 179.9 -> 192
    assert model_size(10, 1000, 320, 32, square=False) == (32, 320)  # never below one multiple


def test_flip_round_trip_averages_the_two_views() -> None:
    x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
    assert np.array_equal(mirror_input(x)[..., 0], x[..., 3])
    m = np.array([[0.0, 1.0]], np.float32)
    # The mirrored run saw the subject on the left: un-mirrored it agrees with ``m`` exactly.
    assert np.array_equal(merge_mirror(m, m[:, ::-1]), m)
    assert np.allclose(merge_mirror(m, m), [[0.5, 0.5]])


def test_subject_box_pads_and_maps_to_photo_pixels() -> None:
    mask = np.zeros((10, 10), np.float32)
    mask[4:6, 2:4] = 1.0  # 2x2 cells of a 10x10 mask over a 100x200 photo
    box = subject_box(mask, (100, 200), margin=0.25)
    # Rows 40..60, cols 40..80 in photo pixels; larger side 40 -> 10 px margin.
    assert box == (30, 70, 30, 90)


def test_subject_box_skips_large_or_missing_subjects() -> None:
    assert subject_box(np.zeros((8, 8), np.float32), (80, 80)) is None
    big = np.ones((8, 8), np.float32)
    assert subject_box(big, (80, 80)) is None


def test_merge_crop_pastes_the_fine_mask_inside_the_box() -> None:
    coarse = np.zeros((4, 4), np.float32)
    fine = np.ones((2, 2), np.float32)
    out = merge_crop(coarse, fine, (10, 30, 20, 40), (40, 80), weight=1.0)
    assert out.shape == (40, 80)
    assert out[:10].max() == 0 and out[:, :20].max() == 0 and out[30:].max() == 0
    # 20-pixel box, ramp round(0.08 * 20) = 2: weights 1/3, 2/3, then 1 from the third pixel in.
    assert np.allclose(out[20, 20:24], [1 / 3, 2 / 3, 1, 1])
    assert out[13:27, 23:37].min() == 1.0
    half = merge_crop(coarse, fine, (10, 30, 20, 40), (40, 80), weight=0.5)
    assert np.allclose(half, out * 0.5)


def test_merge_crop_does_not_ramp_at_the_photo_border() -> None:
    out = merge_crop(np.zeros((4, 4), np.float32), np.ones((2, 2), np.float32), (0, 20, 0, 40), (40, 80),
                     weight=1.0)
    assert out[0, 0] == 1.0 and out[19, 0] < 1.0 and out[0, 39] < 1.0


@pytest.mark.parametrize("opts", [PassOptions(mirror=True), PassOptions(crop=True),
                                  PassOptions(model_size=448, model_square=False)])
def test_passes_on_real_photos_agree_with_the_plain_mask(dev_ten, opts: PassOptions) -> None:
    model = load_model("u2netp-fp32")
    for sample in dev_ten[:2]:
        rgba = decode(sample.image)
        h, w = rgba.shape[:2]
        plain = bgcut.upsample_mask(predict_mask_passes(rgba, model), (h, w))
        other = bgcut.upsample_mask(predict_mask_passes(rgba, model, opts), (h, w))
        assert other.min() >= 0.0 and other.max() <= 1.0
        # A different view of the same photo finds mostly the same subject.
        assert iou(other, plain >= 0.5) > 0.6, sample.stem
