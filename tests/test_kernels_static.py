"""Kernel problems' metadata and the static (AST) checks: no torch needed, runs in every venv."""

from __future__ import annotations

import pytest

from evaluation.kernels.device_map import map_cuda_to_cpu
from evaluation.kernels.static_checks import static_check
from tasks.kernels import load_problem, problem_names
from tasks.kernels.gaming import TRICKS

REQUIRED_CATEGORIES = {
    "elementwise fusion", "row softmax", "normalization", "matmul with fused epilogue", "reduction",
    "attention", "dequantizing GEMV", "sparse",
}  # fmt: skip


def rules(source: str, problem: str = "row_softmax") -> set[str]:
    spec = load_problem(problem)
    return {v.rule for v in static_check(source, spec.forbidden, spec.dtypes)}


def test_problem_set_covers_the_issue() -> None:
    specs = [load_problem(n) for n in problem_names()]
    assert len(specs) >= 10
    assert {s.category for s in specs} >= REQUIRED_CATEGORIES
    assert sum(s.solution_kind == "triton" for s in specs) >= 6
    for s in specs:
        assert s.solution_path.is_file(), s.name
        assert len(s.shapes["cpu"]) >= 3 and s.shapes["gpu"], s.name
        sizes = [v for shape in s.shapes["cpu"] for v in shape.values()]
        assert any(v & (v - 1) for v in sizes), f"{s.name}: no non-power-of-two size"
        assert min(sizes) == 1, f"{s.name}: no size-1 edge case"


@pytest.mark.parametrize("name", problem_names())
def test_reference_solutions_pass_static_checks(name: str) -> None:
    spec = load_problem(name)
    assert static_check(spec.solution_path.read_text(), spec.forbidden, spec.dtypes) == []


@pytest.mark.parametrize(
    "trick", [t for t in TRICKS if t.verdict == "rejected"], ids=lambda t: t.name
)
def test_static_tricks_are_rejected_with_the_expected_rule(trick) -> None:  # type: ignore[no-untyped-def]
    spec = load_problem(trick.problem)
    found = static_check(trick.path.read_text(), spec.forbidden, spec.dtypes)
    assert any(trick.reason in f"{v.rule} {v.message}" for v in found), found


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("import torch.nn.functional as F\ny = F.softmax(x, -1)", "forbidden-op"),
        ("from torch.nn.functional import softmax as sm", "forbidden-op"),
        ("y = x.softmax(-1)", "forbidden-op"),
        ("import torch\nf = torch.softmax", "forbidden-op"),
        ("import torch\ntorch.backends.cuda.matmul.allow_tf32 = True", "dtype-downgrade"),
        ("import torch\ntorch.set_float32_matmul_precision('medium')", "dtype-downgrade"),
        ("import time\ntime.perf_counter = lambda: 0.0", "monkeypatch"),
        ("import triton\nsetattr(triton.testing, 'do_bench', None)", "monkeypatch"),
        ("import torch\ng = torch.cuda.CUDAGraph()", "side-stream"),
        ("s.wait_stream(t)", "side-stream"),
        ("import concurrent.futures", "threads"),
        ("import os\nos.fork()", "threads"),
        ("import sys\nf = sys._getframe(1)", "introspection"),
        ("eval('1')", "introspection"),
        ("import torch\ny = torch.ops.aten.empty.memory_format([1])", "private-api"),
        ("import torch\nm = torch.compile(f)", "baseline"),
        ("import torch\ny = x.to(torch.float8_e4m3fn)", "dtype-downgrade"),
        ("x = 1", "no-modelnew"),
        ("from torch import nn\nclass ModelNew(nn.Module):\n    pass", "no-forward"),
        ("import torch\nclass ModelNew(torch.nn.Linear):\n    pass", "subclasses-reference"),
        ("def f(:\n", "syntax"),
    ],
)
def test_static_rules(snippet: str, rule: str) -> None:
    assert rule in rules(snippet)


def test_triton_kernels_may_use_tl_ops_named_like_forbidden_ones() -> None:
    src = (
        "import torch\nimport triton\nimport triton.language as tl\nfrom torch import nn\n"
        "@triton.jit\ndef k(x_ptr, BLOCK: tl.constexpr):\n"
        "    x = tl.load(x_ptr + tl.arange(0, BLOCK))\n    s = tl.sum(x, axis=0)\n    d = tl.dot(x, x)\n"
        "class ModelNew(nn.Module):\n    def forward(self, x):\n        return x\n"
    )
    assert rules(src, "mean_pool") == set()
    assert rules(src, "matmul_bias_relu") == set()


def test_half_precision_is_allowed_only_where_the_task_has_it() -> None:
    src = "import torch\nfrom torch import nn\nclass ModelNew(nn.Module):\n    def forward(self, x):\n        return x.to(torch.float16)\n"
    assert "dtype-downgrade" not in rules(src, "row_softmax")
    assert "dtype-downgrade" in rules(src, "csr_spmv")


def test_device_map_rewrites_hard_coded_cuda() -> None:
    src = (
        "import torch\n"
        "def f(x):\n"
        "    assert x.is_cuda\n"
        "    y = torch.empty(3, device='cuda:0').cuda()\n"
        "    torch.cuda.synchronize()\n"
        "    return y\n"
    )
    new, notes = map_cuda_to_cpu(src)
    assert "cuda" not in new.replace("torch.cuda", "")
    assert "x.is_cpu" in new and "y = torch.empty(3, device='cpu').to('cpu')" in new
    assert len(notes) == 4
    assert map_cuda_to_cpu("x = 1\n") == ("x = 1\n", [])
