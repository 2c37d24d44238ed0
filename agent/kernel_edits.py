"""What a kernel edit (one that introduces Triton or `load_inline` CUDA) must pass besides the
ordinary trial, and how its commands run on a machine without a GPU.

- The static anti-gaming checks of evaluation/kernels/static_checks.py, on every Python file
  the edit changes; only violations the edit adds count, so the module's older code is not
  blamed. The KernelBench-specific rules (ModelNew's shape, the reference Model) do not apply
  to a repository, and no op is forbidden: the repository's tests and output judge the result.
- Without a GPU, the candidate's tests and workload run with TRITON_INTERPRET=1, so Triton runs
  on CPU tensors and correctness is still checked; the timing then measures the interpreter,
  and the notes say that GPU timing needs a GPU. CUDA C++ cannot run at all without a GPU.
  Such a candidate is judged but never accepted: a CPU-only deployment would not run Triton
  without the interpreter, and the following rounds profile without it.
- CUDA C++ strings (load_inline sources) are compiled, device code only, with nvcc where it is
  installed (evaluation/kernels/cuda_compile.py), GPU or not, whenever the edit adds
  load_inline or changes a file's CUDA strings. Without a GPU a compile error rejects the edit
  before any test runs (it could not be accepted there anyway). On a GPU it is only a note: the
  device code is compiled without torch's headers, so code that uses them fails here although
  load_inline would build it, and the candidate's tests run the real build. The notes carry
  ptxas' register and shared-memory use.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from agent.records import Edit
from evaluation.kernels.cuda_compile import compile_cuda_candidate, cuda_sources
from evaluation.kernels.static_checks import static_check

TRITON = re.compile(r"\btriton\b")
CUDA_INLINE = re.compile(r"\bload_inline\b")
NOT_FOR_REPOSITORIES = frozenset(
    {"no-modelnew", "subclasses-reference", "no-forward", "calls-reference"}
)
INTERPRETER_ENV = {"TRITON_INTERPRET": "1"}
GPU_DEVICES = (Path("/dev/nvidiactl"), Path("/dev/kfd"))  # NVIDIA, AMD ROCm


@dataclass(frozen=True)
class KernelCheck:
    kinds: tuple[str, ...]  # "triton", "cuda"
    violations: list[str]  # "path:line: rule: message", each a reason to reject
    env: dict[str, str] = field(default_factory=dict)  # for the candidate's commands
    notes: list[str] = field(default_factory=list)
    timing_caveat: str = ""  # set without a GPU: why the candidate is judged but not accepted

    @property
    def reason(self) -> str:
        return "kernel static checks failed: " + "; ".join(self.violations)


def has_gpu() -> bool:
    """A GPU driver's device node exists (no torch needed in perfsmith's own environment)."""
    return any(p.exists() for p in GPU_DEVICES) or shutil.which("nvidia-smi") is not None


def kernel_kinds(edit: Edit) -> tuple[str, ...]:
    """The kinds of kernel code the edit's replacement text brings in (not merely keeps)."""
    kinds = []
    for kind, pattern in (("triton", TRITON), ("cuda", CUDA_INLINE)):
        if any(
            pattern.search(r.replace) and not pattern.search(r.search) for r in edit.replacements
        ):
            kinds.append(kind)
    return tuple(kinds)


def check_kernel_edit(
    edit: Edit, before: Path, after: Path, gpu: bool | None = None
) -> KernelCheck | None:
    """None for an edit that is no kernel edit; else its violations (of the files as applied
    in `after`, against `before`) and how to run it. `gpu` defaults to has_gpu()."""
    # each touched Python file as (before, after), read once
    texts = {
        path: (_read(before / path), _read(after / path))
        for path in sorted({r.path for r in edit.replacements if r.path.endswith(".py")})
    }
    kinds = kernel_kinds(edit)
    if "cuda" not in kinds and any(_cuda_changed(old, new) for old, new in texts.values()):
        kinds = (*kinds, "cuda")
    if not kinds:
        return None
    on_gpu = gpu if gpu is not None else has_gpu()
    violations: list[str] = []
    notes: list[str] = []
    for path, (old, new) in texts.items():
        violations += added_violations(old, new, path)
        if "cuda" in kinds:
            failed, note = compile_cuda_sources(new, path)
            if on_gpu:
                notes += [f"kernel: {why} (device code alone; the tests build it for real)"
                          for why in failed]  # fmt: skip
            else:
                violations += failed
            notes += note
    if on_gpu:
        return KernelCheck(kinds, violations, notes=notes)
    if "triton" in kinds:
        notes.append(
            "kernel: no GPU here, so the Triton kernel ran in the interpreter (TRITON_INTERPRET=1): "
            "the tests and the output check its correctness, but its timing is the interpreter's; "
            "GPU timing needs a GPU"
        )
    if "cuda" in kinds:
        notes.append(
            "kernel: CUDA C++ (load_inline) cannot run without a GPU: only the code's CPU path "
            "was tested and timed; GPU timing needs a GPU"
        )
    caveat = (
        "kernel passed the tests and output check without a GPU, but is not accepted: "
        "its timing here is the interpreter's or the CPU path's; GPU timing needs a GPU"
    )
    return KernelCheck(kinds, violations, dict(INTERPRETER_ENV), notes, caveat)


def _cuda_changed(old: str, new: str) -> bool:
    """The edit changed the CUDA strings (load_inline sources) of a file that has some."""
    try:
        after = cuda_sources(new)
        return bool(after) and after != cuda_sources(old)
    except SyntaxError:
        return False  # the trial's own syntax check reports it


def compile_cuda_sources(source: str, path: str) -> tuple[list[str], list[str]]:
    """(violations, notes) from compiling the file's CUDA strings for sm_90 with nvcc."""
    try:
        if not cuda_sources(source):
            return [], []
    except SyntaxError:
        return [], []  # the trial's own syntax check reports it
    report = compile_cuda_candidate(source)
    if report.nvcc is None:
        return [], [f"kernel: {path}: CUDA source not compiled (nvcc not found)"]
    if not report.ok:
        return [f"{path}: cuda-compile: nvcc (sm_90) failed: {report.error}"], []
    used = "; ".join(report.resources[:3]) or "no resource lines"
    kernels = ", ".join(report.kernels) or "no entry functions"
    return [], [f"kernel: {path}: nvcc compiled {kernels} for sm_90 ({used})"]


def added_violations(old: str, new: str, path: str) -> list[str]:
    """Static-check violations in `new` beyond those `old` already had (matched by rule and
    message, so moved lines are not new)."""
    dtypes = _dtypes_in(old)
    seen = Counter((v.rule, v.message) for v in static_check(old, (), dtypes))
    added = []
    for v in static_check(new, (), dtypes):
        if v.rule in NOT_FOR_REPOSITORIES:
            continue
        if seen[v.rule, v.message] > 0:
            seen[v.rule, v.message] -= 1
            continue
        added.append(f"{path}:{v.line}: {v.rule}: {v.message}")
    return added


def _dtypes_in(source: str) -> set[str]:
    """The precisions the module already works in: lowering to a new one is a downgrade."""
    dtypes = {"float32", "float64"}
    if re.search(r"\b(float16|half)\b", source):
        dtypes.add("float16")
    if re.search(r"\bbfloat16\b", source):
        dtypes.add("bfloat16")
    return dtypes


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
