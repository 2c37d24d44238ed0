"""Linear layer with a fused epilogue: y = relu(x @ W^T + b)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "matmul with fused epilogue"
DTYPES = ("float32", "float16")
# "matmul" also forbids the `@` operator outside Triton kernels (see the static checks).
FORBIDDEN = (
    "linear", "matmul", "mm", "addmm", "bmm", "baddbmm", "einsum", "tensordot",
    "mv", "addmv", "inner", "dot", "chain_matmul", "relu", "relu_",
)  # fmt: skip
# Sized for TF32: GPU tl.dot may round fp32 operands to 10 mantissa bits.
TOLERANCE = {"float32": (2e-3, 2e-3), "float16": (1e-2, 1e-2)}
SHAPES = {
    "cpu": [
        {"m": 1, "k": 1, "n": 1},
        {"m": 33, "k": 47, "n": 65},
        {"m": 5, "k": 300, "n": 17},
        {"m": 64, "k": 64, "n": 96},
    ],
    "gpu": [
        {"m": 4096, "k": 4096, "n": 4096},
        {"m": 8192, "k": 1024, "n": 4096},
        {"m": 127, "k": 4096, "n": 11008},
    ],
}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.linear(x))


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    shape = shape or SHAPES["gpu"][0]
    return [shape["k"], shape["n"]]


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    return [r.floats(shape["m"], shape["k"])]
