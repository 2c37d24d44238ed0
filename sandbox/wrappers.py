"""Command lines that wrap a candidate's shell command: bubblewrap, unshare, and the privilege
drop. This file decides what a candidate can see of the host; docs/security.md says why.

Under bubblewrap the host is bound read-only, then these are covered with empty tmpfs mounts:
/tmp (other workspaces, the baseline), $HOME, /root and /home (keys, tokens, the user's
repositories), /run and /var/tmp (sockets such as a Docker engine's, other users' files). The
Python installation perfsmith runs from is bound back read-only at its own path, so `python`
keeps working when it lives under a hidden directory (pyenv in /root). The workspace is bound
read-write last, with its .git bound read-only again on top: a candidate that could write
.git/config could set core.fsmonitor or a filter and so run code the next time perfsmith, on
the host and outside any sandbox, runs git there.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from sandbox.identity import SandboxUser

# Covered by an empty tmpfs the candidate cannot write.
HIDDEN = (Path("/root"), Path("/home"), Path("/run"), Path("/var/tmp"))
# Covered by an empty tmpfs the candidate can write (mode 1777), as is $HOME.
SCRATCH = (Path("/tmp"), Path("/dev/shm"))
# unshare mode shows the host's own filesystem: these are the directories anyone may write
# there (/var/lock is a link to /run/lock). Each gets a fresh tmpfs; bwrap hides /run whole.
UNSHARE_SCRATCH = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/lock"))


def python_paths() -> list[Path]:
    """The interpreter, its standard library and the virtual environment (the project's
    dependencies), which every backend must show at their own paths."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return sorted(Path(p).resolve() for p in prefixes if Path(p).is_dir())


def bwrap_argv(
    bwrap: str,
    workspace: Path,
    home: Path,
    *,
    expose: Sequence[Path],
    network: bool,
    tmpfs_bytes: int | None,
    user: SandboxUser | None,
    seccomp_fd: int | None = None,
) -> list[str]:
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    covered: list[Path] = []
    made: set[Path] = set()
    for path, writable in _tmpfs_mounts(home):
        argv += _parents(path, covered, made)
        if writable:
            # 1777 like /tmp; the size cap matters where there is no memory cgroup to charge.
            argv += ["--perms", "1777", *(["--size", str(tmpfs_bytes)] if tmpfs_bytes else [])]
        argv += ["--tmpfs", str(path)]
        covered.append(path)
    for path in expose:
        if _cover(path, covered) is not None:
            argv += [*_parents(path, covered, made), "--ro-bind", str(path), str(path)]
    argv += [*_parents(workspace, covered, made), "--bind", str(workspace), str(workspace)]
    git = workspace / ".git"  # a directory, or a file naming one (worktrees): either runs code
    if git.exists():
        argv += ["--ro-bind", str(git), str(git)]
    argv += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    # The command itself is pid 1 of its namespace, with no bwrap reaper in between: otherwise
    # its CPU time and peak memory never reach our wait4. When it exits, the kernel kills
    # every process left in the namespace.
    argv.append("--as-pid-1")
    argv += ["--die-with-parent", "--new-session", "--chdir", str(workspace)]
    if not network:
        argv.append("--unshare-net")
    if user is not None:
        # Running as root, bwrap would hand the command every capability (CAP_SYS_ADMIN can
        # remount / read-write). Keep only what setpriv needs to become `user`; it drops those
        # (see drop_argv; pid 1 keeps them, out of the unprivileged command's reach).
        argv += ["--cap-drop", "ALL"]
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"):
            argv += ["--cap-add", cap]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]  # sandbox/seccomp.py
    return [*argv, "--"]


def tmpfs_roots(home: Path) -> list[Path]:
    """Where bwrap mounts a fresh tmpfs: the host's directories there are not what is seen."""
    return [path for path, _ in _tmpfs_mounts(home)]


def _tmpfs_mounts(home: Path) -> list[tuple[Path, bool]]:
    """(path, writable) in mount order: outer directories before the ones inside them."""
    mounts = {path.resolve(): False for path in HIDDEN if path.is_dir()}
    mounts.update({path: True for path in SCRATCH})
    home = home.resolve()
    if home != Path("/") and home.is_dir():
        # A private, writable HOME: tools that keep caches there (pip, matplotlib) still work.
        mounts[home] = True
    return sorted(mounts.items(), key=lambda item: len(item[0].parts))


def unshare_argv(
    unshare: str,
    workspace: Path,
    *,
    network: bool,
    user: SandboxUser | None,
    tmpfs_bytes: int | None,
) -> list[str]:
    """Without bubblewrap: new mount, PID, IPC and UTS namespaces and no network. The
    filesystem is the host's, except that the world-writable directories (UNSHARE_SCRATCH) get
    a fresh tmpfs each, mounted by pid 1 (root in the namespace) before the command runs; the
    rest of the host stays unwritten only because of the privilege drop (when we are root)."""
    argv = [unshare, "--mount", "--propagation", "private", "--pid", "--ipc", "--uts"]
    argv += ["--fork", "--kill-child", "--mount-proc"]
    if not network:
        argv.append("--net")
    if user is None and os.geteuid() != 0:
        argv.append("--map-root-user")  # creating namespaces needs privilege in some namespace
    return [*argv, "--", "/bin/sh", "-c", _scratch_script(workspace, tmpfs_bytes), "sh"]


def unshare_tmpfs_roots() -> list[Path]:
    """Where unshare mode mounts a fresh tmpfs (the existing ones of UNSHARE_SCRATCH)."""
    return sorted({path.resolve() for path in UNSHARE_SCRATCH if path.is_dir()})


def _scratch_script(workspace: Path, tmpfs_bytes: int | None) -> str:
    """Shell that mounts the scratch tmpfs mounts, then execs "$@". A workspace inside one of
    them is bound back at its own path from the current directory, which still reaches the
    covered one (`--no-canonicalize` keeps mount from resolving "." to the new path)."""
    mount = shutil.which("mount") or "/bin/mount"
    size = f",size={tmpfs_bytes}" if tmpfs_bytes else ""
    lines = ["set -e"]
    for root in unshare_tmpfs_roots():
        lines.append(
            f"{mount} -t tmpfs -o mode=1777,nosuid,nodev{size} tmpfs {shlex.quote(str(root))}"
        )
    if any(workspace.is_relative_to(root) for root in unshare_tmpfs_roots()):
        ws = shlex.quote(str(workspace))
        # umask in a subshell: the parents must be passable by the sandbox user (0755).
        lines += [f"(umask 022 && mkdir -p {ws})", f"{mount} --no-canonicalize --bind . {ws}"]
        lines.append(f"cd {ws}")
    return "\n".join([*lines, 'exec "$@"'])


def drop_argv(user: SandboxUser | None) -> list[str]:
    """The prefix that runs a command as `user` with no capabilities at all."""
    if user is None:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise RuntimeError(
            "setpriv (util-linux) is needed to run candidates as an unprivileged user"
        )
    return [
        setpriv,
        f"--reuid={user.uid}",
        f"--regid={user.gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
    ]


def _cover(path: Path, covered: Iterable[Path]) -> Path | None:
    """The innermost tmpfs mount strictly above `path`, if any."""
    above = [c for c in covered if path.is_relative_to(c) and path != c]
    return max(above, key=lambda c: len(c.parts), default=None)


def _parents(path: Path, covered: Iterable[Path], made: set[Path]) -> list[str]:
    """bwrap creates missing mount points with mode 0700, which an unprivileged candidate
    cannot pass through; create the ones inside our tmpfs mounts with 0755 first."""
    root = _cover(path, covered)
    if root is None:
        return []
    argv: list[str] = []
    for parent in reversed(path.relative_to(root).parents[:-1]):
        if root / parent not in made:
            made.add(root / parent)
            argv += ["--perms", "0755", "--dir", str(root / parent)]
    return argv
