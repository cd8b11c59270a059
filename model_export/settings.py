"""Validated, immutable settings for quantization and calibration (they are part of the build stamp)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Photos that ship inside the scikit-image wheel, so a fresh machine can calibrate without ../shared.
BUNDLED_PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "camera.png",
                  "motorcycle_left.png", "grass.png", "gravel.png")

CalibrationMethod = Literal["minmax", "entropy", "percentile"]


@dataclass(frozen=True)
class CalibrationSettings:
    """Which images feed the calibration and how activation ranges are estimated from them."""

    photos: tuple[str, ...] = BUNDLED_PHOTOS
    size: int = 320
    hflip: bool = True
    crops: tuple[float, ...] = (0.6, 0.8)
    method: CalibrationMethod = "minmax"
    percentile: float = 99.999

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
        if not self.quantize_activations and self.exclude_op_types:
            raise ValueError("QuantizationSettings.exclude_op_types only applies with quantize_activations")


@dataclass(frozen=True)
class Fp16Settings:
    """fp16 weights and compute for WebGPU, fp32 at the graph's edges so callers feed the same tensor."""

    keep_io_types: bool = True
    # Kept in fp32: Resize mixes fp32 scales/sizes inputs that the converter would otherwise break.
    op_block_list: tuple[str, ...] = ("Resize",)

    def __post_init__(self) -> None:
        if not self.keep_io_types:
            raise ValueError("Fp16Settings.keep_io_types must stay True: the contract's input is float32")
