"""Keeping timings clean while other tasks run: one machine-wide lock for every timed section,
and, on machines with spare cores, timing pinned to cores of its own.

The lock is an flock on a file: it holds across threads (each opens its own descriptor),
across processes (two `perfsmith bench` runs, Ray workers on one node) and is released by the
kernel when a process dies. Pinning uses sched_setaffinity on the calling thread, which the
commands it starts inherit; it is undone when the section ends."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# One per user: a lock file another user created could not be opened for writing.
DEFAULT_LOCK = Path(tempfile.gettempdir()) / f"perfsmith-timing-{os.getuid()}.lock"


@dataclass(frozen=True)
class TimingLock:
    path: Path = DEFAULT_LOCK

    @contextmanager
    def held(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class CorePlan:
    """Which cores timed runs and everything else may use; None: no pinning."""

    timing: frozenset[int] | None = None
    other: frozenset[int] | None = None

    @classmethod
    def split(cls) -> CorePlan:
        """The last available core for timing, the rest for the others (with 2+ cores)."""
        if not hasattr(os, "sched_getaffinity"):
            return cls()
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            return cls()
        return cls(frozenset(cores[-1:]), frozenset(cores[:-1]))


@contextmanager
def pinned(cores: frozenset[int] | None) -> Iterator[None]:
    if not cores or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cores)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
