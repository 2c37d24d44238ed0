"""Check a kernel candidate against its problem: static checks here, trials in a child process.

    report = check_candidate(load_problem("row_softmax"), Path("cand.py"), CheckOptions())

On a machine without a GPU, use device="cpu": children run under TRITON_INTERPRET=1 on the small
"cpu" shapes, and CUDA C++ candidates are compiled (nvcc), never run.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from evaluation.kernels.aot import aot_compile
from evaluation.kernels.cuda_compile import compile_cuda_candidate
from evaluation.kernels.records import CheckReport, trial_from_json
from evaluation.kernels.static_checks import static_check, uses_cuda_source
from evaluation.kernels.subproc import run_child
from tasks.kernels.registry import ProblemSpec


@dataclass(frozen=True)
class CheckOptions:
    device: str = "cpu"  # "cpu" (Triton interpreter) or "cuda"
    shape_kinds: tuple[str, ...] = ("cpu",)
    max_shapes: int | None = None  # per kind; None = all
    dtypes: tuple[str, ...] | None = None  # None = all the problem declares
    fills: tuple[str, ...] | None = None  # None = all the problem allows
    seed: int | None = None  # None = a fresh random seed, recorded in the report
    fail_fast: bool = True
    aot: bool = False  # on CPU: also compile the launched Triton kernels for sm_90 (aot.py)
    timeout_s: float = 600
    python: str = sys.executable  # the interpreter that has torch (and triton)


def check_candidate(spec: ProblemSpec, candidate: Path, options: CheckOptions) -> CheckReport:
    started = time.perf_counter()
    report = _check(spec, candidate, options)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def check_many(
    items: Sequence[tuple[ProblemSpec, Path]], options: CheckOptions, workers: int | None = None
) -> list[CheckReport]:
    """Several candidates at once, still one process each (threads here only wait on children)."""
    workers = workers or max(1, min(len(items), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: check_candidate(item[0], item[1], options), items))


def _check(spec: ProblemSpec, candidate: Path, options: CheckOptions) -> CheckReport:
    report = CheckReport(
        problem=spec.name, candidate=str(candidate), device=options.device, status="error"
    )
    source = candidate.read_text()
    report.violations = static_check(source, spec.forbidden, spec.dtypes)
    if report.violations:
        report.status = "rejected"
        report.reasons = [f"{v.rule} (line {v.line}): {v.message}" for v in report.violations]
        return report
    if uses_cuda_source(source) and options.device == "cpu":
        return _compile_only(report, source)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    job = {
        "problem": spec.name,
        "candidate": str(candidate.resolve()),
        "device": options.device,
        "shape_kinds": list(options.shape_kinds),
        "max_shapes": options.max_shapes,
        "dtypes": list(options.dtypes) if options.dtypes else None,
        "fills": list(options.fills) if options.fills else None,
        "seed": seed,
        "fail_fast": options.fail_fast,
    }
    interpret = options.device == "cpu"
    result = run_child(
        "evaluation.kernels.check_child",
        job,
        python=options.python,
        interpret=interpret,
        timeout_s=options.timeout_s,
    )
    if result.data is None:
        report.reasons = [f"the check process failed: {result.describe_failure()}"]
        return report
    data = result.data
    report.seed = seed
    report.status = data["status"]
    report.reasons = list(data.get("reasons", []))
    report.trials = [trial_from_json(t) for t in data.get("trials", [])]
    report.skipped = list(data.get("skipped", []))
    report.adaptations = list(data.get("adaptations", []))
    report.launches = list(data.get("launches", []))
    if options.aot and options.device == "cpu" and report.passed and report.launches:
        _add_aot(report, options)
    return report


def _add_aot(report: CheckReport, options: CheckOptions) -> None:
    """The interpreter forgives what the compiler does not; a kernel that cannot compile fails."""
    report.aot = aot_compile(report.launches, python=options.python)
    broken = [k for k in report.aot if not k["ok"]]
    if broken:
        report.status = "failed"
        report.reasons.append(
            f"AOT compile for sm_90 failed: {broken[0]['kernel']}: {broken[0]['error']}"
        )


def _compile_only(report: CheckReport, source: str) -> CheckReport:
    compiled = compile_cuda_candidate(source)
    report.adaptations.append(
        "CUDA C++ source: compile-only without a GPU (never run on CPU tensors)"
    )
    report.adaptations += [f"nvcc -Xptxas -v: {line}" for line in compiled.resources]
    if compiled.ok:
        report.status = "compile-only"
        report.reasons = [
            f"compiled {', '.join(compiled.kernels) or 'device code'} for sm_90; not run (no GPU)"
        ]
    else:
        report.status = "failed"
        report.reasons = [f"CUDA compile failed: {compiled.error}"]
    return report
