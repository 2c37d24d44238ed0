"""A cgroup per run: hard caps on processes and memory, OOM detection, and a kill that reaches
every process the run started, including ones that left its process group and session.

Why a cgroup and not only rlimits: RLIMIT_NPROC is not enforced for root (uid 0 is exempt in
the kernel), RLIMIT_AS caps each process's virtual size rather than what the run uses in total,
and setsid() lets a daemon escape a process-group kill. A cgroup has none of these holes.

Both layouts are handled: v1 (one hierarchy per controller, as on this CI machine) and v2 (one
unified tree, where the controllers must already be delegated to our own cgroup, since a cgroup
holding processes cannot enable them for its children). Where neither can be written (not root,
read-only cgroupfs), `CgroupRoot.find` returns the reason as a string and the caller falls back
to rlimits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("pids", "memory")
PREFIX = "perfsmith-"  # then the owning perfsmith's pid and a random suffix
KILL_ROUNDS = 200  # each round kills every member; a few suffice, forks included
REMOVE_SECONDS = 2.0


@dataclass(frozen=True)
class CgroupRoot:
    """Where run cgroups are created: our own cgroup per controller, so whatever limits the
    caller already lives under keep applying to the runs nested below it."""

    version: int
    pids: Path
    memory: Path

    @classmethod
    def find(cls) -> CgroupRoot | str:
        """The root to use, or a one-line reason why runs cannot get a cgroup here."""
        mounts, own = _mounts(), _own_paths()
        v1 = mounts.get("v1", {})
        if all(c in v1 for c in CONTROLLERS):
            pids, memory = (_within(v1[c], own.get(c, "/")) for c in CONTROLLERS)
            if not all(os.access(p, os.W_OK) for p in (pids, memory)):
                return f"cgroup v1 directories {pids} and {memory} are not writable"
            return cls(1, pids, memory)
        if "unified" in mounts.get("v2", {}):
            base = _within(mounts["v2"]["unified"], own.get("", "/"))
            control = base / "cgroup.subtree_control"
            enabled = control.read_text().split() if control.exists() else []
            if not set(CONTROLLERS) <= set(enabled) or not os.access(base, os.W_OK):
                return f"cgroup v2 at {base}: pids and memory are not delegated to us"
            return cls(2, base, base)
        return "no cgroup v1 pids and memory hierarchies and no cgroup v2 mount"

    def new_run(self, max_processes: int | None, memory_bytes: int | None) -> RunCgroup:
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        group = RunCgroup(self.pids / name, self.memory / name, self.version)
        for path in group.dirs:
            path.mkdir()
        group.limit(max_processes, memory_bytes)
        return group

    def sweep_stale(self) -> None:
        """Remove the run cgroups of perfsmith processes that died without cleaning up (killed
        mid-run), together with anything still running in them."""
        for parent in {self.pids, self.memory}:
            for path in parent.glob(f"{PREFIX}*"):
                owner = int(path.name[len(PREFIX) :].split("-")[0])
                if not _alive(owner):
                    RunCgroup(self.pids / path.name, self.memory / path.name, self.version).remove()


@dataclass(frozen=True)
class RunCgroup:
    """The cgroup directories of one run: one per controller in v1, the same one twice in v2."""

    pids: Path
    memory: Path
    version: int

    @property
    def dirs(self) -> list[Path]:
        return sorted({self.pids, self.memory})

    @property
    def procs_files(self) -> list[str]:
        """Files a child writes "0" into to join the run (see process.child_setup)."""
        return [str(path / "cgroup.procs") for path in self.dirs]

    def limit(self, max_processes: int | None, memory_bytes: int | None) -> None:
        if max_processes is not None:
            (self.pids / "pids.max").write_text(str(max_processes))
        if memory_bytes is None:
            return
        if self.version == 1:
            (self.memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = self.memory / "memory.memsw.limit_in_bytes"  # only with swap accounting
            if swap.exists():
                swap.write_text(str(memory_bytes))
        else:
            (self.memory / "memory.max").write_text(str(memory_bytes))
            swap = self.memory / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")
            # On an OOM kill, kill the whole run rather than one process of it.
            (self.memory / "memory.oom.group").write_text("1")

    def oom_kills(self) -> int:
        """How many processes the kernel killed for breaking the memory limit."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        for line in (self.memory / name).read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def members(self) -> list[int]:
        procs = self.pids / "cgroup.procs"
        return [int(pid) for pid in procs.read_text().split()] if procs.exists() else []

    def kill_all(self) -> None:
        """SIGKILL every member until none is left (members may fork while we read the list)."""
        kill_file = self.pids / "cgroup.kill"
        if self.version == 2 and kill_file.exists():
            kill_file.write_text("1")
        for _ in range(KILL_ROUNDS):
            members = self.members()
            if not members:
                return
            for pid in members:
                with contextlib.suppress(ProcessLookupError):  # it exited after the read
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)
        raise RuntimeError(f"processes still alive in {self.pids} after {KILL_ROUNDS} kill rounds")

    def remove(self) -> None:
        """Kill what is left and delete the directories (rmdir fails while members exit)."""
        self.kill_all()
        deadline = time.monotonic() + REMOVE_SECONDS
        for path in self.dirs:
            while path.exists():
                try:
                    path.rmdir()
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _mounts() -> dict[str, dict[str, tuple[Path, str]]]:
    """Mount point and mount root of each v1 controller, and of the v2 tree ("unified")."""
    found: dict[str, dict[str, tuple[Path, str]]] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, tail = line.partition(" - ")
        parts, fs = fields.split(), tail.split()
        if len(fs) < 3:
            continue
        root, point = parts[3], Path(parts[4])
        if fs[0] == "cgroup2":
            found.setdefault("v2", {}).setdefault("unified", (point, root))
        elif fs[0] == "cgroup":
            for option in fs[2].split(","):
                if option in CONTROLLERS:
                    found.setdefault("v1", {}).setdefault(option, (point, root))
    return found


def _own_paths() -> dict[str, str]:
    """controller -> our cgroup path, from /proc/self/cgroup ("" is the v2 tree)."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _within(mount: tuple[Path, str], path: str) -> Path:
    point, root = mount
    relative = os.path.relpath(path, root) if root != "/" else path.lstrip("/")
    return point / relative if relative not in ("", ".") else point
