"""Bias + GELU in one Triton pass: load x and the bias, add, apply erf-GELU in fp32, store once."""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from torch import nn

SOLUTION_KIND = "triton"

_BLOCK = 1024


@triton.jit
def _bias_gelu_kernel(x_ptr, bias_ptr, out_ptr, n_elements, features, BLOCK: tl.constexpr):
    offs = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n_elements
    x = tl.load(x_ptr + offs, mask=mask, other=0.0).to(tl.float32)
    b = tl.load(bias_ptr + offs % features, mask=mask, other=0.0).to(tl.float32)
    y = x + b
    gelu = 0.5 * y * (1.0 + tl.math.erf(y * 0.7071067811865476))
    tl.store(out_ptr + offs, gelu.to(out_ptr.dtype.element_ty), mask=mask)


class ModelNew(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.randn(features) * 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        _bias_gelu_kernel[(triton.cdiv(n, _BLOCK),)](
            x, self.bias, out, n, self.bias.numel(), BLOCK=_BLOCK
        )
        return out
