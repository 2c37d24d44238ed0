"""A shell command, timed as a whole process (start-up and imports included)."""

from __future__ import annotations

from pathlib import Path

from evaluation.workloads.base import Sample, failure, run_checked
from sandbox.api import Sandbox, Workload


def sample_command(sandbox: Sandbox, workload: Workload, workspace: Path) -> Sample:
    """One run of the command; its output is its stdout."""
    result = run_checked(sandbox, workload, workload.command, workspace)
    if not result.ok:
        raise failure(result)
    return Sample(seconds=result.wall_seconds, digest=result.stdout_sha256, process=result)
