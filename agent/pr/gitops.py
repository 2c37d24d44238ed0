"""The git side of a proposal: the branch's name, its commit, the push, the repository slug."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import git

from agent.deliver import DeliveryError, commit_on_branch
from agent.pr import PrError

COMMIT_MARKER = "[perfsmith]"  # the Action skips runs whose head commit carries it
BRANCH_PREFIX = "perfsmith/"
_SLUG_WORDS = 8


def branch_name(titles: list[str], patch_hash: str) -> str:
    """`perfsmith/<words of the first edit's title>-<patch hash>`: readable, and the same patch
    always gets the same branch, so a rerun cannot open a second copy of it."""
    words = re.findall(r"[a-z0-9]+", (titles[0] if titles else "speedup").lower())
    slug = "-".join(words[:_SLUG_WORDS]) or "speedup"
    if len(titles) > 1:
        slug += f"-and-{len(titles) - 1}-more"
    return f"{BRANCH_PREFIX}{slug}-{patch_hash[:6]}"


def commit_patch(repo_root: Path, patch: str, branch: str, base_commit: str, message: str) -> str:
    """Commit the patch on a new local branch from the run's base commit; returns the sha.
    The user's checkout, index and current branch are left as they are (agent/deliver.py)."""
    with tempfile.TemporaryDirectory(prefix="perfsmith-pr-") as tmp:
        patch_file = Path(tmp) / "best.patch"  # outside the repository: git status stays clean
        patch_file.write_text(patch)
        try:
            return commit_on_branch(repo_root, patch_file, branch, base_commit, message)
        except DeliveryError as exc:
            raise PrError(str(exc)) from None


def push(repo_root: Path, remote: str, branch: str) -> None:
    repo = git.Repo(repo_root)
    if remote not in [r.name for r in repo.remotes]:
        raise PrError(f"no git remote {remote!r}; pass --remote NAME")
    try:
        results = repo.remote(remote).push(refspec=f"refs/heads/{branch}:refs/heads/{branch}")
        results.raise_if_error()
    except git.GitCommandError as exc:
        raise PrError(f"git push to {remote} failed: {_first_line(exc.stderr)}") from None
    for info in results:
        if info.flags & (info.ERROR | info.REJECTED | info.REMOTE_REJECTED | info.REMOTE_FAILURE):
            raise PrError(f"git push to {remote} was refused: {info.summary.strip()}")


def remote_url(repo_root: Path, remote: str) -> str | None:
    repo = git.Repo(repo_root)
    return next((r.url for r in repo.remotes if r.name == remote), None)


def slug_from_url(url: str) -> str | None:
    """owner/name from https://host/owner/name(.git), git@host:owner/name.git or ssh://…"""
    match = re.search(r"(?:[:/])([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", url.strip())
    if not match or ("://" not in url and "@" not in url):
        return None  # a path on disk names no GitHub repository
    return f"{match[1]}/{match[2]}"


def head_message(repo_root: Path) -> str:
    return str(git.Repo(repo_root).head.commit.message)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"
