"""A load_inline kernel edit in the optimize loop, with the real nvcc: its CUDA strings are
compiled (device code only) before any test runs; without a GPU a compile error rejects the
edit with nvcc's reason. tests/test_kernel_edits_fake_nvcc.py covers the same paths anywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.kernel_edits import check_kernel_edit
from agent.records import Edit, Replacement

pytestmark = pytest.mark.skipif(
    shutil.which("nvcc") is None, reason="nvcc not on PATH: CUDA compile-only check unavailable"
)

OLD = "import torch\n\n\ndef scale(x):\n    return x * 2.0\n"
NEW = '''import torch
from torch.utils.cpp_extension import load_inline

SRC = r"""
#include <torch/extension.h>
__global__ void scale_kernel(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { y[i] = 2.0f * x[i]; }
}
"""


def scale(x):
    ext = load_inline("scale", cpp_sources="", cuda_sources=SRC, functions=[])
    return ext.scale(x) if x.is_cuda else x * 2.0
'''


def edit_between(tmp_path: Path, new: str) -> tuple[Edit, Path, Path]:
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    (before / "m.py").write_text(OLD)
    (after / "m.py").write_text(new)
    reps = [Replacement(path="m.py", search=OLD, replace=new)]
    edit = Edit(proposer="llm", rule="llm", title="CUDA scale", rationale="", file="m.py",
                function="scale", replacements=reps)  # fmt: skip
    return edit, before, after


def test_a_cuda_edit_that_compiles_carries_its_resource_use(tmp_path: Path) -> None:
    check = check_kernel_edit(*edit_between(tmp_path, NEW), gpu=False)
    assert check is not None and check.kinds == ("cuda",)
    assert check.violations == []
    compiled = [note for note in check.notes if "nvcc compiled" in note]
    assert compiled and "scale_kernel" in compiled[0] and "registers" in compiled[0]


def test_a_cuda_edit_that_does_not_compile_is_rejected_with_nvccs_reason(tmp_path: Path) -> None:
    broken = NEW.replace("y[i] = 2.0f * x[i];", "y[i] = 2.0f * undeclared[i];")
    check = check_kernel_edit(*edit_between(tmp_path, broken), gpu=False)
    assert check is not None
    (violation,) = check.violations
    assert violation.startswith("m.py: cuda-compile: nvcc (sm_90) failed")
    assert "undeclared" in violation
