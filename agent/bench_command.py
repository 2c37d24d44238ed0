"""`perfsmith bench`: run a task suite and judge every patch with the measurement engine.

The CLI composes the parts: evaluation's suite runner receives the solver as a parameter,
here perfsmith's optimize loop (`--agent perfsmith`), a predictions file, the expert patches
(`--oracle`) or a no-op patch (`--agent noop`, a check that nothing is called faster)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agent.bench_kernels import KernelBenchError, KernelBenchRequest, run_kernel_bench
from agent.config import ConfigError, load_config
from agent.loop import Optimizer
from agent.records import RunState
from agent.registry import UnknownComponent
from agent.setup import build_profiler, build_proposer, build_sandbox
from agent.store import RunStore, new_run_id
from evaluation.compare import SamplingPolicy
from evaluation.suite import (
    NoopSolver,
    OracleSolver,
    PredictionsSolver,
    PreparedTask,
    Solution,
    Solver,
    SuiteOptions,
    TaskResult,
    run_suite,
    write_report,
)
from evaluation.suite.ray_backend import RayUnavailable
from evaluation.suite.runner import planned_attempts
from evaluation.suite.store import StoreError
from evaluation.suite.workloads import combined_workload
from sandbox import workspace
from sandbox.workspace import inspect_repo
from tasks.formats import FormatError, TaskSpec, load_predictions, load_tasks

console = Console(stderr=True)
USAGE_ERROR = 2
SHIPPED = Path(__file__).resolve().parent.parent / "tasks" / "suite"


@dataclass(frozen=True)
class PerfsmithSolver:
    """perfsmith's optimize loop on the prepared repository. It optimizes one workload that
    runs all of the task's workloads (evaluation/suite/workloads.py); each is judged apart."""

    overrides: dict[str, Any] = field(default_factory=dict)  # budget, model, proposer, ...
    name: str = "perfsmith"
    exclusive: bool = True  # it times candidates itself: no other task may be timed meanwhile

    @property
    def deterministic(self) -> bool:
        """The rules proposer's edits follow from the code and its profile alone: attempts
        could differ only in which candidates noisy timings accept. A model's replies are
        sampled, so each attempt is a fresh draw. (A task repository's own [tool.perfsmith]
        could name a model; shipped and published tasks do not.)"""
        proposer = self.overrides.get("proposer", "auto")
        return proposer == "rules" or (proposer == "auto" and not self.overrides.get("model"))

    def solve(self, task: PreparedTask) -> Solution:
        workload = combined_workload(task.task.workloads)
        config = load_config(
            task.repo,
            {
                **self.overrides,
                "bench": workload.bench,
                "test": task.test_command,
                "bench_timeout": workload.timeout,
                "test_timeout": task.task.timeout,
            },
        )
        repo = inspect_repo(task.repo)
        run_id = new_run_id()
        store = RunStore(task.workdir / "perfsmith-runs" / run_id)
        state = RunState(
            run_id=run_id,
            repo=repo.root,
            base_commit=repo.head,
            config=config.model_dump(mode="json"),
            started_at=time.time(),
        )
        scratch = task.workdir / "perfsmith-scratch"
        baseline = workspace.snapshot(repo, scratch / "baseline", include_uncommitted=False)
        state.baseline_tree = workspace.tree_id(baseline)
        store.save_state(state)
        sandbox = task.sandbox(build_sandbox(config.sandbox))
        optimizer = Optimizer(
            config,
            state,
            store,
            sandbox,
            build_profiler(config.profiler),
            build_proposer(config),
            scratch,
            lambda kind, message: None,
        )
        try:
            outcome = optimizer.run(baseline)
        finally:
            sandbox.close()
        patch = (
            workspace.diff(outcome.best_workspace)
            if state.accepted and outcome.best_workspace
            else ""
        )
        cost, tokens = _spent(optimizer)
        return Solution(
            patch=patch,
            model=config.model or config.proposer_name,
            cost_usd=cost,
            tokens=tokens,
            notes=[f"perfsmith stopped: {state.stop_reason}", *_workload_note(task)],
        )


def bench_command(
    tasks: Annotated[
        Path,
        typer.Argument(
            help="Tasks: 'suite' (the shipped suite), 'kernels' (the GPU kernel problems), "
            "a folder of task folders, a task.toml, or SWE-Perf / GSO / SWE-fficiency JSON "
            "or JSONL."
        ),
    ],
    agent: Annotated[
        str,
        typer.Option(
            help="perfsmith, noop, or a predictions JSONL file (kernels: perfsmith with "
            "--model, or a folder of <problem>.py candidates)."
        ),
    ] = "perfsmith",
    oracle: Annotated[
        bool,
        typer.Option("--oracle", help="Apply the expert patches: does their speedup reproduce?"),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Run folder (default: bench-runs/AGENT). A rerun resumes a task suite; "
            "kernels start over."
        ),
    ] = None,
    only: Annotated[str | None, typer.Option(help="Comma-separated task ids to run.")] = None,
    attempts: Annotated[
        int,
        typer.Option(
            min=1,
            help="Independent attempts per task, each in a fresh workspace (GSO's opt@k); "
            "a deterministic agent is run once.",
        ),
    ] = 1,
    jobs: Annotated[
        int,
        typer.Option(help="Tasks set up, solved and tested in parallel (timing stays exclusive)."),
    ] = 1,
    ray: Annotated[
        str | None, typer.Option(help="Run on Ray: a cluster address, or 'local' to start one.")
    ] = None,
    rerun: Annotated[bool, typer.Option("--rerun", help="Run finished tasks again.")] = False,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep each task's folder (repositories, environments).")
    ] = False,
    seconds: Annotated[
        float, typer.Option(help="Time budget of one interleaved comparison.")
    ] = 90.0,
    repetitions: Annotated[
        int, typer.Option(help="SWE-Perf protocol: timed runs of each side.")
    ] = 20,
    warmups: Annotated[
        int, typer.Option(help="SWE-Perf protocol: discarded runs of each side.")
    ] = 3,
    expert_reference: Annotated[
        bool, typer.Option(help="Also time the expert patch (GSO opt, SWE-fficiency ratio).")
    ] = True,
    cache: Annotated[
        Path | None,
        typer.Option(help="Where sdists are kept (default: ~/.cache/perfsmith/sdists)."),
    ] = None,
    git_mirror: Annotated[
        Path | None,
        typer.Option(help="Local clones of GitHub repositories (owner/name or owner__name)."),
    ] = None,
    budget: Annotated[
        str | None, typer.Option(help="perfsmith agent: rounds=N,candidates=N,minutes=M per task.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="perfsmith agent: chat model, e.g. openai:gpt-4o-mini.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="perfsmith agent: OpenAI-compatible server URL.")
    ] = None,
    proposer: Annotated[
        str | None, typer.Option(help="perfsmith agent: rules, llm, or module:Class.")
    ] = None,
    kernel_python: Annotated[
        str | None,
        typer.Option(
            help="kernels: an interpreter with torch and triton (default: "
            "$PERFSMITH_KERNEL_PYTHON, else this one)."
        ),
    ] = None,
) -> None:
    """Run a task suite (SWE-Perf-style): solve each task, judge the patch, report the metrics."""
    if str(tasks) == "kernels":
        suite_only = {
            "--attempts": attempts != 1,
            "--jobs": jobs != 1,
            "--ray": ray is not None,
            "--rerun": rerun,
            "--keep": keep,
            "--seconds": seconds != 90.0,
            "--repetitions": repetitions != 20,
            "--warmups": warmups != 3,
            "--no-expert-reference": not expert_reference,
            "--cache": cache is not None,
            "--git-mirror": git_mirror is not None,
            "--budget": budget is not None,
            "--proposer": proposer is not None,
        }
        ignored = [name for name, given in suite_only.items() if given]
        if ignored:
            typer.secho(
                f"perfsmith: bench kernels does not take {', '.join(ignored)} "
                "(they apply to task suites)",
                err=True,
                fg="red",
            )
            raise typer.Exit(USAGE_ERROR)
        request = KernelBenchRequest(
            agent=agent,
            oracle=oracle,
            out=(out or Path("bench-runs") / "kernels").resolve(),
            only=only,
            python=kernel_python,
            model=model,
            base_url=base_url,
        )
        _bench_kernels(request)
        return
    try:
        specs = _select(_load(tasks), only)
        solver = _solver(
            agent,
            oracle,
            {"budget": budget, "model": model, "base_url": base_url, "proposer": proposer},
        )
        run_dir = (out or Path("bench-runs") / solver.name).resolve()
        runs = planned_attempts(solver, attempts)
        notes = _attempt_notes(solver, attempts, runs)
        options = SuiteOptions(
            work=run_dir / "work",
            cache=(cache or Path.home() / ".cache" / "perfsmith" / "sdists").resolve(),
            policy=SamplingPolicy(time_budget_seconds=seconds),
            warmups=warmups,
            repetitions=repetitions,
            expert_reference=expert_reference,
            keep=keep,
            git_mirror=git_mirror,
        )
        console.print(
            f"perfsmith bench: {len(specs)} task(s) x {runs} attempt(s), agent {solver.name}, "
            f"results in {run_dir}",
            highlight=False,
        )
        for note in notes:
            console.print(f"note: {note}", highlight=False)
        results = run_suite(
            specs,
            solver,
            options,
            run_dir,
            attempts=attempts,
            jobs=jobs,
            ray_address=ray,
            rerun=rerun,
            progress=_print_result,
        )
    except (FormatError, StoreError, RayUnavailable, ConfigError, UnknownComponent) as exc:
        typer.secho(f"perfsmith: {exc}", err=True, fg="red")
        raise typer.Exit(USAGE_ERROR) from None
    metrics = write_report(
        results, run_dir, title=f"perfsmith bench {tasks.name}", k=attempts, notes=notes
    )
    opt_k = f", opt@{metrics.k} {metrics.opt_at_k:.0%}" if metrics.opt_at_k is not None else ""
    console.print(
        f"SWE-Perf apply {metrics.apply:.0%}, correctness {metrics.correctness:.0%}, "
        f"performance {metrics.performance:.2%}; ours: faster {metrics.faster:.0%}, "
        f"saved {metrics.saved:.2%}; GSO opt@1 {metrics.opt_at_1:.0%}{opt_k}",
        highlight=False,
    )
    console.print(f"report: {run_dir / 'report.md'}", highlight=False)


def _bench_kernels(request: KernelBenchRequest) -> None:
    try:
        run_kernel_bench(request, lambda line: console.print(line, highlight=False, soft_wrap=True))
    except KernelBenchError as exc:
        typer.secho(f"perfsmith: {exc}", err=True, fg="red")
        raise typer.Exit(USAGE_ERROR) from None
    console.print(f"report: {request.out / 'results.md'}", highlight=False)


def _load(path: Path) -> list[TaskSpec]:
    return load_tasks(SHIPPED if str(path) == "suite" else path)


def _select(specs: list[TaskSpec], only: str | None) -> list[TaskSpec]:
    if not only:
        return specs
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = sorted(set(wanted) - {t.id for t in specs})
    if unknown:
        raise FormatError(f"no task named {', '.join(unknown)}")
    return [t for t in specs if t.id in wanted]


def _solver(agent: str, oracle: bool, overrides: dict[str, Any]) -> Solver:
    if oracle:
        return OracleSolver()
    if agent == "noop":
        return NoopSolver()
    if agent == "perfsmith":
        return PerfsmithSolver({k: v for k, v in overrides.items() if v is not None})
    path = Path(agent)
    if not path.is_file():
        raise FormatError(
            f"--agent is perfsmith, noop or a predictions file; {agent!r} is none of them"
        )
    return PredictionsSolver(load_predictions(path), name=path.stem)


def _attempt_notes(solver: Solver, asked: int, runs: int) -> list[str]:
    if runs == asked:
        return []
    return [
        f"agent {solver.name} is deterministic: its {asked} attempts would give the same "
        f"patch, so each task was attempted once and opt@{asked} equals opt@1"
    ]


def _workload_note(task: PreparedTask) -> list[str]:
    names = [w.name for w in task.task.workloads]
    if len(names) < 2:
        return []
    return [f"optimized on all {len(names)} workloads run in turn ({', '.join(names)})"]


def _spent(optimizer: Optimizer) -> tuple[float | None, int | None]:
    """Dollars and tokens from the run's cost ledger, when this version of the loop keeps one."""
    ledger = getattr(optimizer, "ledger", None)
    if ledger is None:
        return None, None
    totals = ledger.totals()
    return totals.cost_usd, totals.tokens


def _print_result(result: TaskResult) -> None:
    measured = ", ".join(
        f"{w.name} {w.verdict.speedup:.2f}x [{w.verdict.ci_low:.2f}, {w.verdict.ci_high:.2f}] "
        f"{w.verdict.outcome}"
        for w in result.workloads
    )
    detail = measured or result.reason
    which = f" attempt {result.attempt}" if result.attempt > 1 else ""
    console.print(
        f"{result.task_id}{which}: {result.status} ({result.seconds:.0f}s) {detail}",
        highlight=False,
    )


if (
    __name__ == "__main__"
):  # `python -m agent.bench_command ...` until the command is wired into the CLI
    typer.run(bench_command)
