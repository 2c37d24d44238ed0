"""End to end on the CPU: every reference solution passes under the Triton interpreter, every
dynamic gaming trick fails for the expected reason, hard-coded CUDA is adapted, and the recorded
launches compile ahead of time for sm_90 (where the interpreter's leniency is caught)."""

from __future__ import annotations

import importlib.util

import pytest

from evaluation.kernels.aot import aot_compile
from evaluation.kernels.checker import CheckOptions, check_many
from evaluation.kernels.records import CheckReport
from tasks.kernels import load_problem, problem_names
from tasks.kernels.gaming import TRICKS

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("triton") is None,
    reason="torch/triton not importable here; run with .venv-kernels (see docs/kernels.md)",
)

# Small but still varied: two shapes (one of them a size-1 edge), two fills, every CPU dtype.
OPTIONS = CheckOptions(max_shapes=2, fills=("normal", "zeros"), seed=1234)
DYNAMIC_TRICKS = [t for t in TRICKS if t.verdict == "failed"]

HARD_CODED_CUDA = """
import torch
import triton
import triton.language as tl
from torch import nn


@triton.jit
def _softmax(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row * n + offs, mask=offs < n, other=-float("inf"))
    e = tl.exp(x - tl.max(x, axis=0))
    tl.store(out_ptr + row * n + offs, e / tl.sum(e, axis=0), mask=offs < n)


class ModelNew(nn.Module):
    def forward(self, x):
        assert x.is_cuda, "GPU only"
        x = x.cuda()
        out = torch.empty(x.shape, device="cuda", dtype=x.dtype)
        _softmax[(x.shape[0],)](x, out, x.shape[1], BLOCK=triton.next_power_of_2(x.shape[1]))
        torch.cuda.synchronize()
        return out
"""

# Correct under the interpreter (NumPy promotes the int accumulator), rejected by the real
# compiler: a loop-carried value may not change type from int32 to fp32.
INTERPRETER_ONLY = """
import torch
import triton
import triton.language as tl
from torch import nn


@triton.jit
def _rms_norm(x_ptr, w_ptr, out_ptr, n, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    ss = 0
    for start in range(0, n, BLOCK):
        x = tl.load(x_ptr + row * n + start + cols, mask=start + cols < n, other=0.0).to(tl.float32)
        ss += tl.sum(x * x, axis=0)
    inv = 1.0 / tl.sqrt(ss / n + eps)
    for start in range(0, n, BLOCK):
        m = start + cols < n
        x = tl.load(x_ptr + row * n + start + cols, mask=m, other=0.0).to(tl.float32)
        w = tl.load(w_ptr + start + cols, mask=m, other=0.0).to(tl.float32)
        tl.store(out_ptr + row * n + start + cols, (x * inv * w).to(out_ptr.dtype.element_ty), mask=m)


class ModelNew(nn.Module):
    def __init__(self, hidden, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(hidden))

    def forward(self, x):
        out = torch.empty_like(x)
        _rms_norm[(x.shape[0],)](x, self.weight, out, x.shape[1], self.eps, BLOCK=64)
        return out
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckReport]:
    """All candidates in one parallel batch (each still in its own process): keeps the suite fast."""
    tmp = tmp_path_factory.mktemp("kernel-candidates")
    (tmp / "hard_coded_cuda.py").write_text(HARD_CODED_CUDA)
    (tmp / "interpreter_only.py").write_text(INTERPRETER_ONLY)
    jobs = {n: (load_problem(n), load_problem(n).solution_path) for n in problem_names()}
    jobs |= {t.name: (load_problem(t.problem), t.path) for t in DYNAMIC_TRICKS}
    jobs["hard_coded_cuda"] = (load_problem("row_softmax"), tmp / "hard_coded_cuda.py")
    jobs["interpreter_only"] = (load_problem("rms_norm"), tmp / "interpreter_only.py")
    return dict(zip(jobs, check_many(list(jobs.values()), OPTIONS, workers=4), strict=True))


@pytest.mark.parametrize("name", problem_names())
def test_reference_solution_passes(reports: dict[str, CheckReport], name: str) -> None:
    report = reports[name]
    assert report.status == "passed", report.reasons
    assert len(report.trials) >= 4 and all(t.passed for t in report.trials)
    assert {t.fill for t in report.trials} == {"normal", "zeros"}
    assert len({t.seed for t in report.trials}) == len(report.trials)  # fresh inputs every trial
    if load_problem(name).solution_kind == "triton":
        assert report.launches, "a Triton solution launched no kernel"


@pytest.mark.parametrize("trick", DYNAMIC_TRICKS, ids=lambda t: t.name)
def test_gaming_trick_is_caught_at_run_time(reports: dict[str, CheckReport], trick) -> None:  # type: ignore[no-untyped-def]
    report = reports[trick.name]
    assert report.status == "failed"
    assert any(trick.reason in r for r in report.reasons), report.reasons


def test_bfloat16_is_skipped_with_a_reason_on_cpu(reports: dict[str, CheckReport]) -> None:
    assert any("bfloat16: GPU-only" in s for s in reports["row_softmax"].skipped)
    assert all(t.dtype != "bfloat16" for t in reports["row_softmax"].trials)


def test_hard_coded_cuda_is_adapted_to_the_interpreter(reports: dict[str, CheckReport]) -> None:
    report = reports["hard_coded_cuda"]
    assert report.status == "passed", report.reasons
    assert "mapped .is_cuda -> .is_cpu" in report.adaptations
    assert "mapped device 'cuda' -> 'cpu'" in report.adaptations


def test_aot_compile_reports_resources_and_catches_what_the_interpreter_forgives(
    reports: dict[str, CheckReport],
) -> None:
    assert reports["interpreter_only"].status == "passed"  # the interpreter accepts it
    launches = reports["row_softmax"].launches[:1] + reports["interpreter_only"].launches[:1]
    good, bad = aot_compile(launches, python=OPTIONS.python)
    assert good["ok"], good
    assert good["registers"] > 0 and good["spill_bytes"] == 0 and good["shared"] >= 0
    assert not bad["ok"] and "Loop-carried variable" in bad["error"]
