"""Int8 weight-only quantized GEMV: y = x @ (q * scale[:, None])^T for a batch of 1-4 rows."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "dequantizing GEMV"
DTYPES = ("float32", "float16")
FORBIDDEN = (
    "linear", "matmul", "mm", "addmm", "bmm", "einsum", "tensordot", "mv", "addmv",
    "inner", "dot", "vdot", "baddbmm", "_weight_int8pack_mm",
)  # fmt: skip
TOLERANCE = {"float32": (1e-5, 1e-4), "float16": (5e-3, 1e-2)}
SHAPES = {
    "cpu": [
        {"batch": 1, "k": 1, "n": 1},
        {"batch": 1, "k": 100, "n": 33},
        {"batch": 3, "k": 257, "n": 64},
        {"batch": 2, "k": 1024, "n": 129},
    ],
    "gpu": [
        {"batch": 1, "k": 4096, "n": 4096},
        {"batch": 1, "k": 4096, "n": 14336},
        {"batch": 4, "k": 8192, "n": 8192},
        {"batch": 1, "k": 11008, "n": 4096},
    ],
}


class Model(nn.Module):
    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        q = torch.randint(-127, 128, (out_features, in_features), dtype=torch.int8)
        # Per-output-channel scales, as produced by symmetric absmax quantization.
        scale = (torch.rand(out_features) + 0.5) / 127
        self.register_buffer("qweight", q)
        self.register_buffer("scale", scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.qweight.to(x.dtype) * self.scale.to(x.dtype)[:, None]
        return F.linear(x, w)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    shape = shape or SHAPES["gpu"][0]
    return [shape["k"], shape["n"]]


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    return [r.floats(shape["batch"], shape["k"])]
