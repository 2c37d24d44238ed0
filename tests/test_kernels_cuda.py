"""CUDA C++ candidates without a GPU: compiled with nvcc (device code, -Xptxas -v), never run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluation.kernels.checker import CheckOptions, check_candidate
from evaluation.kernels.cuda_compile import device_code
from tasks.kernels import load_problem

pytestmark = pytest.mark.skipif(
    shutil.which("nvcc") is None, reason="nvcc not on PATH: CUDA compile-only check unavailable"
)

CANDIDATE = '''
import torch
from torch import nn
from torch.utils.cpp_extension import load_inline

CUDA_SRC = r"""
#include <torch/extension.h>
#include <cuda_runtime.h>

__device__ __forceinline__ float gelu(float v) { return 0.5f * v * (1.f + erff(v * 0.70710678f)); }

__global__ void bias_gelu_kernel(const float* x, const float* b, float* y, int n, int f) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { y[i] = gelu(x[i] + b[i % f]); }  // {braces} in a comment
}

torch::Tensor bias_gelu(torch::Tensor x, torch::Tensor b) {
    auto y = torch::empty_like(x);
    int n = x.numel();
    bias_gelu_kernel<<<(n + 255) / 256, 256>>>(x.data_ptr<float>(), b.data_ptr<float>(), y.data_ptr<float>(), n, b.numel());
    return y;
}
"""


class ModelNew(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.randn(features) * 0.5)
        self.ext = load_inline("bias_gelu", cpp_sources="torch::Tensor bias_gelu(torch::Tensor x, torch::Tensor b);",
                               cuda_sources=CUDA_SRC, functions=["bias_gelu"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ext.bias_gelu(x, self.bias)
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "candidate.py"
    path.write_text(text)
    return path


def test_device_code_keeps_kernels_and_drops_torch_host_code() -> None:
    code = device_code(CANDIDATE.split('r"""')[1])
    assert (
        "__global__ void bias_gelu_kernel" in code
        and "__device__ __forceinline__ float gelu" in code
    )
    assert "torch::Tensor" not in code and "torch/extension.h" not in code


def test_cuda_candidate_is_compiled_not_run(tmp_path: Path) -> None:
    report = check_candidate(
        load_problem("bias_gelu"), write(tmp_path, CANDIDATE), CheckOptions(device="cpu")
    )
    assert report.status == "compile-only", report.reasons
    assert "bias_gelu_kernel" in report.reasons[0]
    assert any("registers" in a for a in report.adaptations)
    assert report.trials == []


def test_cuda_compile_errors_are_reported(tmp_path: Path) -> None:
    broken = CANDIDATE.replace("y[i] = gelu(", "y[i] = undefined_fn(")
    report = check_candidate(
        load_problem("bias_gelu"), write(tmp_path, broken), CheckOptions(device="cpu")
    )
    assert report.status == "failed"
    assert "CUDA compile failed" in report.reasons[0] and "undefined_fn" in report.reasons[0]
