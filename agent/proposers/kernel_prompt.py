"""The kernel variant of the LLM prompt, used for targets whose time is mostly PyTorch's.

Its rules are the ones the trial enforces (agent/kernel_edits.py): the static anti-gaming checks
of evaluation/kernels/static_checks.py on the new code, and the repository's tests run with
TRITON_INTERPRET=1 on a machine without a GPU, so the kernel must be CPU-interpretable.
"""

from __future__ import annotations

from agent.proposers.prompts import FOCUSES
from agent.records import Target

KERNEL_FOCUS = """Focus: {share:.0%} of this function's own time is spent inside PyTorch ops. \
Replace the hot region with one fused kernel: a Triton kernel (`@triton.jit`) or CUDA C++ \
through `torch.utils.cpp_extension.load_inline`. Importing triton or torch.utils.cpp_extension \
is allowed for this edit; put the kernel at module level, or in a new file (empty SEARCH). \
The kernel edit is verified like any edit (tests, output, timing) and also statically:
- No try/except in the new code: a fallback to PyTorch when the kernel fails is rejected.
- Never hard-code 'cuda' (device="cuda", .cuda(), assert x.is_cuda): allocate on the inputs' \
device (torch.empty_like(x)); a CUDA-only path needs an explicit x.is_cuda check.
- The Triton path must run on CPU tensors under TRITON_INTERPRET=1, where correctness is \
checked without a GPU: fp32/fp16 only (no bf16), masked loads and stores for sizes that are \
not a multiple of the block, no torch.cuda streams or events, no threads.
- Compute in fp32 inside the kernel; keep the result's dtype, shape, device and values.
- No torch.compile, torch.jit, torch._C or torch.ops."""


def kernel_focus(target: Target) -> str:
    return KERNEL_FOCUS.format(share=target.hotspot.torch_share)


def focuses_for(target: Target) -> list[str]:
    """The prompt variants sample k cycles through: the kernel variant first for a
    torch-dominated target (a Python edit can reach only the rest of its time), then the
    usual ones."""
    if target.torch_dominated:
        return [kernel_focus(target), *FOCUSES]
    return FOCUSES
