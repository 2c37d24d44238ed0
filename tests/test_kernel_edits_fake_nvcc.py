"""The nvcc step of a CUDA kernel edit, with a stand-in nvcc on PATH so that it runs on any
machine: the verdict on a GPU and without one, edits that change an existing kernel, and an
nvcc that hangs or cannot start."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from agent.kernel_edits import check_kernel_edit
from agent.records import Edit, Replacement
from evaluation.kernels.cuda_compile import compile_cuda_candidate

# Fails like nvcc on a source that names `undeclared`, otherwise reports like ptxas -v.
FAKE_NVCC = """#!/bin/sh
for last; do :; done
src=""
for arg; do case "$arg" in *.cu) src="$arg";; esac; done
if grep -q undeclared "$src"; then
  echo "$src(5): error: identifier \\"undeclared\\" is undefined" >&2
  exit 1
fi
echo "ptxas info    : Compiling entry function '_Z12scale_kernelPKfPfi' for 'sm_90'"
echo "ptxas info    : Used 8 registers, 376 bytes cmem[0]"
"""

MODULE = '''import torch
from torch.utils.cpp_extension import load_inline

SRC = r"""
__global__ void scale_kernel(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { y[i] = FACTOR * x[i]; }
}
"""


def scale(x):
    ext = load_inline("scale", cpp_sources="", cuda_sources=SRC, functions=[])
    return ext.scale(x) if x.is_cuda else x * 2.0
'''


def alive(pid: int) -> bool:
    """Whether `pid` still runs, given a moment to be reaped (zombies count as gone)."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state == "Z":
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def nvcc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "nvcc"
    tool.write_text(FAKE_NVCC)
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return tool


def edit_of_kernel_body(tmp_path: Path, old_line: str, new_line: str) -> tuple[Edit, Path, Path]:
    """An edit inside an existing load_inline kernel: its text names neither load_inline nor
    __global__, so only the changed CUDA string shows it is a kernel edit."""
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    old = MODULE.replace("FACTOR", old_line)
    (before / "m.py").write_text(old)
    (after / "m.py").write_text(old.replace(old_line, new_line))
    rep = Replacement(path="m.py", search=f"{old_line} * x[i]", replace=f"{new_line} * x[i]")
    edit = Edit(proposer="llm", rule="llm", title="tweak the kernel", rationale="", file="m.py",
                function="scale", replacements=[rep])  # fmt: skip
    return edit, before, after


def test_changing_an_existing_kernel_is_compiled(nvcc: Path, tmp_path: Path) -> None:
    check = check_kernel_edit(*edit_of_kernel_body(tmp_path, "2.0f", "2.0f + 0.0f"), gpu=False)
    assert check is not None and check.kinds == ("cuda",)
    assert check.violations == []
    assert any("nvcc compiled _Z12scale_kernelPKfPfi" in n and "8 registers" in n
               for n in check.notes)  # fmt: skip


def test_a_compile_error_rejects_without_a_gpu_and_is_a_note_on_one(
    nvcc: Path, tmp_path: Path
) -> None:
    args = edit_of_kernel_body(tmp_path, "2.0f", "undeclared[i]")
    off_gpu = check_kernel_edit(*args, gpu=False)
    assert off_gpu is not None
    (violation,) = off_gpu.violations
    assert violation.startswith("m.py: cuda-compile: nvcc (sm_90) failed")
    assert '"undeclared" is undefined' in violation
    on_gpu = check_kernel_edit(*args, gpu=True)
    assert on_gpu is not None and on_gpu.violations == []
    assert any("undefined" in n and "the tests build it for real" in n for n in on_gpu.notes)


def test_an_edit_outside_cuda_strings_is_no_kernel_edit(nvcc: Path, tmp_path: Path) -> None:
    edit, before, after = edit_of_kernel_body(tmp_path, "2.0f", "2.0f")
    (after / "m.py").write_text(MODULE.replace("FACTOR", "2.0f").replace("x * 2.0", "x + x"))
    assert check_kernel_edit(edit, before, after, gpu=False) is None


def test_an_nvcc_that_hangs_or_cannot_start_is_one_line(nvcc: Path) -> None:
    source = MODULE.replace("FACTOR", "2.0f")
    # like nvcc waiting on a hung helper (ptxas, cicc): the helper must not outlive it
    helper_pid = nvcc.parent / "helper.pid"
    nvcc.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {helper_pid}\nwait\n")
    hung = compile_cuda_candidate(source, timeout_s=0.5)
    assert not hung.ok and hung.error == "nvcc ran over its 0.5 s limit"
    assert not alive(int(helper_pid.read_text()))
    nvcc.chmod(0o644)  # on PATH but not executable: which() skips it, so make it the only one
    broken = nvcc.parent / "nvcc-broken"
    broken.write_text("not a program")
    broken.chmod(0o755)
    nvcc.unlink()
    broken.rename(nvcc)
    failed = compile_cuda_candidate(source)
    assert not failed.ok and failed.error is not None
    assert failed.error.startswith("nvcc could not run:") and "\n" not in failed.error
