"""Non-causal attention with small heads: softmax(q k^T / sqrt(d)) v, head_dim 8 to 32."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tasks.kernels.rand import Rand

CATEGORY = "attention"
DTYPES = ("float32", "float16")
FORBIDDEN = (
    "scaled_dot_product_attention", "multi_head_attention_forward",
    "softmax", "log_softmax", "matmul", "mm", "bmm", "baddbmm", "einsum", "tensordot",
    "flash_attention", "flex_attention",
)  # fmt: skip
# Sized for TF32 in both products, and for fp16 probabilities feeding the second product.
TOLERANCE = {"float32": (2e-3, 2e-3), "float16": (1e-2, 1e-2)}
# No "large" fill: with scores in the thousands softmax is a hard argmax, and TF32 or fp16 rounding of
# two near-equal scores legitimately flips the winner, which no tolerance can absorb.
FILLS = ("normal", "uniform", "zeros")
SHAPES = {
    "cpu": [
        {"batch": 1, "heads": 1, "seq": 1, "head_dim": 16},
        {"batch": 2, "heads": 3, "seq": 17, "head_dim": 16},
        {"batch": 1, "heads": 2, "seq": 40, "head_dim": 24},
        {"batch": 1, "heads": 1, "seq": 64, "head_dim": 8},
    ],
    "gpu": [
        {"batch": 16, "heads": 16, "seq": 1024, "head_dim": 16},
        {"batch": 8, "heads": 8, "seq": 2048, "head_dim": 32},
        {"batch": 4, "heads": 32, "seq": 4096, "head_dim": 16},
    ],
}


class Model(nn.Module):
    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return F.scaled_dot_product_attention(q, k, v)


def get_shapes(kind: str = "cpu") -> list[dict[str, int]]:
    return SHAPES[kind]


def get_init_inputs(shape: dict[str, int] | None = None) -> list[int]:
    return []


def get_inputs(shape: dict[str, int] | None = None, r: Rand | None = None) -> list[torch.Tensor]:
    shape, r = shape or SHAPES["gpu"][0], r or Rand()
    size = (shape["batch"], shape["heads"], shape["seq"], shape["head_dim"])
    return [r.floats(*size), r.floats(*size), r.floats(*size)]
