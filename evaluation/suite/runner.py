"""Run a suite: each task's attempts through the pipeline, results saved as they finish,
finished attempts skipped on a rerun. Each attempt is independent: its own folder, set-up
and solve (opt@k). Locally, `jobs` threads run stage 1 in parallel and take turns, under
the machine-wide timing lock, for stage 2; with Ray, see ray_backend.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from evaluation.suite.pipeline import Pipeline, Staged, SuiteOptions
from evaluation.suite.records import TaskResult
from evaluation.suite.solvers import Solver
from evaluation.suite.store import ResultStore
from evaluation.suite.timing import CorePlan, TimingLock, pinned
from tasks.formats import TaskSpec

Progress = Callable[[TaskResult], None]
Job = tuple[TaskSpec, int]  # a task and the number of one of its attempts


def planned_attempts(solver: Solver, attempts: int) -> int:
    """How many attempts per task are run: `attempts`, or one for a deterministic solver,
    whose attempts would all give the same patch (they would only re-measure it)."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    return 1 if solver.deterministic else attempts


def run_suite(
    tasks: list[TaskSpec],
    solver: Solver,
    options: SuiteOptions,
    out: Path,
    *,
    attempts: int = 1,
    jobs: int = 1,
    ray_address: str | None = None,
    rerun: bool = False,
    lock: TimingLock | None = None,
    progress: Progress | None = None,
) -> list[TaskResult]:
    """Every task's results, in the order given, each task's attempts 1..n in order
    (n = `planned_attempts`; finished ones from an earlier run included)."""
    runs = planned_attempts(solver, attempts)
    store = ResultStore(out)
    store.open(
        solver.name,
        {"tasks": [t.id for t in tasks], "attempts": runs, "jobs": jobs, "ray": ray_address},
    )
    every: list[Job] = [(t, n) for t in tasks for n in range(1, runs + 1)]
    todo = [(t, n) for t, n in every if rerun or store.load(t.id, n) is None]
    pipeline = Pipeline(solver, options)
    report = progress or (lambda result: None)

    def finished(result: TaskResult) -> None:
        store.save(result)
        report(result)

    if todo and ray_address:
        from evaluation.suite.ray_backend import run_on_ray

        run_on_ray(pipeline, todo, ray_address, finished)
    elif todo:
        _run_local(pipeline, todo, max(1, jobs), lock or TimingLock(), finished)
    return [r for r in (store.load(t.id, n) for t, n in every) if r is not None]


def _run_local(
    pipeline: Pipeline,
    jobs_todo: list[Job],
    jobs: int,
    lock: TimingLock,
    finished: Callable[[TaskResult], None],
) -> None:
    cores = CorePlan.split() if jobs > 1 else CorePlan()

    def one(job: Job) -> None:
        task, attempt = job
        with pinned(cores.other):
            staged = pipeline.stage_one(task, exclusive(lock, cores), attempt)
        result = staged if isinstance(staged, TaskResult) else _timed(pipeline, staged, lock, cores)
        finished(result)

    if jobs == 1:
        for job in jobs_todo:
            one(job)
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="bench") as pool:
        for future in [pool.submit(one, job) for job in jobs_todo]:
            future.result()  # re-raises what `one` did not turn into a result (store errors)


def _timed(pipeline: Pipeline, staged: Staged, lock: TimingLock, cores: CorePlan) -> TaskResult:
    with exclusive(lock, cores):
        return pipeline.stage_two(staged)


@contextmanager
def exclusive(lock: TimingLock, cores: CorePlan) -> Iterator[None]:
    """The machine to ourselves for timing: the lock, and the timing cores."""
    with lock.held(), pinned(cores.timing):
        yield
