"""Child process: time one problem's reference (eager and torch.compile) and a candidate, per shape.

Usage (by benchmarks/kernels_gpu.py): python -m evaluation.kernels.time_child JOB.json RESULT.json
All three are timed in this one process with the same loop, in alternating rounds, on the same
inputs, and the candidate's output is compared with the reference's at every timed shape before
any timing counts.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from evaluation.kernels import child_setup, timing
from evaluation.kernels.device_map import map_cuda_to_cpu
from evaluation.kernels.loading import import_file
from evaluation.kernels.records import ShapeResult
from evaluation.kernels.trials import CaseFailure, compare_outputs, copy_state
from tasks.kernels import ProblemSpec, load_problem
from tasks.kernels.rand import DTYPES, Rand


@dataclass(frozen=True)
class _Setup:
    job: dict[str, Any]
    spec: ProblemSpec
    problem: ModuleType
    model_new: type[torch.nn.Module]
    time_once: timing.TimeOnce
    flush: Callable[[], None]
    config: timing.BenchConfig

    def check(self, label: str, out: Any, expected: Any) -> None:
        compare_outputs(label, [out], [expected], *self.spec.tolerance[self.job["dtype"]])


def main(job_path: str, result_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    if (job["device"] == "cpu") != (os.environ.get("TRITON_INTERPRET") == "1"):
        raise SystemExit("TRITON_INTERPRET=1 must be set for device cpu, and only then")
    rows = run_job(job)
    Path(result_path).write_text(json.dumps({"rows": [r.to_json() for r in rows]}))
    return 0


def run_job(job: dict[str, Any]) -> list[ShapeResult]:
    device = job["device"]
    spec = load_problem(job["problem"])
    if device == "cpu":
        child_setup.install_cpu_autotune_bench()
    candidate = Path(job["candidate"])
    if device == "cpu" and (adapted := map_cuda_to_cpu(candidate.read_text()))[1]:
        candidate = Path.cwd() / f"adapted_{candidate.name}"  # cwd: the parent's temp dir
        candidate.write_text(adapted[0])
    config = timing.BenchConfig(
        runs=job["runs"], warmup=job["warmup"], flush_bytes=job["flush_bytes"]
    )
    time_once, flush = (timing.cuda_tools if device == "cuda" else timing.cpu_tools)(
        config.flush_bytes
    )
    setup = _Setup(
        job=job,
        spec=spec,
        problem=import_file(spec.path, f"kernel_problem_{spec.name}"),
        model_new=import_file(candidate, "kernel_candidate").ModelNew,
        time_once=time_once,
        flush=flush,
        config=config,
    )
    rows = []
    for shape in job["shapes"]:
        row = ShapeResult(problem=spec.name, shape=shape, dtype=job["dtype"], correct=False)
        rows.append(row)
        try:
            _time_shape(row, setup)
        except Exception as exc:  # recorded per shape (e.g. out of memory); other shapes still run
            row.error = f"{type(exc).__name__}: {_first_line(exc)}"
        if device == "cuda":
            torch.cuda.empty_cache()
    return rows


@torch.no_grad()
def _time_shape(row: ShapeResult, s: _Setup) -> None:
    device, dtype, seed = s.job["device"], DTYPES[s.job["dtype"]], s.job["seed"]
    init = s.problem.get_init_inputs(row.shape)
    torch.manual_seed(seed)
    ref = s.problem.Model(*init).to(device=device, dtype=dtype).eval()
    torch.manual_seed(seed)
    cand = s.model_new(*init).to(device=device, dtype=dtype).eval()
    copy_state(ref, cand)
    inputs = s.problem.get_inputs(row.shape, Rand(seed, "normal", dtype, device))

    expected = ref(*inputs)
    try:
        s.check("at the timing shape", cand(*inputs), expected)
    except CaseFailure as exc:
        row.error = str(exc)
        return
    row.correct = True
    fns = {"eager": lambda: ref(*inputs)}
    if s.job["compile"]:
        compiled, row.compile_error = _compile(ref, inputs, expected, s)
        if compiled is not None:
            fns["compiled"] = lambda: compiled(*inputs)
    else:
        row.compile_error = "skipped (--no-compile or --cpu-smoke)"
    fns["candidate"] = lambda: cand(*inputs)
    stats = timing.bench_interleaved(fns, s.time_once, s.flush, s.config)
    row.eager, row.compiled, row.candidate = (
        stats["eager"],
        stats.get("compiled"),
        stats["candidate"],
    )
    row.flags = timing.flags_for(row.candidate, row.speedup_vs_eager)
    if device == "cpu":
        row.flags.append("CPU smoke: Triton interpreter timings, not performance numbers")


def _compile(
    ref: torch.nn.Module, inputs: list[Any], expected: Any, s: _Setup
) -> tuple[Callable[..., Any] | None, str | None]:
    """torch.compile of the reference, checked once; a failure is recorded with its reason."""
    try:
        compiled = torch.compile(ref, dynamic=False)
        s.check("torch.compile", compiled(*inputs), expected)
        return compiled, None
    except Exception as exc:  # the baseline's failure is data for the report
        return None, f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0][:300] if lines else ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
