"""Who a sandboxed command runs as, and how its workspace becomes writable for that user.

When perfsmith runs as root, candidates must not: uid 0 reads every root-only file on the host
(/etc/shadow, /root, ssh host keys, other sandboxes' data), connects to root-owned sockets such
as a Docker engine's, and is exempt from RLIMIT_NPROC. So the isolating backends drop candidates
to an unprivileged user ("nobody" by default) and lend them the workspace: everything in it,
except the top directory and .git, is chowned to that user. Those two stay root's because git
refuses to work in a repository whose top directory or .git another user owns ("dubious
ownership"), and perfsmith runs git in the workspace after each candidate. The top directory
gets the user's group and group write, so the candidate can still create files there.

The loan ends with the run: owners, the top directory's group and mode are put back, and what
the command created is given to the top directory's owner (a chown by root also clears any
setuid bit a candidate set). So a directory that is not perfsmith's own workspace, such as the
user's checkout for `perfsmith compare`, ends the run owned as it began.

When perfsmith runs as an ordinary user, candidates run as that same user and nothing is lent.
"""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KEPT = ".git"  # never lent: perfsmith runs git here, and a writable .git/config runs code


@dataclass(frozen=True)
class SandboxUser:
    uid: int
    gid: int
    name: str

    @classmethod
    def default(cls) -> SandboxUser | None:
        """The user candidates run as, or None to run them as ourselves (we are not root)."""
        if os.geteuid() != 0:
            return None
        try:
            entry = pwd.getpwnam("nobody")
        except KeyError:
            return cls(65534, 65534, "nobody")
        return cls(entry.pw_uid, entry.pw_gid, entry.pw_name)


@dataclass(frozen=True)
class _Loan:
    top_gid: int
    top_mode: int
    owners: dict[str, tuple[int, int]]  # every lent entry's owner before the loan


@contextmanager
def lent(root: Path, user: SandboxUser | None) -> Iterator[None]:
    """`root` is writable for `user` inside the block (nothing happens for None)."""
    if user is None:
        yield
        return
    loan = _lend(root, user)
    try:
        yield
    finally:
        _give_back(root, user, loan)


def _lend(root: Path, user: SandboxUser) -> _Loan:
    top = root.lstat()
    os.chown(root, top.st_uid, user.gid)
    os.chmod(root, stat.S_IMODE(top.st_mode) | stat.S_IRWXG)
    owners: dict[str, tuple[int, int]] = {}
    for path in _entries(root):
        info = os.lstat(path)
        owners[path] = (info.st_uid, info.st_gid)
        if (info.st_uid, info.st_gid) != (user.uid, user.gid):
            # lchown: a symlink must not redirect the chown to its target.
            os.lchown(path, user.uid, user.gid)
    return _Loan(top.st_gid, stat.S_IMODE(top.st_mode), owners)


def _give_back(root: Path, user: SandboxUser, loan: _Loan) -> None:
    top = root.lstat()
    for path in _entries(root):
        info = os.lstat(path)
        if (info.st_uid, info.st_gid) == (user.uid, user.gid):
            os.lchown(path, *loan.owners.get(path, (top.st_uid, loan.top_gid)))
    os.chown(root, top.st_uid, loan.top_gid)
    os.chmod(root, loan.top_mode)


def _entries(root: Path) -> Iterator[str]:
    """Every path under root, .git's subtree aside; symbolic links are not followed."""
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == str(root) and KEPT in dirnames:
            dirnames.remove(KEPT)
        for name in dirnames + filenames:
            yield os.path.join(dirpath, name)


def blocked_ancestor(path: Path, user: SandboxUser, fresh: Sequence[Path] = ()) -> Path | None:
    """The first directory above `path` that `user` may not pass through, if any (pytest's
    /tmp/pytest-of-root and mkdtemp's folders are 0700). Directories in or under `fresh` are
    skipped: the sandbox mounts a new tmpfs there and makes those passable itself."""
    for parent in reversed(path.parents):
        if any(parent.is_relative_to(root) for root in fresh):
            continue
        info = parent.stat()
        if info.st_uid == user.uid:
            bit = stat.S_IXUSR
        elif info.st_gid == user.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return parent
    return None
