"""Set a task up: its repository at the base, its interpreter, its set-up commands."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from evaluation.suite.environment import TaskEnv, TaskSandbox, make_env, run_setup
from evaluation.suite.sources import materialize
from evaluation.suite.vcs import git
from evaluation.workloads import workload_from_bench
from sandbox.api import Sandbox, Workload
from sandbox.workspace import GIT_IDENTITY
from tasks.formats import TaskSpec


@dataclass(frozen=True)
class PreparedTask:
    """A task ready for a solver: `repo` is a git repository at the base (nothing later in
    its history), `env` the interpreter every command of the task runs under. `attempt`
    numbers the task's independent attempts (opt@k), for a solver that varies by attempt."""

    task: TaskSpec
    workdir: Path
    repo: Path
    env: TaskEnv
    expert_patch: str
    attempt: int = 1

    def sandbox(self, inner: Sandbox) -> Sandbox:
        return TaskSandbox(inner, self.env)

    def workloads(self) -> list[Workload]:
        return [workload_from_bench(w.bench, w.timeout) for w in self.task.workloads]

    @property
    def test_command(self) -> str:
        """All the task's tests as one command (what perfsmith's optimize loop runs)."""
        return " && ".join(f"({test})" for test in self.task.tests) or "true"


def prepare(
    task: TaskSpec,
    workdir: Path,
    cache: Path,
    git_mirror: Path | None = None,
    attempt: int = 1,
) -> PreparedTask:
    """Raises TaskFailure ("setup_failed" or "timeout") when the task cannot be set up."""
    if workdir.exists():
        shutil.rmtree(workdir)  # a resumed run starts the task afresh
    workdir.mkdir(parents=True)
    made = materialize(task, workdir / "repo", cache, git_mirror)
    # Set-up commands may install into the environment: never into perfsmith's own.
    env = make_env(task.requirements, task.python_path, workdir, task.timeout, own=bool(task.setup))
    if task.setup:
        run_setup(task.setup, made.repo, env, task.timeout)
        git(made.repo, "add", "-A")  # what set-up builds becomes part of the base (not of a diff)
        git(
            made.repo,
            *GIT_IDENTITY,
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-m",
            "perfsmith set-up",
        )
    return PreparedTask(task, workdir, made.repo, env, made.expert_patch, attempt)
