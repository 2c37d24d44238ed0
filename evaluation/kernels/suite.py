"""The kernel suite end to end (parent side, standard library only): probe the interpreter that
has torch, check every candidate against gaming, time the passing ones on a GPU, aggregate.

Used by `perfsmith bench kernels` and by benchmarks/kernels_gpu.py. Without a GPU the suite can
only say which candidates are correct (Triton's interpreter); `timed=False` then skips timing,
and the summary's fast_p and median stay None rather than counting untimed tasks as slow.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evaluation.kernels.checker import CheckOptions, check_many
from evaluation.kernels.records import CheckReport, ShapeResult, shape_result_from_json
from evaluation.kernels.subproc import run_child
from evaluation.kernels.summary import summarize
from tasks.kernels import ProblemSpec

Log = Callable[[str], None]

_PROBE = """
import json, sys
out = {"python": sys.version.split()[0]}
try:
    import torch
    out.update(torch=torch.__version__, torch_cuda=torch.version.cuda, cuda_available=torch.cuda.is_available())
    if out["cuda_available"]:
        out["device"] = torch.cuda.get_device_name(0)
except Exception as exc:
    out["torch_error"] = repr(exc)
for name in ("triton", "numpy"):
    try:
        out[name] = __import__(name).__version__
    except Exception as exc:
        out[name + "_error"] = repr(exc)
print(json.dumps(out))
"""


def probe(python: str) -> dict[str, Any]:
    """What `python` can import (torch, triton, numpy) and whether it sees a CUDA GPU.
    An interpreter that cannot run at all gives {"probe_error": ...}."""
    try:
        proc = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"probe_error": f"{python} cannot run the import probe: {exc}"}
    if proc.returncode != 0:
        return {
            "probe_error": f"{python} cannot run the import probe: {proc.stderr.strip()[-300:]}"
        }
    try:
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"probe_error": f"{python} is not a Python interpreter (its probe printed no JSON)"}
    return result


def missing_requirements(env: dict[str, Any], gpu: bool) -> list[str]:
    """Everything the suite needs that `env` (a probe) lacks, one line each; gpu: a visible
    CUDA device is required too."""
    if "probe_error" in env:
        return [str(env["probe_error"])]
    missing = []
    if tuple(int(x) for x in str(env["python"]).split(".")[:2]) < (3, 10):
        missing.append(f"python >= 3.10 (found {env['python']})")
    if "torch_error" in env:
        missing.append(
            f"torch: not importable ({env['torch_error']}); install a CUDA build of torch"
        )
    elif gpu and not env["cuda_available"]:
        missing.append(
            f"a visible CUDA GPU: torch {env['torch']} (CUDA {env['torch_cuda']}) reports "
            "torch.cuda.is_available() == False; use a CUDA build of torch on a GPU machine, or --cpu-smoke"
        )
    if "triton_error" in env:
        missing.append(
            f"triton: not importable ({env['triton_error']}); it ships with CUDA torch wheels"
        )
    if not gpu and "numpy_error" in env:
        missing.append(
            f"numpy: not importable ({env['numpy_error']}); the Triton interpreter needs it"
        )
    return missing


@dataclass(frozen=True)
class KernelSuiteOptions:
    device: str  # "cuda", or "cpu" (Triton's interpreter: correctness, timings mean nothing)
    python: str  # the interpreter with torch and triton
    timed: bool = True  # False: check only (the summary then has no fast_p)
    dtypes: tuple[str, ...] = ("float32",)
    max_shapes: int | None = None  # timing shapes per problem; None = all
    runs: int | None = None  # timed runs per measurement (default 100 on a GPU, 5 on a CPU)
    compile_baseline: bool = True  # also time torch.compile (GPU only)
    workers: int = 4  # correctness checks side by side


@dataclass
class KernelSuiteResult:
    checks: list[CheckReport]
    rows: list[ShapeResult]
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def run_kernel_suite(
    items: Sequence[tuple[ProblemSpec, Path | None]], options: KernelSuiteOptions, log: Log
) -> KernelSuiteResult:
    """Check each (problem, candidate), then time the passing ones. Rows are one per
    (problem, timing shape, dtype); a candidate that failed its check, or a problem with no
    candidate (None), gives failed rows, so it counts in fast_p's denominator."""
    started = time.perf_counter()
    present = [(spec, path) for spec, path in items if path is not None]
    checks = check_many(present, check_options(options), options.workers) if present else []
    for report in checks:
        log(f"  check {report.summary()} [{report.seconds:.0f} s]")
    by_problem = {report.problem: report for report in checks}
    rows: list[ShapeResult] = []
    for spec, candidate in items:
        for dtype in (d for d in options.dtypes if d in spec.dtypes):
            check = by_problem.get(spec.name)
            if candidate is None or check is None:
                rows += _failed(spec, dtype, options, "no candidate")
            elif check.status != "passed":
                rows += _failed(spec, dtype, options, _check_failure(check))
            elif options.timed:
                rows += _time_problem(spec, candidate, check, dtype, options, log)
            else:
                rows += [
                    ShapeResult(spec.name, shape, dtype, correct=True, error="not timed: no GPU")
                    for shape in _timing_shapes(spec, options)
                ]
    return KernelSuiteResult(
        checks, rows, summarize(rows, options.timed), seconds=time.perf_counter() - started
    )


def write_results(
    out: Path, env: dict[str, Any], result: KernelSuiteResult, report: str
) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "format": "perfsmith-kernels/1",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(result.seconds, 1),
        "environment": env,
        "summary": result.summary,
        "checks": [c.to_json() for c in result.checks],
        "rows": [r.to_json() for r in result.rows],
    }
    (out / "results.json").write_text(json.dumps(data, indent=1))
    (out / "results.md").write_text(report)
    return out / "results.json", out / "results.md"


def check_options(options: KernelSuiteOptions) -> CheckOptions:
    """How the suite checks a candidate: small interpreter shapes on a CPU, all on a GPU."""
    if options.device == "cpu":
        return CheckOptions(
            aot=True,
            device="cpu",
            shape_kinds=("cpu",),
            max_shapes=2,
            fills=("normal", "large"),
            python=options.python,
        )
    return CheckOptions(device="cuda", shape_kinds=("cpu", "gpu"), python=options.python)


def _timing_shapes(spec: ProblemSpec, options: KernelSuiteOptions) -> list[dict[str, int]]:
    if options.device == "cpu":
        return list(spec.shapes["cpu"][1:2])
    return list(spec.shapes["gpu"][: options.max_shapes])


def _failed(
    spec: ProblemSpec, dtype: str, options: KernelSuiteOptions, reason: str
) -> list[ShapeResult]:
    return [
        ShapeResult(spec.name, shape, dtype, correct=False, error=reason)
        for shape in _timing_shapes(spec, options)
    ]


def _time_problem(
    spec: ProblemSpec,
    candidate: Path,
    check: CheckReport,
    dtype: str,
    options: KernelSuiteOptions,
    log: Log,
) -> list[ShapeResult]:
    shapes = _timing_shapes(spec, options)
    on_cpu = options.device == "cpu"
    job = {
        "problem": spec.name,
        "candidate": str(candidate.resolve()),
        "device": options.device,
        "shapes": shapes,
        "dtype": dtype,
        "runs": options.runs or (5 if on_cpu else 100),
        "warmup": 1 if on_cpu else 10,
        "flush_bytes": (8 if on_cpu else 256) * 2**20,
        "compile": options.compile_baseline and not on_cpu,
        "seed": check.seed or 0,
    }
    started = time.perf_counter()
    result = run_child(
        "evaluation.kernels.time_child",
        job,
        python=options.python,
        interpret=on_cpu,
        timeout_s=1800,
    )
    log(f"  timed {spec.name} {dtype} [{time.perf_counter() - started:.0f} s]")
    if result.data is None:
        return [
            ShapeResult(spec.name, s, dtype, correct=False, error=result.describe_failure())
            for s in shapes
        ]
    return [shape_result_from_json(r) for r in result.data["rows"]]


def _check_failure(check: CheckReport) -> str:
    return f"check {check.status}: {check.reasons[0] if check.reasons else ''}"
