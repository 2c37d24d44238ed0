"""One attempt at a task from start to finish, in two stages so that a scheduler can run the first in
parallel and the second exclusively:

1. set up, check the base, solve, apply, run the tests (parallel-safe);
2. time the workloads (needs the machine to itself: the caller holds the timing lock).

Each stage returns a TaskResult when the task ends there. Exceptions other than TaskFailure
are harness errors; they end only their own task (status "error"), the others go on."""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.compare import SamplingPolicy
from evaluation.suite import evaluate
from evaluation.suite.prepare import PreparedTask, prepare
from evaluation.suite.records import Solution, TaskFailure, TaskResult, attempt_slot
from evaluation.suite.solvers import Solver
from evaluation.suite.sweperf import REPETITIONS, WARMUPS
from sandbox.api import Sandbox
from sandbox.local import LocalSandbox
from tasks.formats import TaskSpec


@dataclass(frozen=True)
class SuiteOptions:
    work: Path  # per-task folders (repositories, environments); outside /tmp, which sandboxes hide
    cache: Path  # downloaded sdists
    policy: SamplingPolicy = field(default_factory=lambda: SamplingPolicy(time_budget_seconds=90.0))
    warmups: int = WARMUPS  # SWE-Perf's sequential protocol
    repetitions: int = REPETITIONS
    expert_reference: bool = (
        True  # also time the expert patch (for GSO's opt and SWE-fficiency's ratio)
    )
    keep: bool = False  # keep each task's folder after it finishes
    git_mirror: Path | None = None
    sandbox_factory: Callable[[], Sandbox] = LocalSandbox


@dataclass(frozen=True)
class Staged:
    """Stage 1's hand-over to stage 2 (picklable: it may cross to another process)."""

    prepared: PreparedTask
    solution: Solution
    patched: Path
    expert: Path | None
    seconds: float
    solve_seconds: float
    notes: list[str]


@dataclass(frozen=True)
class Pipeline:
    solver: Solver
    options: SuiteOptions

    def stage_one(
        self,
        task: TaskSpec,
        solve_lock: AbstractContextManager[object] | None = None,
        attempt: int = 1,
    ) -> Staged | TaskResult:
        """Attempt `attempt` of `task`, in a folder of its own (a fresh workspace each)."""
        start, solution, solve_seconds, applied = time.monotonic(), None, 0.0, False
        sandbox: Sandbox | None = None
        try:
            prepared = prepare(
                task,
                self.options.work / attempt_slot(task.id, attempt),
                self.options.cache,
                self.options.git_mirror,
                attempt,
            )
            sandbox = prepared.sandbox(self.options.sandbox_factory())
            evaluate.check_base(prepared, sandbox)
            with solve_lock if self.solver.exclusive and solve_lock else nullcontext():
                began = time.monotonic()
                solution = self._solve(prepared)
                solve_seconds = time.monotonic() - began
            notes = [
                *solution.notes,
                *evaluate.apply_patch(prepared, solution.patch, prepared.workdir / "patched"),
            ]
            applied = True
            evaluate.check_tests(prepared, sandbox, prepared.workdir / "patched")
            expert = self._expert_workspace(prepared, notes)
            return Staged(
                prepared,
                solution,
                prepared.workdir / "patched",
                expert,
                time.monotonic() - start,
                solve_seconds,
                notes,
            )
        except Exception as exc:  # see _failure: the task ends, the suite goes on
            seconds = time.monotonic() - start
            return self._end(
                task, attempt, _failure(exc), solution, seconds, solve_seconds, applied
            )
        finally:
            if sandbox is not None:
                sandbox.close()

    def stage_two(self, staged: Staged) -> TaskResult:
        start, task, attempt = time.monotonic(), staged.prepared.task, staged.prepared.attempt
        sandbox = staged.prepared.sandbox(self.options.sandbox_factory())
        try:
            workloads = evaluate.measure(
                staged.prepared,
                sandbox,
                staged.patched,
                staged.expert,
                self.options.policy,
                self.options.warmups,
                self.options.repetitions,
            )
        except Exception as exc:
            seconds = staged.seconds + time.monotonic() - start
            return self._end(
                task, attempt, _failure(exc), staged.solution, seconds, staged.solve_seconds, True
            )
        finally:
            sandbox.close()
        own_expert = self.solver.name == "oracle"
        expert = [w.verdict if own_expert else w.expert for w in workloads]
        result = TaskResult(
            task_id=task.id,
            attempt=attempt,
            origin=task.origin,
            agent=self.solver.name,
            status="ok",
            applied=True,
            correct=True,
            workloads=workloads,
            expert_speedup=_geomean([v.speedup for v in expert if v]),
            patch_lines=_changed_lines(staged.solution.patch),
            cost_usd=staged.solution.cost_usd,
            tokens=staged.solution.tokens,
            solve_seconds=staged.solve_seconds,
            seconds=staged.seconds + time.monotonic() - start,
            notes=staged.notes,
        )
        self._cleanup(staged.prepared.workdir)
        return result

    def _solve(self, prepared: PreparedTask) -> Solution:
        try:
            return self.solver.solve(prepared)
        except TaskFailure:
            raise
        except Exception as exc:  # a solver that crashes fails its task, like one that gives up
            raise TaskFailure("solver_failed", f"{type(exc).__name__}: {exc}") from None

    def _expert_workspace(self, prepared: PreparedTask, notes: list[str]) -> Path | None:
        if (
            not (self.options.expert_reference and prepared.expert_patch.strip())
            or self.solver.name == "oracle"
        ):
            return None
        try:
            evaluate.apply_patch(prepared, prepared.expert_patch, prepared.workdir / "expert")
        except TaskFailure as failure:
            notes.append(f"expert not measured: {failure.reason}")
            return None
        return prepared.workdir / "expert"

    def _end(
        self,
        task: TaskSpec,
        attempt: int,
        failure: TaskFailure,
        solution: Solution | None,
        seconds: float,
        solve_seconds: float,
        applied: bool = False,
    ) -> TaskResult:
        self._cleanup(self.options.work / attempt_slot(task.id, attempt))
        return TaskResult(
            task_id=task.id,
            attempt=attempt,
            origin=task.origin,
            agent=self.solver.name,
            status=failure.status,
            reason=failure.reason,
            applied=applied,
            patch_lines=_changed_lines(solution.patch) if solution else 0,
            cost_usd=solution.cost_usd if solution else None,
            tokens=solution.tokens if solution else None,
            solve_seconds=solve_seconds,
            seconds=seconds,
            notes=list(solution.notes) if solution else [],
        )

    def _cleanup(self, workdir: Path) -> None:
        if not self.options.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _failure(exc: Exception) -> TaskFailure:
    """A TaskFailure keeps its status; anything else is a harness bug, reported as "error"."""
    if isinstance(exc, TaskFailure):
        return exc
    return TaskFailure("error", f"{type(exc).__name__}: {exc}")


def _changed_lines(patch: str) -> int:
    return sum(
        1 for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def _geomean(values: list[float]) -> float | None:
    good = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in good) / len(good)) if good else None
