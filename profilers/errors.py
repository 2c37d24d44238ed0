"""Why a profile could not be made: the profiler could not run, or the workload failed."""

from __future__ import annotations

from sandbox.api import RunResult

TAIL_LINES = 15


class ProfilerUnavailable(Exception):
    """The profiler is missing or produced no profile; another profiler may still work."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkloadFailed(Exception):
    """The workload itself failed (non-zero exit, timeout): no profiler can help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def workload_failure(result: RunResult, status: int | None = None) -> WorkloadFailed:
    """The error for a failed run; `status` is the workload's own exit status when a wrapper
    (py-spy) stands between the sandbox and the workload."""
    how = result.describe() if status is None else f"exited with status {status}"
    return WorkloadFailed(f"workload {how}: {result.command}\n{tail(result.stderr)}".rstrip())
