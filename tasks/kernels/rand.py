"""Seeded input generation for kernel problems, one object per trial.

Problems ask a `Rand` for their tensors (`r.floats(rows, cols)`, `r.ints(0, n, (k,))`) instead of
calling torch.randn themselves, so the checker can vary the distribution, dtype, device and seed of
every trial without each problem knowing about it.
"""

from __future__ import annotations

import torch

FILLS = ("normal", "uniform", "large", "zeros")

# "large" must stress numerics (softmax without a max subtraction overflows exp) without making the
# reference itself overflow: e^(8*4) already exceeds float16's range, 1e3 stresses fp32 cancellation.
_LARGE_SCALE = {torch.float32: 1000.0, torch.float16: 8.0, torch.bfloat16: 8.0}

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


class Rand:
    """Tensors for one trial: a seed, a distribution (one of FILLS), a float dtype and a device."""

    def __init__(
        self,
        seed: int = 0,
        fill: str = "normal",
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> None:
        if fill not in FILLS:
            raise ValueError(f"unknown fill {fill!r}; expected one of {FILLS}")
        self.fill = fill
        self.dtype = dtype
        self.device = torch.device(device)
        # Generate on the target device: GPU-sized inputs drawn on the CPU would dominate a GPU
        # run. The same seed therefore gives different (equally valid) inputs on CPU and GPU.
        self.gen = torch.Generator(device=self.device).manual_seed(seed)

    def floats(self, *size: int) -> torch.Tensor:
        """Activations in this trial's distribution and dtype."""
        kw = {"generator": self.gen, "device": self.device}
        uniform = self.fill == "uniform"
        x = torch.rand(size, **kw) * 2 - 1 if uniform else torch.randn(size, **kw)
        if self.fill == "large":
            x = x * _LARGE_SCALE[self.dtype]
        if self.fill == "zeros":
            # Scattered zeros plus one all-zero leading slice: empty rows are the classic edge case
            # (variance 0 in a norm, a uniform softmax row).
            x = x * (torch.rand(size, **kw) > 0.3)
            if x.dim() > 0 and x.shape[0] > 0:
                x[0] = 0
        return x.to(self.dtype)

    def ints(
        self, low: int, high: int, size: tuple[int, ...], dtype: torch.dtype = torch.int64
    ) -> torch.Tensor:
        """Integers in [low, high): indices and structure, the same for every fill."""
        return torch.randint(low, high, size, generator=self.gen, device=self.device, dtype=dtype)

    def unit(self, *size: int) -> torch.Tensor:
        """Uniform [0, 1) float32 on the device, for building structure (sparsity patterns)."""
        return torch.rand(size, generator=self.gen, device=self.device)
