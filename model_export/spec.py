"""The small interface every exportable architecture implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class ArchSpec:
    """What a pipeline needs to know to feed an architecture and read its output.

    `build` returns the bare network: it takes an already normalized NCHW tensor and returns either a
    tensor or a tuple whose first element is the final prediction (sigmoid applied).
    """

    name: str
    build: Callable[[], nn.Module]
    default_size: int
    multiple: int
    square: bool
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    output_kind: Literal["mask", "alpha"]
    weights_format: str

    def check_size(self, height: int, width: int) -> None:
        """Raise if (height, width) is not a size this network can take without cropping."""
        if height % self.multiple or width % self.multiple:
            raise ValueError(
                f"{self.name} needs height and width that are multiples of {self.multiple}, "
                f"got {height}x{width}"
            )
