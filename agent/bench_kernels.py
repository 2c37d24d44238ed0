"""`perfsmith bench kernels`: the KernelBench-style suite (tasks/kernels) through the CLI.

Candidates come from the reference solutions (`--oracle`), a folder of `<problem>.py` files
(`--agent DIR`), or a chat model (`--agent perfsmith --model ...`, agent/kernel_writer.py).
Each is checked against gaming in its own process; on a GPU the passing ones are timed and the
run reports KernelBench's fast_1, fast_1.5 and the median speedup over eager PyTorch. Without a
GPU it says which candidates are correct and that nothing was timed.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from agent.kernel_writer import Check, KernelWriter
from agent.models import ModelConfigError, build_chat_model
from evaluation.kernels import suite
from evaluation.kernels.checker import check_candidate
from evaluation.kernels.records import CheckReport
from evaluation.kernels.summary import headline, markdown
from tasks.kernels import ProblemSpec, load_problem, problem_names

PYTHON_ENV = "PERFSMITH_KERNEL_PYTHON"  # an interpreter with torch and triton, if not this one


class KernelBenchError(Exception):
    """Unusable input for the kernel suite; the message is one line."""


@dataclass(frozen=True)
class KernelBenchRequest:
    agent: str  # "perfsmith" or a folder of candidates
    oracle: bool
    out: Path
    only: str | None
    python: str | None
    model: str | None
    base_url: str | None


def kernel_python(given: str | None) -> str:
    """The interpreter for the kernel children, as an absolute path: the children run in
    their own folders, where a relative path would name nothing. Not resolved through
    symlinks: a venv's python links to a base interpreter that lacks the venv's packages."""
    chosen = given or os.environ.get(PYTHON_ENV) or sys.executable
    if os.sep in chosen:
        return os.path.abspath(chosen)
    return shutil.which(chosen) or chosen


def run_kernel_bench(request: KernelBenchRequest, log: suite.Log) -> suite.KernelSuiteResult:
    """Solve, check and (on a GPU) time every selected problem; writes results.json/.md."""
    specs = select_problems(request.only)
    check_agent(request)
    python = kernel_python(request.python)
    env = suite.probe(python)
    missing = suite.missing_requirements(env, gpu=False)
    if missing:
        raise KernelBenchError(
            f"{python} cannot run the kernel suite: {'; '.join(missing)} "
            f"(set {PYTHON_ENV} or --kernel-python to an interpreter with torch and triton)"
        )
    gpu = bool(env.get("cuda_available"))
    options = suite.KernelSuiteOptions(device="cuda" if gpu else "cpu", python=python, timed=gpu)
    log(
        f"kernels: {len(specs)} problem(s) on {env.get('device', 'CPU (Triton interpreter)')}"
        + ("" if gpu else "; no GPU, so correctness only")
    )
    candidates = _candidates(request, specs, options, log)
    result = suite.run_kernel_suite(candidates, options, log)
    header = f"perfsmith bench kernels: {env.get('device', 'CPU, Triton interpreter')}"
    report = markdown(result.rows, result.checks, result.summary, header)
    suite.write_results(request.out, env, result, report)
    log(headline(result.summary))
    return result


def select_problems(only: str | None) -> list[ProblemSpec]:
    names = [n.strip() for n in (only or "").split(",") if n.strip()] or problem_names()
    unknown = sorted(set(names) - set(problem_names()))
    if unknown:
        raise KernelBenchError(
            f"no kernel problem named {', '.join(unknown)}; known: {', '.join(problem_names())}"
        )
    return [load_problem(n) for n in names]


def check_agent(request: KernelBenchRequest) -> None:
    """Refuse an unusable candidate source before anything is probed or run."""
    if (request.model or request.base_url) and (request.oracle or request.agent != "perfsmith"):
        source = "--oracle" if request.oracle else f"--agent {request.agent}"
        raise KernelBenchError(f"--model and --base-url drive the perfsmith agent, not {source}")
    if request.oracle:
        return
    if request.agent == "perfsmith":
        if not request.model:
            raise KernelBenchError(
                "the offline rules proposer writes no kernels: give --model (and --base-url for "
                "a local server), --oracle, or --agent DIR with <problem>.py candidates"
            )
        return
    if not Path(request.agent).is_dir():
        raise KernelBenchError(
            f"--agent for kernels is perfsmith (with --model) or a folder of <problem>.py "
            f"candidates; {request.agent!r} is neither"
        )


def _candidates(
    request: KernelBenchRequest,
    specs: list[ProblemSpec],
    options: suite.KernelSuiteOptions,
    log: suite.Log,
) -> list[tuple[ProblemSpec, Path | None]]:
    if request.oracle:
        return [(spec, spec.solution_path) for spec in specs]
    if request.agent == "perfsmith":
        return _written(request, specs, options, log)
    folder = Path(request.agent)
    found = [(spec, folder / f"{spec.name}.py") for spec in specs]
    return [(spec, path if path.is_file() else None) for spec, path in found]


def _written(
    request: KernelBenchRequest,
    specs: list[ProblemSpec],
    options: suite.KernelSuiteOptions,
    log: suite.Log,
) -> list[tuple[ProblemSpec, Path | None]]:
    try:
        chat = build_chat_model(request.model or "", request.base_url)
    except ModelConfigError as exc:
        raise KernelBenchError(str(exc)) from None
    writer = KernelWriter(chat, check=_draft_check(options))
    written: list[tuple[ProblemSpec, Path | None]] = []
    for spec in specs:
        draft = writer.write(spec, request.out / "candidates" / f"{spec.name}.py")
        log(f"  wrote {spec.name}: {'; '.join(draft.notes) or 'no module'}")
        written.append((spec, draft.path))
    return written


def _draft_check(options: suite.KernelSuiteOptions) -> Check:
    """The suite's own check, used on each draft so a rejected one gets a repair turn."""
    check_options = suite.check_options(options)

    def check(spec: ProblemSpec, path: Path) -> CheckReport:
        return check_candidate(spec, path, check_options)

    return check
