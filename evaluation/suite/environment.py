"""The interpreter a task runs under, and a Sandbox that runs every command with it.

A task that needs no packages runs under perfsmith's own interpreter (fast: nothing to build).
One that does gets a virtual environment of its own that also sees perfsmith's packages
(a .pth file naming them: `--system-site-packages` would expose the base interpreter's, not
this environment's), with the task's requirements installed over them."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from evaluation.suite.records import TaskFailure
from sandbox.api import Limits, RunResult, Sandbox


@dataclass(frozen=True)
class TaskEnv:
    venv: Path | None = None  # None: perfsmith's interpreter
    pythonpath: tuple[str, ...] = ()  # relative to the repository (the command's directory)

    @property
    def bin_dir(self) -> Path:
        return self.venv / "bin" if self.venv else Path(sys.executable).parent

    def variables(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """`base` with this interpreter first on PATH and the task's folders on PYTHONPATH."""
        env = dict(base or {})
        path = env.get("PATH") or os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        env["PATH"] = os.pathsep.join([str(self.bin_dir), path])
        if self.venv:
            env["VIRTUAL_ENV"] = str(self.venv)
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                [*filter(None, [env.get("PYTHONPATH")]), *self.pythonpath]
            )
        return env


class TaskSandbox:
    """Wraps a Sandbox so that `python` in any command is the task's interpreter."""

    def __init__(self, inner: Sandbox, env: TaskEnv) -> None:
        self.inner, self.env, self.name = inner, env, inner.name

    def run(
        self, cmd: str, cwd: Path, env: dict[str, str] | None = None, limits: Limits | None = None
    ) -> RunResult:
        return self.inner.run(cmd, cwd, self.env.variables(env), limits)

    def close(self) -> None:
        close = getattr(self.inner, "close", None)  # older backends have nothing to release
        if close is not None:
            close()


def make_env(
    requirements: list[str], pythonpath: list[str], where: Path, timeout: float, own: bool = False
) -> TaskEnv:
    """A virtual environment under `where` when the task needs packages (or `own` asks for
    one); otherwise perfsmith's interpreter."""
    if not requirements and not own:
        return TaskEnv(None, tuple(pythonpath))
    venv = where / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], "venv", timeout)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib, "_perfsmith_parent.pth").write_text("\n".join(parents) + "\n", encoding="utf-8")
    # pip of this interpreter, installing into the new one: the venv needs no pip of its own.
    if requirements:
        _run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *requirements],
            "pip install",
            timeout,
        )
    return TaskEnv(venv, tuple(pythonpath))


def run_setup(commands: list[str], repo: Path, env: TaskEnv, timeout: float) -> None:
    """The task's own set-up commands: trusted (they come with the task, not a solver), so
    they run on the host, with the network."""
    for command in commands:
        _run(
            ["/bin/bash", "-c", command],
            f"set-up command {command!r}",
            timeout,
            repo,
            env.variables(dict(os.environ)),
        )


def _run(
    argv: list[str],
    what: str,
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> None:
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise TaskFailure("timeout", f"{what} timed out after {timeout:g}s") from None
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        raise TaskFailure("setup_failed", f"{what} failed: {(lines or ['no output'])[-1][:300]}")
