"""What a suite run produces: one TaskResult per task, saved as JSON as soon as it exists."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from evaluation.records import SpeedVerdict

Status = Literal[
    "ok",  # applied, tests pass, outputs unchanged, every workload measured
    "setup_failed",  # the task is bad: it cannot be set up ...
    "base_tests_failed",  # ... its tests fail before any change ...
    "base_workload_failed",  # ... or its workload does not run before any change
    "solver_failed",
    "empty_patch",
    "apply_failed",
    "tests_failed",
    "output_changed",  # the workload's output differs from the base's
    "workload_failed",
    "timeout",
    "error",  # the harness itself failed; the reason says how
]
INVALID_TASK: frozenset[str] = frozenset(
    {"setup_failed", "base_tests_failed", "base_workload_failed"}
)
RESULT_VERSION = 1


def attempt_slot(task_id: str, attempt: int) -> str:
    """The name of one attempt's result file and task folder: the task's id for the first
    attempt (as a one-attempt run has always named them), `ID@N` for attempt N ("@" is not
    allowed in task ids, so no task can take another's slot)."""
    return task_id if attempt == 1 else f"{task_id}@{attempt}"


class TaskFailure(Exception):
    """Ends a task early with a status and a one-line reason."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status: Status = status
        self.reason = reason


class Solution(BaseModel):
    """What a solver hands back: a patch against the prepared repository, and its cost."""

    model_config = ConfigDict(frozen=True)

    patch: str
    model: str = ""
    cost_usd: float | None = None
    tokens: int | None = None
    notes: list[str] = []


class WorkloadResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    verdict: SpeedVerdict  # ours: interleaved ABBA, adaptive (docs/measurement.md)
    # SWE-Perf's protocol: base runs, then patched runs; seconds per test (the workload's
    # name when it is not a pytest workload)
    sequential_base: dict[str, list[float]]
    sequential_patched: dict[str, list[float]]
    sweperf_gain: (
        float  # mean over tests of the largest significant gain (evaluation/suite/sweperf.py)
    )
    interleaved_gain: float  # SWE-Perf's gain function applied to our interleaved samples
    mean_speedup: float  # GSO's: geometric mean over tests of mean(base) / mean(patched)
    expert: SpeedVerdict | None = None  # the expert patch against the same base, when measured


class TaskResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int = RESULT_VERSION
    task_id: str
    attempt: int = 1  # which of the task's independent attempts (opt@k), from 1
    origin: str = "native"
    agent: str
    status: Status
    reason: str = ""
    applied: bool = False
    correct: bool = False  # tests pass and the workload's output is unchanged
    workloads: list[WorkloadResult] = []
    expert_speedup: float | None = None  # ours, geometric mean over workloads
    patch_lines: int = 0
    cost_usd: float | None = None
    tokens: int | None = None
    solve_seconds: float = 0.0
    seconds: float = 0.0  # wall time of the task, waits for the timing lock excluded
    notes: list[str] = []

    @property
    def invalid(self) -> bool:
        return self.status in INVALID_TASK
