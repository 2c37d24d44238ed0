"""Row softmax over the last dimension, as in attention scores and classifier heads."""

from __future__ import annotations

import torch
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "row softmax"
DTYPES = ("float32", "float16", "bfloat16")
FORBIDDEN = ("softmax", "log_softmax", "softmin", "_softmax")
TOLERANCE = {"float32": (1e-5, 1e-4), "float16": (2e-3, 5e-3), "bfloat16": (1e-2, 2e-2)}
SHAPES = {
    "cpu": [
        {"rows": 1, "cols": 1},
        {"rows": 5, "cols": 7},
        {"rows": 3, "cols": 1000},
        {"rows": 17, "cols": 129},
        {"rows": 2, "cols": 5000},
    ],
    "gpu": [
        {"rows": 4096, "cols": 4096},
        {"rows": 32768, "cols": 1000},
        {"rows": 1024, "cols": 50257},
        {"rows": 8, "cols": 262144},
    ],
}


class Model(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=-1)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    return []


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    return [r.floats(shape["rows"], shape["cols"])]
