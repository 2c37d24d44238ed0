"""LayerNorm over the last dimension with learned weight and bias, eps = 1e-5."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "normalization"
DTYPES = ("float32", "float16", "bfloat16")
FORBIDDEN = ("layer_norm", "native_layer_norm", "group_norm", "var_mean", "batch_norm")
TOLERANCE = {"float32": (1e-5, 1e-4), "float16": (2e-3, 5e-3), "bfloat16": (1e-2, 2e-2)}
SHAPES = {
    "cpu": [
        {"rows": 1, "hidden": 1},
        {"rows": 5, "hidden": 96},
        {"rows": 8, "hidden": 1000},
        {"rows": 2, "hidden": 4097},
    ],
    "gpu": [
        {"rows": 16384, "hidden": 4096},
        {"rows": 4096, "hidden": 12288},
        {"rows": 65536, "hidden": 768},
    ],
}


class Model(nn.Module):
    def __init__(self, hidden: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        # Non-trivial affine parameters, so a kernel that ignores them is caught.
        self.weight = nn.Parameter(1.0 + 0.1 * torch.randn(hidden))
        self.bias = nn.Parameter(0.1 * torch.randn(hidden))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    shape = shape or SHAPES["gpu"][0]
    return [shape["hidden"]]


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    return [r.floats(shape["rows"], shape["hidden"])]
