"""Speed judge: run a workload in two workspaces, check outputs agree, compare timings.

How a sample is taken depends on the workload's kind (evaluation/workloads/): a command is
timed as a whole process, pytest node ids by their tests' call phases, a callable per call in
a worker process. Each sample is a fresh process; each kind has its own output digest.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evaluation.compare import SamplingPolicy, compare
from evaluation.records import SpeedVerdict
from evaluation.workloads import (
    Sample,
    WorkloadError,
    refuse_untimeable,
    sample_callable,
    sample_command,
    sample_pytest,
)
from sandbox.api import RunResult, Sandbox, Workload

__all__ = [
    "OutputCheck",
    "WorkloadError",
    "WorkloadRunner",
    "calibrate_together",
    "check_output",
    "measure_speed",
    "reference_output",
]


class OutputCheck(BaseModel):
    """Whether the workload's output can be trusted as a reference, and whether B matches A."""

    model_config = ConfigDict(frozen=True)

    deterministic: bool
    same: bool
    detail: str


class WorkloadRunner:
    """One sample of the workload per call, each in a fresh process.

    `loops` (callables only) is the number of calls each sample times; None calibrates it on
    first use. Pass the same number to both sides of a comparison (see calibrate_together)."""

    def __init__(
        self, sandbox: Sandbox, workload: Workload, workspace: Path, loops: int | None = None
    ) -> None:
        self.sandbox, self.workload, self.workspace = sandbox, workload, Path(workspace).resolve()
        self.loops = loops
        self.last: Sample | None = None  # the latest sample, for reports (per-test durations)

    def sample(self) -> Sample:
        if self.workload.kind == "callable" and self.loops is None:
            self.calibrate()
        return self._take(self.loops or 1)

    def seconds(self) -> float:
        return self.sample().seconds

    def run(self) -> RunResult:
        """One run, checked; the process it took (for callers that want its output)."""
        return self.sample().process

    def output(self) -> str | None:
        """The digest of one run's output; None when this kind of output cannot be checked.
        Callables run one timed call here: the output does not depend on timing."""
        return self._take(1).digest

    def calibrate(self) -> int:
        """Callables: a loop count for which one sample takes at least 50 ms (1 otherwise)."""
        if self.workload.kind != "callable":
            return 1
        self.loops = self._take(0).loops
        return self.loops

    def _take(self, loops: int) -> Sample:
        kind = self.workload.kind
        if kind == "pytest":
            sample = sample_pytest(self.sandbox, self.workload, self.workspace)
        elif kind == "callable":
            sample = sample_callable(self.sandbox, self.workload, self.workspace, loops)
        else:
            sample = sample_command(self.sandbox, self.workload, self.workspace)
        self.last = sample
        return sample


def calibrate_together(a: WorkloadRunner, b: WorkloadRunner) -> int:
    """One loop count for both sides: the smaller of their calibrations, i.e. the slower
    side's. The slower side's samples then last the calibrated 50 ms and the faster side's
    less, by the speedup; the larger count would make the slower side run the faster side's
    count of calls (for a 1000x speedup, 1000x too long)."""
    loops = min(a.calibrate(), b.calibrate())
    a.loops = b.loops = loops
    return loops


def reference_output(a: WorkloadRunner) -> str | None:
    """The digest of A's output, or None when two identical runs disagree (or the output is
    uncheckable by nature): such output (it prints times, say) says nothing about correctness."""
    first, second = a.output(), a.output()
    if a.last is not None:
        refuse_untimeable(a.workload, a.last)  # the reference side must be long enough to time
    return first if first == second else None


def check_output(reference: str | None, b: WorkloadRunner) -> OutputCheck:
    """Run B once and compare its output with the reference digest."""
    other = b.output()
    if reference is None:
        return OutputCheck(
            deterministic=False,
            same=True,
            detail="workload output differs between identical runs; output check skipped",
        )
    if other != reference:
        return OutputCheck(deterministic=True, same=False, detail="workload output changed")
    return OutputCheck(deterministic=True, same=True, detail="workload output unchanged")


def measure_speed(a: WorkloadRunner, b: WorkloadRunner, policy: SamplingPolicy) -> SpeedVerdict:
    """Interleaved, adaptive comparison of B against A in fresh processes; a callable's loop
    count is calibrated once for the comparison, unless both runners already agree on one."""
    if a.workload.kind == "callable" and (a.loops is None or a.loops != b.loops):
        calibrate_together(a, b)
    return compare(a.seconds, b.seconds, policy)
