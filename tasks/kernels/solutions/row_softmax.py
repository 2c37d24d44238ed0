"""Online softmax in Triton: one program per row; a single pass keeps a shared running max and a
rescaled running sum, then a second pass writes exp(x - max) / sum. Rows longer than one block
loop, so no row is ever too long for a single program."""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from torch import nn

SOLUTION_KIND = "triton"


@triton.jit
def _softmax_kernel(x_ptr, out_ptr, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    x_row = x_ptr + row * n_cols
    out_row = out_ptr + row * n_cols
    cols = tl.arange(0, BLOCK)
    # Pass 1: running max m and sum d of exp(x - m), rescaled whenever m grows (online softmax).
    m = -float("inf")
    d = 0.0
    for start in range(0, n_cols, BLOCK):
        mask = start + cols < n_cols
        x = tl.load(x_row + start + cols, mask=mask, other=-float("inf")).to(tl.float32)
        m_new = tl.maximum(m, tl.max(x, axis=0))
        d = d * tl.exp(m - m_new) + tl.sum(tl.exp(x - m_new), axis=0)
        m = m_new
    # Pass 2: normalize and store.
    for start in range(0, n_cols, BLOCK):
        mask = start + cols < n_cols
        x = tl.load(x_row + start + cols, mask=mask, other=-float("inf")).to(tl.float32)
        y = tl.exp(x - m) / d
        tl.store(out_row + start + cols, y.to(out_ptr.dtype.element_ty), mask=mask)


class ModelNew(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous()
        n_cols = x.shape[-1]
        rows = x.numel() // max(n_cols, 1)
        out = torch.empty_like(x)
        block = min(triton.next_power_of_2(max(n_cols, 1)), 4096)
        _softmax_kernel[(rows,)](x, out, n_cols, BLOCK=block, num_warps=8 if block >= 2048 else 4)
        return out
