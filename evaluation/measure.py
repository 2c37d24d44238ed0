"""Speed judge: run a workload in two workspaces, check outputs agree, compare timings."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evaluation.compare import SamplingPolicy, compare
from evaluation.records import SpeedVerdict
from sandbox.api import Limits, RunResult, Sandbox, Workload


class WorkloadError(Exception):
    """The workload failed to run; the message says how, in one line."""


class OutputCheck(BaseModel):
    """Whether the workload's stdout can be trusted as a reference, and whether B matches A."""

    model_config = ConfigDict(frozen=True)

    deterministic: bool
    same: bool
    detail: str


class WorkloadRunner:
    """One timed run of the workload per call, each in a fresh process."""

    def __init__(self, sandbox: Sandbox, workload: Workload, workspace: Path) -> None:
        self.sandbox, self.workload, self.workspace = sandbox, workload, workspace

    def run(self) -> RunResult:
        result = self.sandbox.run(
            self.workload.command, self.workspace, limits=Limits(wall_seconds=self.workload.timeout_seconds)
        )
        if not result.ok:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise WorkloadError(f"workload {result.describe()}: {tail[0][:200]}")
        return result

    def seconds(self) -> float:
        return self.run().wall_seconds


def reference_output(a: WorkloadRunner) -> str | None:
    """The digest of A's stdout, or None when two identical runs disagree: such output
    (it prints times, say) says nothing about correctness and cannot be checked."""
    first, second = a.run(), a.run()
    return first.stdout_sha256 if first.stdout_sha256 == second.stdout_sha256 else None


def check_output(reference: str | None, b: WorkloadRunner) -> OutputCheck:
    """Run B once and compare its stdout with the reference digest."""
    other = b.run()
    if reference is None:
        return OutputCheck(deterministic=False, same=True,
                           detail="workload output differs between identical runs; output check skipped")
    if other.stdout_sha256 != reference:
        return OutputCheck(deterministic=True, same=False, detail="workload output changed")
    return OutputCheck(deterministic=True, same=True, detail="workload output unchanged")


def measure_speed(a: WorkloadRunner, b: WorkloadRunner, policy: SamplingPolicy) -> SpeedVerdict:
    """Interleaved, adaptive comparison of B against A in fresh processes."""
    return compare(a.seconds, b.seconds, policy)
