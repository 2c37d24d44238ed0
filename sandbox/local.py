"""Local backend: the command runs on this machine as a fresh process group under rlimits and,
where we may create one, its own cgroup; inside bubblewrap (the default) or unshare.

Modes, strongest first (docs/security.md has the full table):
- "bwrap": host read-only, secrets' directories hidden, only the workspace writable, private
  /tmp, no network, new PID namespace, no capabilities, an unprivileged user when we are root,
  a seccomp filter (sandbox/seccomp.py) where libseccomp is installed.
- "unshare": no network, new mount and PID namespaces, on the host's own filesystem except for a
  fresh tmpfs over each world-writable directory (/tmp, /var/tmp, /dev/shm, /run/lock); the
  rest of the host stays unwritten only because the command runs as an unprivileged user (when
  we are root).
- "plain": a process group and rlimits, nothing else. Only on explicit request, with a warning.
"""

from __future__ import annotations

import os
import resource
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from sandbox import seccomp
from sandbox.api import Ending, Limits, RunResult
from sandbox.cgroup import CgroupRoot, RunCgroup
from sandbox.environment import sandbox_env
from sandbox.identity import SandboxUser, blocked_ancestor, lent
from sandbox.output import ending_of, ran_out_of_memory
from sandbox.process import Finished, Launch, processes_of, run_to_end
from sandbox.quota import DiskWatch
from sandbox.wrappers import (
    bwrap_argv,
    drop_argv,
    python_paths,
    tmpfs_roots,
    unshare_argv,
    unshare_tmpfs_roots,
)

LocalMode = Literal["bwrap", "unshare", "plain"]
NAMES: dict[LocalMode, str] = {
    "bwrap": "local+bwrap",
    "unshare": "local+unshare",
    "plain": "unsafe",
}
# Pid 1 of the namespace: run the command (after the privilege drop in "$@"), wait, exit with its
# status. The trailing `exit` keeps the shell from exec'ing: see LocalSandbox._shell.
_PID1 = 'cmd=$1; shift; "$@" /bin/sh -c "$cmd"; exit $?'


class UnsafeSandboxWarning(RuntimeWarning):
    """Candidates run with the caller's full rights: use only on code you trust."""


class LocalSandbox:
    def __init__(self, mode: LocalMode | None = None, *, expose: Sequence[Path] = ()) -> None:
        """`mode` None picks the strongest available. `expose` lists extra host paths the
        command may read although they lie in a hidden directory (bwrap hides $HOME)."""
        self.mode: LocalMode = mode or _best_mode()
        self.tool = shutil.which(self.mode) if self.mode != "plain" else None
        if self.mode != "plain" and not self.tool:
            raise RuntimeError(
                f"{self.mode} is not installed; install it or choose another sandbox"
            )
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
        found = CgroupRoot.find()
        self.cgroups = found if isinstance(found, CgroupRoot) else None
        self.cgroup_note = found if isinstance(found, str) else None
        if self.cgroups is not None:
            self.cgroups.sweep_stale()

    @property
    def isolate(self) -> bool:
        """Whether the host is hidden behind bubblewrap (the name before modes existed)."""
        return self.mode == "bwrap"

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
            child_env.update(USER=self.user.name, LOGNAME=self.user.name)  # for getpass.getuser()
            fresh = tmpfs_roots(_home(child_env)) if self.mode == "bwrap" else unshare_tmpfs_roots()
            blocker = blocked_ancestor(cwd, self.user, fresh)
            if blocker is not None:
                return _failed(
                    cmd,
                    f"sandbox: {self.user.name} cannot enter {blocker}, above the workspace {cwd}",
                )
        with lent(cwd, self.user):
            return self._run(cmd, cwd, child_env, limits)

    def close(self) -> None:
        """Nothing stays running between runs."""

    def _run(self, cmd: str, cwd: Path, env: dict[str, str], limits: Limits) -> RunResult:
        group = (
            self.cgroups.new_run(limits.max_processes, limits.memory_bytes)
            if self.cgroups
            else None
        )
        bpf = seccomp.program() if self.mode == "bwrap" else None
        seccomp_fd = seccomp.program_fd(bpf) if bpf is not None else None
        try:
            wrapper = self._wrapper(cwd, env, limits, seccomp_fd)
            argv = [*_pinning(limits), *wrapper, *self._shell(cmd)]
            launch = Launch.make(group.procs_files if group else [], self._rlimits(limits, group))
            watch = DiskWatch.for_limits(cwd, limits.disk_bytes)
            fds = [seccomp_fd] if seccomp_fd is not None else []
            try:
                finished = run_to_end(argv, cwd, env, limits.wall_seconds, launch, watch, fds)
            except OSError as exc:
                return _failed(cmd, str(exc))
            return _result(cmd, finished, _ending(finished, limits, group), watch)
        finally:
            if seccomp_fd is not None:
                os.close(seccomp_fd)
            if group is not None:
                group.remove()  # kills whatever is left: daemons that left the session too

    def _wrapper(
        self, cwd: Path, env: dict[str, str], limits: Limits, seccomp_fd: int | None
    ) -> list[str]:
        if self.mode == "plain":
            return []
        assert self.tool is not None
        if self.mode == "unshare":
            return unshare_argv(
                self.tool,
                cwd,
                network=limits.network,
                user=self.user,
                tmpfs_bytes=limits.memory_bytes,
            )
        return bwrap_argv(
            self.tool,
            cwd,
            _home(env),
            expose=self.expose,
            network=limits.network,
            tmpfs_bytes=limits.memory_bytes,
            user=self.user,
            seccomp_fd=seccomp_fd,
        )

    def _shell(self, cmd: str) -> list[str]:
        if self.mode == "plain":
            return ["/bin/sh", "-c", cmd]
        # In a new PID namespace the first process is pid 1, which ignores signals it has no
        # handler for (`kill $$` would do nothing) and inherits every orphan. So pid 1 is a
        # shell that only waits (the `exit` keeps it from exec'ing), and the command runs under
        # it, dropped to the sandbox user. Pid 1 itself stays our uid: the parent death signal
        # from bwrap/unshare only reaches a process its sender may signal, and when pid 1 dies
        # the kernel kills everything left in the namespace.
        return ["/bin/sh", "-c", _PID1, "sh", cmd, *drop_argv(self.user)]

    def _rlimits(self, limits: Limits, group: RunCgroup | None) -> list[tuple[int, int]]:
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
                pairs.append((resource.RLIMIT_NPROC, processes_of(uid) + limits.max_processes))
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


def _home(env: dict[str, str]) -> Path:
    return Path(env.get("HOME", str(Path.home())))


def _ending(
    finished: Finished, limits: Limits, group: RunCgroup | None
) -> tuple[Ending, int | None]:
    if finished.timed_out:
        return "timeout", None
    if finished.stopped:
        return "disk", None
    if finished.status is None:
        return "error", None
    ending, code = ending_of(finished.status)
    if limits.memory_bytes is not None:
        killed_for_memory = group is not None and group.oom_kills() > 0
        if killed_for_memory or ran_out_of_memory(code, finished.stderr.tail):
            return "memory", code
    return ending, code


def _result(
    cmd: str, finished: Finished, ending: tuple[Ending, int | None], watch: DiskWatch | None = None
) -> RunResult:
    usage = finished.usage
    stderr = finished.stderr.tail
    if ending[0] == "disk" and watch is not None:
        stderr = watch.noted(stderr)
    return RunResult(
        command=cmd,
        returncode=ending[1],
        ending=ending[0],
        stdout=finished.stdout.tail,
        stderr=stderr,
        wall_seconds=finished.wall_seconds,
        cpu_seconds=(usage.ru_utime + usage.ru_stime) if usage else 0.0,
        peak_memory_bytes=(usage.ru_maxrss * 1024) if usage else 0,
        stdout_sha256=finished.stdout.digest,
    )


def _failed(cmd: str, message: str) -> RunResult:
    return RunResult(
        command=cmd, returncode=None, ending="error", stdout="", stderr=message, wall_seconds=0.0
    )


def _pinning(limits: Limits) -> list[str]:
    """taskset prefix for limits.cpus; the affinity is inherited through every exec below."""
    if not limits.cpus:
        return []
    taskset = shutil.which("taskset")
    if taskset is None:
        return []  # util-linux missing: run unpinned rather than fail the run
    return [taskset, "-c", ",".join(str(c) for c in limits.cpus)]
