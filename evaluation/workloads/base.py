"""What every workload kind returns (a Sample), how it fails (WorkloadError), and the scratch
folder in the workspace where the scripts that run inside the candidate's process live."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sandbox.api import Limits, RunResult, Sandbox, Workload

# Ignored by workspace diffs and protected from edits (sandbox/workspace.py, agent/guards.py).
HERE = Path(__file__).resolve().parent


class WorkloadError(Exception):
    """The workload failed to run; the message says how, in one line."""


class Sample(BaseModel):
    """One fresh-process run of a workload: the timed quantity and what it produced."""

    model_config = ConfigDict(frozen=True)

    seconds: float = Field(
        ge=0
    )  # command: the process; pytest: summed call phases; callable: one call
    digest: str | None  # of the output that must not change; None: this output cannot be checked
    loops: int = Field(default=1, ge=1)  # callable: calls timed for this sample
    per_test: dict[str, float] = Field(default_factory=dict)  # pytest: call-phase seconds per test
    process: RunResult


def run_checked(
    sandbox: Sandbox,
    workload: Workload,
    command: str,
    workspace: Path,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run `command` under the workload's time limit; a timeout is a WorkloadError (a
    censored sample, not a crash). Other endings are left to the caller to judge."""
    result = sandbox.run(
        command,
        workspace,
        env=env,
        limits=Limits(wall_seconds=workload.timeout_seconds, cpus=workload.cpus),
    )
    if result.ending == "timeout":
        raise WorkloadError(f"workload timed out after {workload.timeout_seconds:g}s")
    return result


def failure(result: RunResult, what: str = "workload") -> WorkloadError:
    """`<what> exited with status 1: <last line of its output>`."""
    return WorkloadError(f"{what} {result.describe()}: {last_line(result.stderr or result.stdout)}")


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def install_script(name: str, folder: Path) -> Path:
    """Copy one of the standalone scripts shipped beside this module into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(HERE / name, folder / name))
