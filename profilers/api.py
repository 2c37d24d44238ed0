"""Records a profile is made of, and the Profiler interface."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from sandbox.api import Sandbox, Workload


class LineSamples(BaseModel):
    model_config = ConfigDict(frozen=True)

    line: int
    samples: int


class Hotspot(BaseModel):
    """One function of the repository and the share of the workload's time spent in it.

    `self_samples` counts samples whose innermost frame inside the repository is this
    function (time in libraries it calls is charged to it); `total_samples` counts samples
    with this function anywhere on the stack. `lines` are per-line samples within the span,
    each line charged for the time spent below it. `torch_samples` are the self samples spent
    in PyTorch below this function (see profilers/torch_frames.py): the share that a Triton or
    CUDA kernel, rather than a Python edit, could speed up.
    """

    model_config = ConfigDict(frozen=True)

    function: str  # qualified name, e.g. "Catalog.lookup"
    file: str  # relative to the workspace root, POSIX separators
    start_line: int
    end_line: int
    self_samples: int
    total_samples: int
    self_percent: float
    total_percent: float
    lines: list[LineSamples] = []
    callers: list[str] = []
    callees: list[str] = []
    torch_samples: int = 0

    @property
    def key(self) -> str:
        return f"{self.file}::{self.function}"

    @property
    def torch_share(self) -> float:
        """Fraction of the self samples spent in PyTorch (0.0 with no self samples)."""
        return self.torch_samples / self.self_samples if self.self_samples else 0.0


class Profile(BaseModel):
    """A ranked hotspot table (highest self share first) of code inside the repository."""

    model_config = ConfigDict(frozen=True)

    profiler: str  # "py-spy" or "cprofile"
    total_samples: int
    wall_seconds: float
    hotspots: list[Hotspot]
    notes: list[str] = []


class Profiler(Protocol):
    name: str

    def profile(self, workload: Workload, workspace: Path, sandbox: Sandbox) -> Profile: ...
