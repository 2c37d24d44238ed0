"""The one interface every isolation backend implements, and the records it passes."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

# "disk": the workspace grew past Limits.disk_bytes and the run was killed (local backend).
Ending = Literal["exit", "timeout", "memory", "disk", "signal", "error"]


class Limits(BaseModel):
    """Resource limits for one run. None means no limit of that kind."""

    model_config = ConfigDict(frozen=True)

    wall_seconds: float = 600.0
    cpu_seconds: int | None = None
    memory_bytes: int | None = 4 * 1024**3
    max_processes: int | None = 1024
    file_size_bytes: int | None = 1024**3
    disk_bytes: int | None = 2 * 1024**3  # how much the workspace may grow during the run
    open_files: int | None = 1024
    network: bool = False
    cpus: tuple[int, ...] | None = None  # pin to these cores (taskset); None: any core


class RunResult(BaseModel):
    """What one command did: how it ended, its output tails and what it cost."""

    model_config = ConfigDict(frozen=True)

    command: str
    returncode: int | None
    ending: Ending
    stdout: str
    stderr: str
    wall_seconds: float
    cpu_seconds: float = 0.0
    peak_memory_bytes: int = 0
    stdout_sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.ending == "exit" and self.returncode == 0

    def describe(self) -> str:
        """One line saying how the run ended, for reasons and reports."""
        if self.ending == "timeout":
            return f"timed out after {self.wall_seconds:.1f}s"
        if self.ending == "exit":
            return f"exited with status {self.returncode}"
        if self.ending == "disk":
            return "went over the workspace disk quota"
        return f"ended by {self.ending} (status {self.returncode})"


class Sandbox(Protocol):
    """Runs a shell command inside a workspace under limits."""

    name: str

    def run(
        self,
        cmd: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult: ...

    def close(self) -> None:
        """Release what the backend keeps between runs (warm containers, cgroups)."""
        ...


class Workload(BaseModel):
    """What is timed and profiled, and how it is timed.

    `command` is a shell command, run from the workspace root, that runs the workload
    (profilers run it). `kind` says how a sample is timed: "command" times that whole process;
    "pytest" sums the call phases of the tests named in `spec`; "callable" times calls of the
    function named in `spec` inside a worker process. `spec` is the user's text; see
    `evaluation.workloads.workload_from_bench`, which builds all three."""

    model_config = ConfigDict(frozen=True)

    command: str
    timeout_seconds: float = 300.0
    cpus: tuple[int, ...] | None = None  # cores to pin every timed run to; None: any core
    kind: Literal["command", "pytest", "callable"] = "command"
    spec: str = ""
