"""Private copies of a repository: the user's tree is only ever read.

A workspace is a plain directory holding a snapshot of the repository with a git repository
of its own (one commit, "baseline"), so a candidate's change is always `git diff` against it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import git

SCRATCH_DIR = ".perfsmith-scratch"  # perfsmith's own files inside a workspace, never in a patch
# Files a run creates in a workspace that are never part of a patch.
SCRATCH = [
    "__pycache__/",
    "*.pyc",
    ".pytest_cache/",
    ".perfsmith/",
    ".perfsmith-scratch/",
    "*.egg-info/",
]
GIT_IDENTITY = (  # commits perfsmith makes itself: no user config, no signing prompt
    "-c",
    "user.name=perfsmith",
    "-c",
    "user.email=perfsmith@localhost",
    "-c",
    "commit.gpgsign=false",
)


class RepoError(Exception):
    """The path cannot be optimized as given; the message says why in one line."""


@dataclass(frozen=True)
class RepoInfo:
    root: Path
    head: str
    dirty: bool


def inspect_repo(path: Path) -> RepoInfo:
    path = Path(path)
    if not path.is_dir():
        raise RepoError(f"{path}: no such directory")
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise RepoError(
            f"{path} is not a git repository (perfsmith diffs against a commit: run `git init` and commit first)"
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        raise RepoError(f"{path} is a bare git repository; point perfsmith at a checkout")
    try:
        head = repo.head.commit.hexsha
    except ValueError:
        raise RepoError(f"{path} has no commits yet; commit the code to optimize first") from None
    return RepoInfo(
        Path(repo.working_tree_dir).resolve(), head, repo.is_dirty(untracked_files=True)
    )


def snapshot(repo: RepoInfo, dest: Path, include_uncommitted: bool) -> Path:
    """Write HEAD (or, with include_uncommitted, the working tree's tracked and untracked,
    non-ignored files) into dest and commit it there as the baseline."""
    dest.mkdir(parents=True, exist_ok=False)
    if include_uncommitted:
        listing = _git(repo.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        for rel in sorted(set(filter(None, listing.split("\0")))):
            src = repo.root / rel
            if src.is_symlink() or src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel, follow_symlinks=False)
    else:
        _export_commit(repo, dest)
    _git(dest, "init", "-q")
    (dest / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (dest / ".git" / "info" / "exclude").write_text("\n".join(SCRATCH) + "\n")
    _git(dest, "add", "-A")
    _git(dest, *GIT_IDENTITY, "commit", "-q", "--allow-empty", "--no-verify", "-m", "baseline")
    return dest


def clone(src: Path, dest: Path) -> Path:
    """An independent copy of a workspace (its git history included)."""
    shutil.copytree(
        src, dest, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    return dest


def diff(workspace: Path) -> str:
    """The workspace's change against its baseline, as a patch `git apply` accepts."""
    _git(workspace, "add", "-A")
    return _git(workspace, "diff", "--cached", "--binary", "HEAD")


def changed_files(workspace: Path) -> list[str]:
    _git(workspace, "add", "-A")
    return [p for p in _git(workspace, "diff", "--cached", "--name-only", "HEAD").splitlines() if p]


def _export_commit(repo: RepoInfo, dest: Path) -> None:
    # A throwaway index keeps the user's own index untouched.
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        for args in (["read-tree", repo.head], ["checkout-index", "-a", "-f", f"--prefix={dest}/"]):
            done = subprocess.run(
                ["git", "-C", str(repo.root), *args], env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RepoError(f"git {args[0]} failed: {done.stderr.strip()}")


def new_scratch_dir(prefix: str = "perfsmith-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RepoError(f"git {args[0]} failed in {cwd}: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def tree_id(workspace: Path) -> str:
    """Content hash of the workspace's baseline commit (same files, same id)."""
    return _git(workspace, "rev-parse", "HEAD^{tree}").strip()


@contextmanager
def scratch_folder(workspace: Path, prefix: str = "run-") -> Iterator[Path]:
    """A fresh folder under `<workspace>/.perfsmith-scratch/` (the workspace is the one place
    every sandbox lets a run read and write), removed on exit together with the parent when
    this call created it, so the workspace is left as it was (callers diff it with git)."""
    root = workspace / SCRATCH_DIR
    created_root = not root.exists()
    root.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root)).resolve()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if created_root and root.is_dir() and not any(root.iterdir()):
            root.rmdir()
