"""Bias + GELU: y = gelu(x + bias) with the exact (erf) GELU, fused into one pass over memory."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "elementwise fusion"
DTYPES = ("float32", "float16", "bfloat16")
FORBIDDEN = ("gelu",)
TOLERANCE = {"float32": (1e-5, 1e-5), "float16": (2e-3, 2e-3), "bfloat16": (1e-2, 2e-2)}
SHAPES = {
    "cpu": [
        {"rows": 1, "features": 1},
        {"rows": 7, "features": 33},
        {"rows": 3, "features": 1000},
        {"rows": 64, "features": 257},
    ],
    "gpu": [
        {"rows": 8192, "features": 4096},
        {"rows": 16384, "features": 11008},
        {"rows": 1, "features": 4_194_304},
    ],
}


class Model(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.randn(features) * 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x + self.bias)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    shape = shape or SHAPES["gpu"][0]
    return [shape["features"]]


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    return [r.floats(shape["rows"], shape["features"])]
