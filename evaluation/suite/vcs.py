"""The few git operations the harness needs, each failing as a TaskFailure."""

from __future__ import annotations

import subprocess
from pathlib import Path

from evaluation.suite.records import Status, TaskFailure
from sandbox.workspace import GIT_IDENTITY

BASE_BRANCH = "perfsmith-base"


def git(cwd: Path, *args: str, status: Status = "setup_failed", timeout: float = 600.0) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise TaskFailure("timeout", f"git {args[0]} timed out after {timeout:g}s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise TaskFailure(status, f"git {args[0]} failed: {last[:300]}")
    return done.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A", "-f")
    git(repo, *GIT_IDENTITY, "commit", "-q", "--allow-empty", "--no-verify", "-m", message)


def init_repo(repo: Path, message: str) -> None:
    git(repo, "init", "-q", "-b", BASE_BRANCH)
    commit_all(repo, message)


def strip_future(repo: Path, commit: str) -> None:
    """Keep only the history up to `commit`: one branch at it, no remotes, tags or reflogs,
    and the unreachable objects pruned, so no later commit (the answer) can be read back."""
    git(repo, "checkout", "-q", "-B", BASE_BRANCH, commit)
    for remote in git(repo, "remote").split():
        git(repo, "remote", "remove", remote)
    for ref in git(repo, "for-each-ref", "--format=%(refname)").split():
        if ref != f"refs/heads/{BASE_BRANCH}":
            git(repo, "update-ref", "-d", ref)
    git(repo, "reflog", "expire", "--expire=now", "--all")
    git(repo, "gc", "-q", "--prune=now")
