"""The optimize loop's kernel path, end to end on a CPU: a repository whose hot function is
PyTorch ops (bias + GELU) is profiled, its target is found torch-dominated, the LLM proposer
(the shipped scripted model) is asked with the kernel prompt variant, a Triton kernel edit is
verified by the repository's tests under the Triton interpreter and judged (not accepted
without a GPU), and a kernel that falls back to PyTorch in try/except is rejected statically.

perfsmith itself runs in the main venv, as in real use; the repository's tests and workload
run with .venv-kernels' interpreter (torch CPU + triton), as a user project's own venv would.
Under .venv-kernels (no langchain) the module skips; `make test`'s main-venv run executes it.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest
from conftest import KERNEL_PYTHON, kernel_venv_ready, make_repo

KPY = KERNEL_PYTHON
pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("langchain_core") is None,
        reason="the optimize loop needs the main venv (langchain); this venv only runs kernels",
    ),
    pytest.mark.skipif(
        not kernel_venv_ready(),
        reason="needs .venv-kernels with torch and triton (make test builds it)",
    ),
    pytest.mark.e2e,
]

ACT = """import torch
import torch.nn.functional as F


def bias_gelu(x, b):
    rows = []
    for row in x:
        rows.append(F.gelu(row + b, approximate="tanh"))
    return torch.stack(rows)
"""
TEST_ACT = """import math

import torch

from act import bias_gelu


def test_bias_gelu_matches_tanh_gelu_on_odd_sizes():
    torch.manual_seed(1)
    for rows, cols in [(1, 1), (7, 33), (3, 1000)]:
        x, b = torch.randn(rows, cols) * 3, torch.randn(cols)
        y = x + b
        expected = 0.5 * y * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (y + 0.044715 * y**3)))
        torch.testing.assert_close(bias_gelu(x, b), expected, atol=1e-5, rtol=1e-5)
"""
BENCH = """import torch

from act import bias_gelu

torch.manual_seed(0)
torch.set_num_threads(1)
x, b = torch.randn(256, 16), torch.randn(16)
total = 0.0
for _ in range(150):
    total += float(bias_gelu(x, b).sum())
print(f"{total:.0f}")
"""
IMPORTS = "import torch\nimport torch.nn.functional as F\n"
FUNCTION = ACT[len(IMPORTS) + 2 :]  # the function, after the imports and two blank lines
KERNEL = """import torch
import triton
import triton.language as tl


@triton.jit
def _bias_gelu_kernel(x_ptr, b_ptr, out_ptr, n, features, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0.0).to(tl.float32)
    b = tl.load(b_ptr + offs % features, mask=mask, other=0.0).to(tl.float32)
    y = x + b
    u = 0.7978845608028654 * (y + 0.044715 * y * y * y)
    out = y / (1.0 + tl.exp(-2.0 * u))  # 0.5 * y * (1 + tanh(u))
    tl.store(out_ptr + offs, out.to(out_ptr.dtype.element_ty), mask=mask)
"""
LAUNCH = """def bias_gelu(x, b):
    x = x.contiguous()
    out = torch.empty_like(x)
    n = x.numel()
    block = min(triton.next_power_of_2(n), 131072)
    _bias_gelu_kernel[(triton.cdiv(n, block),)](x, b, out, n, b.numel(), BLOCK=block)
    return out
"""
FALLBACK = """import torch.nn.functional as F


def bias_gelu(x, b):
    try:
        x = x.contiguous()
        out = torch.empty_like(x)
        _bias_gelu_kernel[(1,)](x, b, out, x.numel(), b.numel(), BLOCK=65536)
        return out
    except Exception:
        return F.gelu(x + b, approximate="tanh")
"""


def reply(title: str, imports: str, function: str) -> str:
    blocks = [("act.py", IMPORTS, imports), ("act.py", FUNCTION, function)]
    body = "".join(f"{p}\n<<<<<<< SEARCH\n{s}=======\n{r}>>>>>>> REPLACE\n" for p, s, r in blocks)
    return f"TITLE: {title}\nRATIONALE: one fused pass instead of two torch ops\n\n{body}"


def test_a_torch_hotspot_gets_a_verified_triton_kernel_and_a_fallback_is_rejected(
    tmp_path: Path,
) -> None:
    from agent.config import Budget, OptimizeConfig
    from agent.kernel_edits import has_gpu
    from agent.loop import Optimizer
    from agent.proposers.llm import LLMProposer
    from agent.proposers.scripted_model import ScriptedChatModel
    from agent.records import RunState
    from agent.store import RunStore
    from agent.targets import TORCH_DOMINATED_SHARE
    from profilers import get_profiler
    from profilers.api import Profile
    from sandbox import workspace
    from sandbox.local import LocalSandbox
    from sandbox.workspace import inspect_repo

    if has_gpu():
        pytest.skip("a GPU is present: this test covers the CPU interpreter path")
    files = {"act.py": ACT, "test_act.py": TEST_ACT, "bench.py": BENCH}
    repo = make_repo(tmp_path / "repo", files)
    settings = OptimizeConfig(
        bench=f"{KPY} bench.py",
        test=f"{KPY} -m pytest -q -p no:cacheprovider test_act.py",
        budget=Budget(rounds=1, minutes=5),
        measure_seconds=1,
        hotspots=1,
        samples=2,
        model="scripted:x",
    )
    store = RunStore(tmp_path / "run")
    info = inspect_repo(repo)
    state = RunState(run_id="k", repo=repo, base_commit=info.head, started_at=time.time())
    baseline = workspace.snapshot(info, tmp_path / "s" / "baseline", include_uncommitted=False)
    gaming = reply("Triton GELU with a safety net", KERNEL, FALLBACK)
    kernel = reply("Fused bias+GELU Triton kernel", KERNEL, LAUNCH)
    model = ScriptedChatModel(replies=[gaming, kernel])
    proposer = LLMProposer(model, samples=2, max_tool_rounds=0)
    optimizer = Optimizer(settings, state, store, LocalSandbox(), get_profiler("auto"),
                          proposer, tmp_path / "s", lambda k, m: None)  # fmt: skip
    optimizer.run(baseline)

    profile = Profile.model_validate_json((store.dir / "profiles" / "round-1.json").read_text())
    print(
        optimizer.state.stop_reason,
        [(h.function, h.self_percent, h.torch_share) for h in profile.hotspots][:5],
    )
    spot = next(h for h in profile.hotspots if h.function == "bias_gelu")
    assert spot.torch_share >= TORCH_DOMINATED_SHARE, spot

    prompts = ["\n".join(str(m.content) for m in call) for call in model.received]
    assert "Replace the hot region with one fused kernel" in prompts[0]
    assert "TRITON_INTERPRET=1" in prompts[0]
    assert "fused kernel" not in prompts[1]  # the second sample keeps the ordinary variant

    by_title = {c.edit.title: c for c in store.candidates()}
    rejected = by_title["Triton GELU with a safety net"]
    assert rejected.status == "rejected"
    assert rejected.reason.startswith("kernel static checks failed")
    assert "try-except" in rejected.reason and rejected.verdict is None

    judged = by_title["Fused bias+GELU Triton kernel"]
    assert judged.status == "rejected" and judged.verdict is not None, judged.reason
    assert "passed the tests and output check" in judged.reason
    assert "GPU timing needs a GPU" in judged.reason
    assert any("TRITON_INTERPRET=1" in n for n in judged.notes)
    events = (store.dir / "events.jsonl").read_text().splitlines()
    assert not any(json.loads(e)["kind"] == "proposer-error" for e in events)
