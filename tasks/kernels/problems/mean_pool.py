"""Mean over the sequence axis: (batch, seq, dim) -> (batch, dim), as in sentence embeddings."""

from __future__ import annotations

import torch
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "reduction"
DTYPES = ("float32", "float16")
FORBIDDEN = (
    "mean", "sum", "nansum", "nanmean", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "einsum", "matmul", "mm", "bmm",
    "cumsum", "trapz", "trapezoid", "std_mean", "var_mean", "linear",
)  # fmt: skip
TOLERANCE = {"float32": (1e-5, 1e-4), "float16": (2e-3, 5e-3)}
SHAPES = {
    "cpu": [
        {"batch": 1, "seq": 1, "dim": 1},
        {"batch": 3, "seq": 50, "dim": 33},
        {"batch": 2, "seq": 257, "dim": 100},
        {"batch": 1, "seq": 7, "dim": 600},
    ],
    "gpu": [
        {"batch": 64, "seq": 512, "dim": 4096},
        {"batch": 8, "seq": 8192, "dim": 1024},
        {"batch": 512, "seq": 77, "dim": 768},
    ],
}


class Model(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=1)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    return []


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    return [r.floats(shape["batch"], shape["seq"], shape["dim"])]
