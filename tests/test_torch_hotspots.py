"""The kernel path's pieces that need no torch: counting a hotspot's PyTorch samples (py-spy
native frames, cProfile built-ins), the torch-dominated target, the kernel prompt variant, the
static checks of kernel edits, and the extra environment their commands run with."""

from __future__ import annotations

from pathlib import Path

from test_profilers_attribution import (
    EXEC,
    LOOKUP_KEY,
    MODULE_KEY,
    PROCESS,
    attribute,
    by_key,
    frames_in,
    pstats_of,
    repo,
)

from agent.kernel_edits import added_violations, check_kernel_edit, kernel_kinds
from agent.proposers.kernel_prompt import focuses_for
from agent.proposers.prompts import FOCUSES
from agent.records import Edit, Replacement
from agent.targets import TORCH_DOMINATED_SHARE, pick_targets
from profilers.cprofile import profile_from_pstats
from profilers.torch_frames import imports_torch, is_torch_frame
from sandbox.extra_env import ExtraEnv
from sandbox.local import LocalSandbox

__all__ = ["repo"]  # the fixture, used by name
SITE = "/venv/lib/python3.11/site-packages"
LOOKUP = (("<module>", "main.py", 4), ("lookup", "app/core.py", 7))
NATIVE_ADD = [
    ("at::native::add_kernel", f"{SITE}/torch/lib/libtorch_cpu.so", 0),
    ("0x7f00dead", "/usr/lib/x86_64-linux-gnu/libc.so.6", 0),
]
GELU = ("~", 0, "<built-in method torch._C._nn.gelu>")
SORTED = ("~", 0, "<built-in method builtins.sorted>")


def test_torch_frames_are_recognised_in_python_native_and_cprofile_form() -> None:
    assert is_torch_frame(f"{SITE}/torch/nn/modules/module.py", "Module._call_impl")
    assert is_torch_frame(f"{SITE}/torch/lib/libtorch_cpu.so", "0x7f00beef")
    assert is_torch_frame("", "c10::impl::OperatorEntry::call")
    assert is_torch_frame(*GELU[::2])
    assert is_torch_frame("~", "<method 'sum' of 'torch._C.TensorBase' objects>")
    assert not is_torch_frame(f"{SITE}/numpy/core/fromnumeric.py", "sum")
    assert not is_torch_frame("~", "<built-in method builtins.sorted>")
    assert not is_torch_frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "memcpy")


def test_py_spy_samples_with_torch_below_the_function_count_as_its_torch_samples(
    repo: Path,
) -> None:
    profile = attribute(
        repo,
        (frames_in(repo, PROCESS, *LOOKUP, *NATIVE_ADD), 0.015),  # 3 samples in torch
        (frames_in(repo, PROCESS, *LOOKUP), 0.005),  # 1 in the function's own Python
        (frames_in(repo, PROCESS, LOOKUP[0], *NATIVE_ADD), 0.005),  # torch, but for <module>
    )
    lookup = by_key(profile)["app/core.py::Catalog.lookup"]
    assert (lookup.self_samples, lookup.torch_samples, lookup.torch_share) == (4, 3, 0.75)
    assert by_key(profile)["main.py::<module>"].torch_samples == 1


def test_cprofile_counts_the_time_of_torch_builtins_a_function_called(repo: Path) -> None:
    stats = pstats_of(
        repo,
        {
            EXEC: (0.0, {}),
            MODULE_KEY: (0.01, {EXEC: 1.0}),
            LOOKUP_KEY: (0.1, {MODULE_KEY: 0.6}),
            GELU: (0.3, {LOOKUP_KEY: 0.3}),
            SORTED: (0.2, {LOOKUP_KEY: 0.2}),
        },
    )
    lookup = by_key(profile_from_pstats(stats, repo))["app/core.py::Catalog.lookup"]
    assert (lookup.self_samples, lookup.torch_samples) == (600_000, 300_000)


def test_a_target_is_torch_dominated_from_the_threshold_and_gets_the_kernel_variant_first(
    repo: Path,
) -> None:
    at = TORCH_DOMINATED_SHARE
    mostly = attribute(repo, *[(frames_in(repo, *LOOKUP, *NATIVE_ADD), 0.005)] * 3,
                       (frames_in(repo, *LOOKUP), 0.005))  # fmt: skip
    python = attribute(repo, (frames_in(repo, *LOOKUP), 0.005))
    hot = pick_targets(mostly, repo, 1, "python main.py")[0]
    cold = pick_targets(python, repo, 1, "python main.py")[0]
    assert hot.hotspot.torch_share >= at > cold.hotspot.torch_share
    assert hot.torch_dominated and not cold.torch_dominated
    assert focuses_for(cold) == FOCUSES
    kernel, *rest = focuses_for(hot)
    assert rest == FOCUSES and "75% of this function's own time" in kernel
    assert "TRITON_INTERPRET=1" in kernel and "try/except" in kernel


def test_imports_torch_skips_virtualenv_folders(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.py").write_text("import torch\n")
    (tmp_path / "a.py").write_text("import torchvision_like\n")
    assert not imports_torch(tmp_path, frozenset({".venv"}))
    (tmp_path / "b.py").write_text("from torch import nn\n")
    assert imports_torch(tmp_path, frozenset({".venv"}))


OLD = "import torch\n\n\ndef f(x):\n    try:\n        return x.sum()\n    except ValueError:\n        return 0\n"
KERNEL = "import torch\nimport triton\n\n\ndef g(x):\n    try:\n        return k(x)\n    except Exception:\n        return torch.relu(x)\n"


def edit(search: str, replace: str) -> Edit:
    reps = [Replacement(path="m.py", search=search, replace=replace)]
    return Edit(proposer="llm", rule="llm", title="t", rationale="", file="m.py",
                function="f", replacements=reps)  # fmt: skip


def test_only_violations_the_edit_adds_count_and_reference_rules_do_not_apply() -> None:
    assert added_violations(OLD, OLD, "m.py") == []  # the old try/except is not the edit's
    added = added_violations(OLD, OLD + KERNEL.split("\n\n\n")[1], "m.py")
    assert [v.split(": ")[1] for v in added] == ["try-except"]
    cast = added_violations(OLD, OLD + "\ny = torch.ones(2).half()\n", "m.py")
    assert any("dtype-downgrade" in v for v in cast)


def test_a_kernel_edit_is_one_that_brings_in_triton_or_load_inline(tmp_path: Path) -> None:
    assert kernel_kinds(edit("x", "import triton\n")) == ("triton",)
    assert kernel_kinds(edit("x", "load_inline(name='k', cuda_sources=[s])")) == ("cuda",)
    assert kernel_kinds(edit("triton.cdiv(n, 4)", "triton.cdiv(n, 8)")) == ()
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    (before / "m.py").write_text(OLD)
    (after / "m.py").write_text(OLD + KERNEL)
    cpu = check_kernel_edit(edit(OLD, OLD + KERNEL), before, after, gpu=False)
    assert cpu is not None and cpu.env == {"TRITON_INTERPRET": "1"}
    assert "try-except" in cpu.reason and "GPU timing needs a GPU" in cpu.timing_caveat
    gpu = check_kernel_edit(edit(OLD, OLD + KERNEL), before, after, gpu=True)
    assert gpu is not None and gpu.env == {} and gpu.timing_caveat == ""
    assert check_kernel_edit(edit("x", "y"), before, after) is None


def test_extra_env_reaches_the_command_and_the_callers_own_variables_win(tmp_path: Path) -> None:
    sandbox = ExtraEnv(LocalSandbox(), {"TRITON_INTERPRET": "1", "A": "extra"})
    result = sandbox.run('echo "$TRITON_INTERPRET $A"', tmp_path, env={"A": "caller"})
    assert result.ok and result.stdout.strip() == "1 caller"
