"""Local backend: the command runs on this machine as a fresh process group under rlimits and,
where we may create one, its own cgroup; inside bubblewrap (the default) or unshare.

Modes, strongest first (docs/security.md has the full table):
- "bwrap": host read-only, secrets' directories hidden, only the workspace writable, private
  /tmp, no network, new PID namespace, no capabilities, an unprivileged user when we are root.
- "unshare": no network and a new PID namespace, on the host's own filesystem; the host stays
  unwritten only because the command runs as an unprivileged user (when we are root).
- "plain": a process group and rlimits, nothing else. Only on explicit request, with a warning.
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
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from sandbox import cgroup
from sandbox.api import Ending, Limits, RunResult
from sandbox.environment import sandbox_env
from sandbox.identity import SandboxUser, lend_workspace
from sandbox.output import Capture, ending_of, ran_out_of_memory
from sandbox.wrappers import bwrap_argv, python_paths, unshare_argv

LocalMode = Literal["bwrap", "unshare", "plain"]
NAMES: dict[LocalMode, str] = {"bwrap": "local+bwrap", "unshare": "local+unshare", "plain": "unsafe"}
_PR_SET_PDEATHSIG = 1


class UnsafeSandboxWarning(RuntimeWarning):
    """Candidates run with the caller's full rights: use only on code you trust."""


class LocalSandbox:
    def __init__(self, mode: LocalMode | None = None, *, expose: Sequence[Path] = ()) -> None:
        """`mode` None picks the strongest available. `expose` lists extra host paths the
        command may read although they lie in a hidden directory (bwrap hides $HOME)."""
        self.mode: LocalMode = mode or _best_mode()
        tool = {"bwrap": "bwrap", "unshare": "unshare"}.get(self.mode)
        self.tool = shutil.which(tool) if tool else None
        if tool and not self.tool:
            raise RuntimeError(f"{tool} is not installed; install it or choose another sandbox")
        if self.mode == "plain":
            warnings.warn(
                "UNSAFE SANDBOX: candidate code runs as a plain subprocess with your rights: "
                "it can read your keys, write anywhere you can and use the network",
                UnsafeSandboxWarning,
                stacklevel=2,
            )
        self.name = NAMES[self.mode]
        self.user = SandboxUser.default() if self.mode != "plain" else None
        self.expose = [*python_paths(), *(Path(p).resolve() for p in expose)]
        found = cgroup.CgroupRoot.find()
        self.cgroups = found if isinstance(found, cgroup.CgroupRoot) else None
        self.cgroup_note = found if isinstance(found, str) else None
        self._libc = ctypes.CDLL(None, use_errno=True)

    def run(
        self,
        cmd: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        limits = limits or Limits()
        cwd = Path(cwd).resolve()
        if cwd == Path("/"):
            raise ValueError("refusing to run a sandboxed command with / as its workspace")
        child_env = sandbox_env(env)
        if self.user is not None:
            lend_workspace(cwd, self.user)
        group = self.cgroups.new_run(limits.max_processes, limits.memory_bytes) if self.cgroups else None
        try:
            return self._run(cmd, cwd, child_env, limits, group)
        finally:
            if group is not None:
                group.remove()  # kills whatever is left: daemons that left the session too

    def close(self) -> None:
        """Nothing stays running between runs."""

    def _run(
        self, cmd: str, cwd: Path, env: dict[str, str], limits: Limits, group: cgroup.RunCgroup | None
    ) -> RunResult:
        argv = [*self._wrapper(cwd, env, limits), "/bin/sh", "-c", cmd]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                    preexec_fn=self._child_setup(limits, group),
                )
            except OSError as exc:
                return RunResult(command=cmd, returncode=None, ending="error", stdout="",
                                 stderr=str(exc), wall_seconds=0.0)
            status, usage, ended = _wait(proc.pid, limits.wall_seconds)
            wall = (ended or time.perf_counter()) - started
            _kill_group(proc.pid)  # whatever the command left behind in its group goes too
            if status is None:
                status, usage, _ = _wait(proc.pid, None)
            proc.returncode = 0  # reaped by us; stop Popen from waiting again
            stdout, stderr = Capture().feed_file(out), Capture().feed_file(err)
        ending, code = _classify(status, timed_out=ended is None)
        if ending != "timeout" and limits.memory_bytes is not None:
            out_of_memory = group.oom_kills() > 0 if group else False
            if out_of_memory or ran_out_of_memory(code, stderr.tail):
                ending = "memory"
        return RunResult(
            command=cmd,
            returncode=code,
            ending=ending,
            stdout=stdout.tail,
            stderr=stderr.tail,
            wall_seconds=wall,
            cpu_seconds=(usage.ru_utime + usage.ru_stime) if usage else 0.0,
            peak_memory_bytes=(usage.ru_maxrss * 1024) if usage else 0,
            stdout_sha256=stdout.digest,
        )

    def _wrapper(self, cwd: Path, env: dict[str, str], limits: Limits) -> list[str]:
        if self.mode == "bwrap":
            assert self.tool is not None
            home = Path(env.get("HOME", str(Path.home())))
            return bwrap_argv(self.tool, cwd, home, expose=self.expose, network=limits.network,
                              tmpfs_bytes=limits.memory_bytes, user=self.user)
        if self.mode == "unshare":
            assert self.tool is not None
            return unshare_argv(self.tool, network=limits.network, user=self.user)
        return []

    def _child_setup(self, limits: Limits, group: cgroup.RunCgroup | None) -> Callable[[], None]:
        """What the child does between fork and exec: join the cgroup (while still root), take
        its rlimits, and arrange to be killed if perfsmith dies, so nothing outlives us."""
        procs_files = group.procs_files if group else []
        rlimits = self._rlimits(limits, group)
        libc, parent = self._libc, os.getpid()

        def setup() -> None:
            cgroup.join(procs_files)
            for kind, value in rlimits:
                resource.setrlimit(kind, (value, value))
            # Fires when the forking *thread* exits; run() blocks in it until the end.
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # perfsmith died before the line above took effect
                os.kill(os.getpid(), signal.SIGKILL)

        return setup

    def _rlimits(self, limits: Limits, group: cgroup.RunCgroup | None) -> list[tuple[int, int]]:
        pairs = [
            (resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_FSIZE, limits.file_size_bytes),
            (resource.RLIMIT_NOFILE, limits.open_files),
        ]
        if group is None:
            # No cgroup: fall back to what rlimits can do. RLIMIT_AS caps each process's
            # address space (not the total); RLIMIT_NPROC counts every process of the uid and
            # is ignored for root, so it is set above what that uid already runs.
            pairs.append((resource.RLIMIT_AS, limits.memory_bytes))
            uid = self.user.uid if self.user else os.geteuid()
            if limits.max_processes is not None and uid != 0:
                pairs.append((resource.RLIMIT_NPROC, _processes_of(uid) + limits.max_processes))
        return [(kind, value) for kind, value in pairs if value is not None]


def _best_mode() -> LocalMode:
    if shutil.which("bwrap"):
        return "bwrap"
    if shutil.which("unshare"):
        return "unshare"
    raise RuntimeError(
        "neither bubblewrap (bwrap) nor unshare is installed, so candidates cannot be isolated; "
        "install bubblewrap, use --sandbox docker, or accept the risk with --sandbox unsafe"
    )


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except FileNotFoundError:
                continue  # exited while we counted
    return count


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return  # the group is already empty


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
        _kill_group(pid)
        waiter.join()
        return box.get("status"), box.get("usage"), None  # type: ignore[return-value]
    return box["status"], box["usage"], box["ended"]  # type: ignore[return-value]


def _classify(status: int | None, timed_out: bool) -> tuple[Ending, int | None]:
    if timed_out:
        return "timeout", None
    if status is None:
        return "error", None
    return ending_of(status)
