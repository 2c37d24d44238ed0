"""Int8 weight-only GEMV in Triton: each program owns BN output channels of one input row, streams
int8 weight tiles (a quarter of fp32's bytes), dequantizes in registers, and applies the
per-channel scale once after the K loop. Memory-bound, so no tensor cores are needed."""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from torch import nn

SOLUTION_KIND = "triton"


@triton.jit
def _int8_gemv_kernel(x_ptr, q_ptr, scale_ptr, out_ptr, N, K, BN: tl.constexpr, BK: tl.constexpr):
    rn = tl.program_id(0) * BN + tl.arange(0, BN)
    row = tl.program_id(1).to(tl.int64)
    rk = tl.arange(0, BK)
    acc = tl.zeros((BN, BK), dtype=tl.float32)
    for k0 in range(0, K, BK):
        kk = k0 + rk
        x = tl.load(x_ptr + row * K + kk, mask=kk < K, other=0.0).to(tl.float32)
        w_mask = (rn[:, None] < N) & (kk[None, :] < K)
        w = tl.load(q_ptr + rn[:, None].to(tl.int64) * K + kk[None, :], mask=w_mask, other=0)
        acc += w.to(tl.float32) * x[None, :]
    scale = tl.load(scale_ptr + rn, mask=rn < N, other=0.0).to(tl.float32)
    y = tl.sum(acc, axis=1) * scale
    tl.store(out_ptr + row * N + rn, y.to(out_ptr.dtype.element_ty), mask=rn < N)


class ModelNew(nn.Module):
    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.register_buffer(
            "qweight", torch.randint(-127, 128, (out_features, in_features), dtype=torch.int8)
        )
        self.register_buffer("scale", (torch.rand(out_features) + 0.5) / 127)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous()
        batch, k = x.shape
        n = self.qweight.shape[0]
        out = torch.empty((batch, n), device=x.device, dtype=x.dtype)
        grid = (triton.cdiv(n, 32), batch)
        _int8_gemv_kernel[grid](x, self.qweight, self.scale, out, n, k, BN=32, BK=128)
        return out
