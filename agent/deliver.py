"""Hand the best patch to the user: apply it to a clean tree, or commit it on a new branch.
These are the only operations of perfsmith that change the user's repository."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import git


class DeliveryError(Exception):
    pass


def apply_patch(repo_root: Path, patch_file: Path) -> None:
    repo = git.Repo(repo_root)
    if repo.is_dirty(untracked_files=False):
        raise DeliveryError(
            "--apply needs a clean working tree; commit or stash your changes first"
        )
    _git_apply(repo_root, patch_file, check_only=True)
    _git_apply(repo_root, patch_file, check_only=False)


def commit_on_branch(
    repo_root: Path, patch_file: Path, branch: str, base_commit: str, message: str
) -> str:
    """Commit the patch on a new branch from the base commit, in a temporary worktree, so the
    user's checkout, index and current branch stay as they are. Returns the commit sha."""
    repo = git.Repo(repo_root)
    if branch in repo.heads:
        raise DeliveryError(f"branch {branch!r} already exists")
    with tempfile.TemporaryDirectory(prefix="perfsmith-branch-") as tmp:
        tree = Path(tmp) / "tree"
        repo.git.worktree("add", "-q", "-b", branch, str(tree), base_commit)
        try:
            _git_apply(tree, patch_file, check_only=False)
            worktree = git.Repo(tree)
            worktree.git.add("-A")
            # The user's identity when git has one; never write to their config.
            known = worktree.config_reader().has_option("user", "email")
            actor = None if known else git.Actor("perfsmith", "perfsmith@localhost")
            worktree.index.commit(message, author=actor, committer=actor)
            return worktree.head.commit.hexsha
        finally:
            repo.git.worktree("remove", "--force", str(tree))


def _git_apply(cwd: Path, patch_file: Path, check_only: bool) -> None:
    args = ["git", "-C", str(cwd), "apply", "--whitespace=nowarn"] + (
        ["--check"] if check_only else []
    )
    done = subprocess.run([*args, str(patch_file)], capture_output=True, text=True)
    if done.returncode != 0:
        raise DeliveryError(f"the patch does not apply: {done.stderr.strip().splitlines()[:1]}")
