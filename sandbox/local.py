"""Local backend: a process group under rlimits, inside bubblewrap when it is installed."""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.api import Ending, Limits, RunResult
from sandbox.environment import sandbox_env

TAIL_CHARS = 20_000


class LocalSandbox:
    """Runs commands as a fresh process group; with bubblewrap the host is read-only,
    only the workspace is writable, /tmp is private and there is no network."""

    def __init__(self, isolate: bool | None = None) -> None:
        bwrap = shutil.which("bwrap")
        self.isolate = bool(bwrap) if isolate is None else isolate
        if self.isolate and not bwrap:
            raise RuntimeError("bubblewrap (bwrap) is not installed; install it or run without isolation")
        self.bwrap = bwrap or "bwrap"
        self.name = "local+bwrap" if self.isolate else "local"

    def run(
        self,
        cmd: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        limits = limits or Limits()
        cwd = Path(cwd).resolve()
        argv = self._argv(cmd, cwd, limits)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=sandbox_env(env),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                    preexec_fn=_rlimit_setter(limits),
                )
            except OSError as exc:
                return RunResult(command=cmd, returncode=None, ending="error", stdout="",
                                 stderr=str(exc), wall_seconds=0.0)
            status, usage, ended = _wait(proc.pid, limits.wall_seconds)
            wall = (ended or time.perf_counter()) - started
            with contextlib.suppress(ProcessLookupError, PermissionError):
                # Whatever the command left behind in its group goes too.
                os.killpg(proc.pid, signal.SIGKILL)
            if status is None:
                status, usage, _ = _wait(proc.pid, None)
            proc.returncode = 0  # reaped by us; stop Popen from waiting again
            stdout, digest = _read(out)
            stderr, _ = _read(err)
        ending, code = _classify(status, timed_out=ended is None)
        return RunResult(
            command=cmd,
            returncode=code,
            ending=ending,
            stdout=stdout,
            stderr=stderr,
            wall_seconds=wall,
            cpu_seconds=(usage.ru_utime + usage.ru_stime) if usage else 0.0,
            peak_memory_bytes=(usage.ru_maxrss * 1024) if usage else 0,
            stdout_sha256=digest,
        )

    def _argv(self, cmd: str, cwd: Path, limits: Limits) -> list[str]:
        shell = ["/bin/sh", "-c", cmd]
        if not self.isolate:
            return shell
        argv = [self.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp", "--bind", str(cwd), str(cwd),
                "--unshare-pid", "--die-with-parent", "--new-session", "--chdir", str(cwd)]
        if not limits.network:
            argv.append("--unshare-net")
        return [*argv, "--", *shell]


def _rlimit_setter(limits: Limits) -> Callable[[], None]:
    pairs = [
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_NPROC, limits.max_processes),
        (resource.RLIMIT_FSIZE, limits.file_size_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
    ]

    def apply() -> None:
        for kind, value in pairs:
            if value is not None:
                resource.setrlimit(kind, (value, value))

    return apply


def _wait(pid: int, timeout: float | None) -> tuple[int | None, resource.struct_rusage | None, float | None]:
    """wait4 in a thread so the end time is exact and a timeout does not poll."""
    box: dict[str, object] = {}

    def reap() -> None:
        try:
            _, status, usage = os.wait4(pid, 0)
        except ChildProcessError:
            return
        box["ended"] = time.perf_counter()
        box["status"], box["usage"] = status, usage

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if "status" not in box:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        waiter.join()
        return box.get("status"), box.get("usage"), None  # type: ignore[return-value]
    return box["status"], box["usage"], box["ended"]  # type: ignore[return-value]


def _classify(status: int | None, timed_out: bool) -> tuple[Ending, int | None]:
    if timed_out:
        return "timeout", None
    if status is None:
        return "error", None
    if os.WIFSIGNALED(status):
        return "signal", -os.WTERMSIG(status)
    return "exit", os.WEXITSTATUS(status)


def _read(handle: object) -> tuple[str, str]:
    handle.seek(0)  # type: ignore[attr-defined]
    data = handle.read()  # type: ignore[attr-defined]
    text = data.decode("utf-8", errors="replace")
    return text[-TAIL_CHARS:], hashlib.sha256(data).hexdigest()
