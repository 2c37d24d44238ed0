"""Solvers: given a prepared task, return a patch. The suite runner takes any object with
this shape; the CLI passes perfsmith's optimize loop (agent/bench_command.py) or one of these."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from evaluation.suite.prepare import PreparedTask
from evaluation.suite.records import Solution, TaskFailure
from evaluation.suite.vcs import git
from tasks.formats import TASK_FILES_DIR, Prediction

NOOP_LINE = "# perfsmith no-op\n"


class Solver(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def exclusive(self) -> bool:
        """Whether it times code itself, so it must run while no other task is being timed."""
        ...

    @property
    def deterministic(self) -> bool:
        """Whether every attempt at a task gives the same patch: then opt@k needs one attempt
        (k would only re-measure the same patch)."""
        ...

    def solve(self, task: PreparedTask) -> Solution: ...


@dataclass(frozen=True)
class OracleSolver:
    """The expert patch: a check that the harness reproduces the expert's speedup."""

    name: str = "oracle"
    exclusive: bool = False
    deterministic: bool = True

    def solve(self, task: PreparedTask) -> Solution:
        if not task.expert_patch.strip():
            raise TaskFailure("solver_failed", "the task has no expert patch")
        return Solution(patch=task.expert_patch, model="expert")


@dataclass(frozen=True)
class PredictionsSolver:
    """Patches from a predictions file; a task without one gets an empty patch."""

    predictions: dict[str, Prediction]
    name: str = "predictions"
    exclusive: bool = False
    deterministic: bool = True  # one prediction per instance

    def solve(self, task: PreparedTask) -> Solution:
        found = self.predictions.get(task.task.id)
        if found is None:
            return Solution(patch="", notes=["no prediction for this task"])
        return Solution(patch=found.model_patch or "", model=found.model_name_or_path)


@dataclass(frozen=True)
class NoopSolver:
    """A patch that changes nothing a program can see (one comment line in a package file):
    a check that the harness reports no speedup where there is none."""

    name: str = "noop"
    exclusive: bool = False
    deterministic: bool = True

    def solve(self, task: PreparedTask) -> Solution:
        target = _noop_target(task)
        old = (task.repo / target).read_text(encoding="utf-8").splitlines(keepends=True)
        diff = difflib.unified_diff(old, [*old, NOOP_LINE], f"a/{target}", f"b/{target}")
        return Solution(patch=f"diff --git a/{target} b/{target}\n" + "".join(diff), model="noop")


def _noop_target(task: PreparedTask) -> str:
    """The first tracked Python file of the package (of the repository when no package_dir
    is set) that ends with a newline, outside the task's own scripts."""
    scope = task.task.package_dir or "."
    for rel in git(task.repo, "ls-files", "--", scope).splitlines():
        path = task.repo / rel
        if (
            rel.endswith(".py")
            and not rel.startswith(TASK_FILES_DIR + "/")
            and _ends_with_newline(path)
        ):
            return rel
    raise TaskFailure("solver_failed", "no Python file to put a no-op comment in")


def _ends_with_newline(path: Path) -> bool:
    data = path.read_bytes()
    return data.endswith(b"\n") and b"\0" not in data
