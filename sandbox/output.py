"""What is kept of a command's output, and how its end is named: shared by every backend.

Output is streamed through, never held whole: a candidate that prints gigabytes costs disk
(bounded by RLIMIT_FSIZE locally) but not perfsmith's memory. What is kept is the SHA-256 of
all of it (workloads compare outputs by digest) and the last TAIL_CHARS characters.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import BinaryIO

from sandbox.api import Ending

TAIL_CHARS = 20_000
_TAIL_BYTES = 4 * TAIL_CHARS  # enough for TAIL_CHARS of any UTF-8 text
_CHUNK = 1 << 20
# The interpreter's last words when an allocation fails under RLIMIT_AS.
_MEMORY_ERROR = re.compile(r"^(MemoryError|\w*Error: .*Cannot allocate memory)", re.MULTILINE)


class Capture:
    """An output stream's digest and tail, fed chunk by chunk."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._tail = b""

    def feed(self, data: bytes) -> None:
        self._sha.update(data)
        self._tail = (self._tail + data)[-_TAIL_BYTES:]

    def feed_file(self, handle: BinaryIO) -> Capture:
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            self.feed(chunk)
        return self

    @property
    def digest(self) -> str:
        return self._sha.hexdigest()

    @property
    def tail(self) -> str:
        return self._tail.decode("utf-8", errors="replace")[-TAIL_CHARS:]


def ending_of(status: int) -> tuple[Ending, int]:
    """Name a wait status."""
    if os.WIFSIGNALED(status):
        return "signal", -os.WTERMSIG(status)
    return exit_ending(os.WEXITSTATUS(status))


def exit_ending(code: int) -> tuple[Ending, int]:
    """Every backend runs `/bin/sh -c`, under a wrapper (bwrap, unshare, docker exec) or not,
    and both shells and wrappers report a child killed by signal N as exit status 128+N: read
    that as the signal, so "killed" means the same on every backend."""
    if 128 < code <= 128 + 64:
        return "signal", -(code - 128)
    return "exit", code


def ran_out_of_memory(returncode: int | None, stderr_tail: str) -> bool:
    """Without a memory cgroup the limit is RLIMIT_AS, and breaking it looks like a failed
    allocation (Python's MemoryError), not a kill."""
    return returncode not in (0, None) and bool(_MEMORY_ERROR.search(stderr_tail[-4000:]))
