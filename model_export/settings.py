"""Validated, immutable settings for quantization and calibration (they are part of the build stamp)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Photos that ship inside the scikit-image wheel, so a fresh machine can calibrate without ../shared.
BUNDLED_PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "camera.png",
                  "motorcycle_left.png", "grass.png", "gravel.png")

CalibrationMethod = Literal["minmax", "entropy", "percentile"]

# U²-Netp's convs (execution order) whose lone rounding to uint8 moves the mask most per weight, as
# measured by `bench/quant_variants.py --sensitivity` on the calibration views (WIDE_CALIBRATION below,
# no dev photos): greedy by sensitivity per weight until 270k of the 1.12M weights are fp16, which keeps
# the file under 1.5 MB. The first and last conv stay fp32 anyway.
U2NETP_FP16_CONVS = (1, 2, 3, 4, 7, 12, 13, 15, 16, 17, 25, 26, 27, 28, 34, 36, 37, 38, 39, 40, 45, 46, 47,
                     48, 49, 50, 53, 54, 55, 62, 63, 70, 78, 79, 80, 89, 96, 97, 100, 101, 110, 112, 113,
                     115, 117)


@dataclass(frozen=True)
class CalibrationSettings:
    """Which images feed the calibration and how activation ranges are estimated from them."""

    photos: tuple[str, ...] = BUNDLED_PHOTOS
    size: int = 320
    hflip: bool = True
    crops: tuple[float, ...] = (0.6, 0.8)
    method: CalibrationMethod = "minmax"
    percentile: float = 99.999
    # Augmented views (model_export/calibration.py): random crops/flips/colour jitter per photo, and
    # subject-on-background composites, all from one seeded generator.
    views_per_photo: int = 0
    composites: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.photos:
            raise ValueError("CalibrationSettings.photos: at least one photo is needed")
        if self.size <= 0 or self.size % 32:
            raise ValueError(f"CalibrationSettings.size: a positive multiple of 32, got {self.size}")
        if any(not 0.1 <= c < 1.0 for c in self.crops):
            raise ValueError(f"CalibrationSettings.crops: fractions in [0.1, 1), got {self.crops}")
        if self.method not in ("minmax", "entropy", "percentile"):
            raise ValueError(f"CalibrationSettings.method: minmax|entropy|percentile, got {self.method!r}")
        if not 90.0 <= self.percentile <= 100.0:
            raise ValueError(f"CalibrationSettings.percentile: in [90, 100], got {self.percentile}")
        if self.views_per_photo < 0 or self.composites < 0:
            raise ValueError("CalibrationSettings.views_per_photo and composites: zero or more")


@dataclass(frozen=True)
class QuantizationSettings:
    """uint8 QDQ that ONNX Runtime Web's WASM backend can run.

    ORT-web has no Conv kernel for int8 weights, so weights (and activations, when quantized) are
    unsigned. The default keeps activations in float: quantizing them per tensor drops U²-Netp's mean
    dev-set IoU against fp32 to about 0.84 (see docs/BENCHMARKS.md), far under the 0.98 gate, while
    per-channel uint8 weights with bias correction pass it at a quarter of the fp32 download.
    """

    weight_type: Literal["uint8"] = "uint8"
    activation_type: Literal["uint8"] = "uint8"
    quant_format: Literal["QDQ"] = "QDQ"
    per_channel: bool = True
    bias_correction: bool = True
    quantize_activations: bool = False
    keep_first_conv_float: bool = True
    keep_last_conv_float: bool = True
    exclude_op_types: tuple[str, ...] = ()
    calibration: CalibrationSettings = field(default_factory=lambda: CalibrationSettings(crops=()))
    max_bytes: int = 1_500_000
    # Weight-only path: "nearest" or "gptq" rounding onto each channel's uint8 grid (see rounding.py).
    rounding: Literal["nearest", "gptq"] = "nearest"
    hessian_images: int = 16
    # GPTQ's damping, as a fraction of the mean diagonal of H: larger trusts the calibration less.
    gptq_damp: float = 0.1
    # Convs (execution-order indices) stored as fp16 instead of uint8: the most sensitive ones.
    fp16_convs: tuple[int, ...] = ()
    bias_chunk: int = 8
    # Levels per channel: 2**bits of the 256 a uint8 holds (fewer levels, fewer bits on the wire).
    bits: int = 8
    # With bits < 8: convs of at most this many weights keep all 256 levels (0: none).
    full_bits_max_weights: int = 0

    def __post_init__(self) -> None:
        if self.weight_type != "uint8" or self.activation_type != "uint8":
            raise ValueError("QuantizationSettings: ORT-web needs uint8 weights and activations")
        if self.quant_format != "QDQ":
            raise ValueError(f"QuantizationSettings.quant_format: only QDQ, got {self.quant_format}")
        if self.max_bytes <= 0:
            raise ValueError(f"QuantizationSettings.max_bytes: positive, got {self.max_bytes}")
        if not isinstance(self.calibration, CalibrationSettings):
            raise TypeError("QuantizationSettings.calibration: expected a CalibrationSettings")
        if self.bias_correction and not self.per_channel:
            raise ValueError("QuantizationSettings.bias_correction needs per_channel weights")
        if self.rounding not in ("nearest", "gptq"):
            raise ValueError(f"QuantizationSettings.rounding: nearest|gptq, got {self.rounding!r}")
        if self.rounding == "gptq" and self.hessian_images <= 0:
            raise ValueError("QuantizationSettings.hessian_images: GPTQ needs at least one image")
        if any(k < 0 for k in self.fp16_convs) or len(set(self.fp16_convs)) != len(self.fp16_convs):
            raise ValueError(f"QuantizationSettings.fp16_convs: distinct indices >= 0, got {self.fp16_convs}")
        if not 0.0 < self.gptq_damp <= 10.0:
            raise ValueError(f"QuantizationSettings.gptq_damp: in (0, 10], got {self.gptq_damp}")
        if not 2 <= self.bits <= 8:
            raise ValueError(f"QuantizationSettings.bits: in 2..8, got {self.bits}")
        if self.bias_chunk <= 0:
            raise ValueError(f"QuantizationSettings.bias_chunk: positive, got {self.bias_chunk}")
        if not self.quantize_activations and self.exclude_op_types:
            raise ValueError("QuantizationSettings.exclude_op_types only applies with quantize_activations")

    def float_convs(self, n_convs: int) -> set[int]:
        """The convs (execution-order indices of ``n_convs``) kept in float32: the first and the last,
        as ``keep_first_conv_float`` and ``keep_last_conv_float`` say."""
        keep = set()
        if self.keep_first_conv_float:
            keep.add(0)
        if self.keep_last_conv_float:
            keep.add(n_convs - 1)
        return keep


@dataclass(frozen=True)
class Fp16Settings:
    """fp16 weights and compute for WebGPU, fp32 at the graph's edges so callers feed the same tensor."""

    keep_io_types: bool = True
    # Kept in fp32: Resize mixes fp32 scales/sizes inputs that the converter would otherwise break.
    op_block_list: tuple[str, ...] = ("Resize",)

    def __post_init__(self) -> None:
        if not self.keep_io_types:
            raise ValueError("Fp16Settings.keep_io_types must stay True: the contract's input is float32")
