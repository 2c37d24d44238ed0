"""The workspace disk quota: how many bytes a run may add to its workspace.

RLIMIT_FSIZE caps each file, not their number, so a candidate could fill the disk with many
files under the cap. The watch below runs beside the command (from the wait loop) and says when
the workspace has grown by more than `Limits.disk_bytes` since the run began; the caller then
kills the run. Growth, not size: a repository that already holds gigabytes of data is not
punished for them.

Measuring is a walk of the workspace (lstat of every entry, st_blocks, each inode once), which
costs about a millisecond per thousand files. So the watch walks rarely: after a time that grows
with what the last walk cost, or sooner when the filesystem holding the workspace (statvfs, a
few microseconds) has lost more free space since the last walk than the quota has left. The
statvfs check alone would not do: another process freeing space at the same time would hide
the candidate's writes from it; the periodic walk bounds that.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.output import TAIL_CHARS

MiB = 1024**2
POLL_SECONDS = 0.1  # how often the wait loop asks; a statvfs each time
_MIN_WALK_GAP = 1.0  # seconds between walks, at least...
_WALK_COST_FACTOR = 50  # ...and at least this many times what the last walk took
_EARLY_WALK_FACTOR = 5  # an early walk waits this many times the last walk's cost
# Every entry costs at least an inode's worth: a million empty files exhaust inodes, not blocks.
_ENTRY_BYTES = 256


def workspace_bytes(root: Path) -> int:
    """Bytes the tree under `root` holds on disk: allocated blocks (sparse files count what
    they use), each hard-linked inode once, symbolic links not followed, other filesystems
    mounted inside not entered."""
    device = root.lstat().st_dev
    seen: set[tuple[int, int]] = set()
    total = 0
    pending = [str(root)]
    while pending:
        for entry in _entries(pending.pop()):
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed while we walked
            if info.st_nlink > 1 and not stat.S_ISDIR(info.st_mode):
                if (info.st_dev, info.st_ino) in seen:
                    continue
                seen.add((info.st_dev, info.st_ino))
            total += info.st_blocks * 512 + _ENTRY_BYTES
            if stat.S_ISDIR(info.st_mode) and info.st_dev == device:
                pending.append(entry.path)
    return total


def _entries(path: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as listing:
            return list(listing)
    except FileNotFoundError:
        return []  # removed while we walked
    except PermissionError:
        pass
    # Only when perfsmith is not root and the candidate (the same uid) made a directory
    # unreadable to hide what it holds: we own it, so open it up and look again.
    try:
        os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | stat.S_IRWXU)
        with os.scandir(path) as listing:
            return list(listing)
    except OSError:
        return []  # it raced us; docs/security.md names this gap of the non-root mode


class DiskWatch:
    """Call `over()` every `every` seconds while the command runs; True once the workspace
    has grown by more than `limit` bytes since this object was made."""

    every = POLL_SECONDS

    def __init__(self, root: Path, limit: int, clock: Callable[[], float] = time.monotonic):
        self.root, self.limit, self.clock = root, limit, clock
        self.start_bytes = workspace_bytes(root)
        self.grown = 0  # at the last walk
        self._walk_cost = 0.0
        self._last_walk = clock()
        self._free_at_walk = _free_bytes(root)

    def over(self) -> bool:
        # OSError: the workspace itself is gone (a same-uid candidate removed it); keep the
        # last judgement, the wall-clock limit still ends the run.
        with contextlib.suppress(OSError):
            self._look()
        return self.grown > self.limit

    def _look(self) -> None:
        now = self.clock()
        since = now - self._last_walk
        due = since >= max(_MIN_WALK_GAP, _WALK_COST_FACTOR * self._walk_cost)
        lost = self._free_at_walk - _free_bytes(self.root)
        early = lost > self.limit - self.grown and since >= _EARLY_WALK_FACTOR * self._walk_cost
        if due or early:
            self._walk(now)

    @classmethod
    def for_limits(cls, root: Path, limit: int | None) -> DiskWatch | None:
        """The watch a run under `Limits.disk_bytes = limit` needs; None for no quota."""
        return cls(root, limit) if limit is not None else None

    def noted(self, stderr: str) -> str:
        """The run's stderr tail with the reason the quota stopped it as its last line: the
        reason a rejected candidate is shown is the last line of its output."""
        note = (
            f"\nsandbox: killed: the workspace grew by {self.grown / MiB:.0f} MiB, "
            f"over its disk quota of {self.limit / MiB:.0f} MiB (Limits.disk_bytes)\n"
        )
        return (stderr + note)[-TAIL_CHARS:]

    def _walk(self, now: float) -> None:
        free = _free_bytes(self.root)
        self.grown = workspace_bytes(self.root) - self.start_bytes
        self._free_at_walk = free
        self._last_walk = self.clock()
        self._walk_cost = self._last_walk - now


def _free_bytes(root: Path) -> int:
    info = os.statvfs(root)
    return info.f_bfree * info.f_frsize
