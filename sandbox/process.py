"""One child process, run to its end: spawned in a new session, put into the run's cgroup and
under its rlimits, waited for with a wall-clock limit, and killed with its whole process group
afterwards.

The setup is a short chain of execs (sh joins the cgroup, util-linux's setpriv sets the parent
death signal, prlimit the rlimits) rather than a Python preexec_fn: a preexec_fn makes
subprocess fork() the whole perfsmith process instead of vfork()ing, which costs several
milliseconds per run. Where setpriv or prlimit is missing the preexec_fn does the same work.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sandbox.output import Capture

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Finished:
    status: int | None  # the wait status; None only when the child could not be reaped
    usage: resource.struct_rusage | None
    wall_seconds: float
    timed_out: bool
    stdout: Capture
    stderr: Capture
    stopped: bool = False  # killed because `watch` said so (the disk quota)


_PRLIMIT_NAMES = {
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_NOFILE: "nofile",
    resource.RLIMIT_AS: "as",
    resource.RLIMIT_NPROC: "nproc",
}


@dataclass(frozen=True)
class Launch:
    """How the child gets its cgroup, rlimits and parent death signal: an argv prefix, or
    (without util-linux) a function run between fork and exec."""

    prefix: list[str]
    setup: Callable[[], None] | None

    @classmethod
    def make(cls, procs_files: list[str], rlimits: list[tuple[int, int]]) -> Launch:
        setpriv, prlimit = shutil.which("setpriv"), shutil.which("prlimit")
        if not (setpriv and prlimit) or any(kind not in _PRLIMIT_NAMES for kind, _ in rlimits):
            return cls([], child_setup(procs_files, rlimits))
        # "$$" stays the child's pid through every exec below. If perfsmith died before the
        # shell started (its parent is no longer us), nothing runs.
        joins = "".join(f'echo $$ > "${i + 1}" && ' for i in range(len(procs_files)))
        script = f'[ "$PPID" = {os.getpid()} ] && {joins}shift {len(procs_files)} && exec "$@"'
        limits = [f"--{_PRLIMIT_NAMES[kind]}={value}" for kind, value in rlimits]
        prefix = ["/bin/sh", "-c", script, "sh", *procs_files]
        prefix += [setpriv, "--pdeathsig", "KILL", "--", prlimit, *limits, "--"]
        return cls(prefix, None)


def run_to_end(
    argv: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    wall_seconds: float,
    launch: Launch,
    watch: Watch | None = None,
    pass_fds: Sequence[int] = (),
) -> Finished:
    """Raises OSError when the program cannot be started. `watch` is asked every
    `watch.every` seconds while the command runs; when it says stop, the run is killed.
    `pass_fds` stay open in the child (bwrap's seccomp program)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*launch.prefix, *argv],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,  # a file, not a pipe: RLIMIT_FSIZE bounds what the command can write
            stderr=err,
            start_new_session=True,
            preexec_fn=launch.setup,
            pass_fds=tuple(pass_fds),
        )
        status, usage, ended, stopped = _wait(proc.pid, wall_seconds, watch)
        wall = (ended or time.perf_counter()) - started
        kill_group(proc.pid)  # whatever the command left behind in its group goes too
        if status is None:
            status, usage, _, _ = _wait(proc.pid, None, None)
        proc.returncode = 0  # reaped by us; stop Popen from waiting again
        out_tail, err_tail = Capture().feed_file(out), Capture().feed_file(err)
        return Finished(
            status, usage, wall, ended is None and not stopped, out_tail, err_tail, stopped
        )


def child_setup(procs_files: list[str], rlimits: list[tuple[int, int]]) -> Callable[[], None]:
    """Launch's work as a preexec_fn: join the run's cgroup (while still root), take its
    rlimits, and arrange to be killed if perfsmith dies, so nothing outlives us."""
    parent = os.getpid()

    def setup() -> None:
        for path in procs_files:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, b"0")  # "0": the writing process
            finally:
                os.close(fd)
        for kind, value in rlimits:
            resource.setrlimit(kind, (value, value))
        # Fires when the forking *thread* exits; run() blocks in it until the end.
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # perfsmith died before the line above took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return setup


def processes_of(uid: int) -> int:
    """How many processes `uid` runs now (RLIMIT_NPROC counts them all)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except FileNotFoundError:
                continue  # exited while we counted
    return count


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return  # the group is already empty


class Watch(Protocol):
    """Asked now and then while a command runs (the disk quota)."""

    every: float  # seconds between questions

    def over(self) -> bool:
        """True: stop the command now."""
        ...


def _wait(
    pid: int, timeout: float | None, watch: Watch | None
) -> tuple[int | None, resource.struct_rusage | None, float | None, bool]:
    """wait4 in a thread so the end time is exact; without a watch a timeout does not
    poll. The last value says whether the watch stopped the command."""
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
    stopped = False
    if watch is None:
        waiter.join(timeout)
    else:
        stopped = join_watching(waiter, timeout, watch)
    if "status" not in box:
        kill_group(pid)
        waiter.join()
        return box.get("status"), box.get("usage"), None, stopped  # type: ignore[return-value]
    return box["status"], box["usage"], box["ended"], False  # type: ignore[return-value]


def join_watching(waiter: threading.Thread, timeout: float | None, watch: Watch) -> bool:
    """Join `waiter` until it ends, the time is up (False) or the watch says stop (True)."""
    deadline = None if timeout is None else time.perf_counter() + timeout
    while waiter.is_alive():
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            return False
        waiter.join(watch.every if left is None else min(watch.every, left))
        if waiter.is_alive() and watch.over():
            return True
    return False
