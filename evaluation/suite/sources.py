"""Turn a task's source into a git repository at the base, with the task's own scripts
committed on top, and resolve its expert patch."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from evaluation.suite import sdist
from evaluation.suite.records import TaskFailure
from evaluation.suite.vcs import commit_all, git, init_repo, strip_future
from tasks.formats import TASK_FILES_DIR, GitSource, PathSource, SdistSource, TaskSpec

SKIP = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", ".pytest_cache", ".perfsmith", "*.egg-info"
)


@dataclass(frozen=True)
class Materialized:
    repo: Path
    expert_patch: str  # "" when the task has no expert


def materialize(
    task: TaskSpec, dest: Path, cache: Path, git_mirror: Path | None = None
) -> Materialized:
    """Write the task's base into `dest` (a new folder) as a git repository."""
    source = task.source
    expert = ""
    if isinstance(source, GitSource):
        expert = _from_git(task, source, dest, git_mirror)
    elif isinstance(source, PathSource):
        origin = task.resolve(source.path)
        if not origin.is_dir():
            raise TaskFailure("setup_failed", f"source path {origin} is not a folder")
        shutil.copytree(origin, dest, ignore=SKIP)
        init_repo(dest, f"base: {origin.name}")
    else:
        sdist.unpack(sdist.fetch(source.requirement, cache), dest)
        init_repo(dest, f"base: {source.requirement}")
    _add_task_files(task, dest)
    if not expert:
        expert = _expert_patch(task, dest, cache)
    return Materialized(dest, expert)


def _from_git(task: TaskSpec, source: GitSource, dest: Path, mirror: Path | None) -> str:
    git(dest.parent, "clone", "-q", "--no-checkout", _mirrored(source.url, mirror), str(dest))
    git(dest, "checkout", "-q", "--detach", source.commit)
    expert = ""
    if task.expert and task.expert.commit:  # must be read before the future is stripped
        expert = git(dest, "diff", "--binary", source.commit, task.expert.commit)
    strip_future(dest, source.commit)
    return expert


def _mirrored(url: str, mirror: Path | None) -> str:
    """A local mirror of `https://github.com/owner/name(.git)` when one exists: mirror/owner/name,
    mirror/owner__name (SWE-bench's naming) or mirror/name."""
    if mirror is None or "github.com/" not in url:
        return url
    owner, _, name = url.split("github.com/", 1)[1].removesuffix(".git").partition("/")
    for candidate in (mirror / owner / name, mirror / f"{owner}__{name}", mirror / name):
        if candidate.is_dir():
            return str(candidate)
    return url


def _add_task_files(task: TaskSpec, repo: Path) -> None:
    """The task's own scripts (listed in `scripts`) and inline files, committed, so that a
    solver's diff never contains them."""
    for name in task.scripts:
        origin = task.resolve(name)
        if not origin.is_file():
            raise TaskFailure("setup_failed", f"task script {origin} is missing")
        target = repo / TASK_FILES_DIR / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
    for file in task.files:
        target = repo / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.content, encoding="utf-8")
    if task.scripts or task.files:
        commit_all(repo, "perfsmith task files")


def _expert_patch(task: TaskSpec, repo: Path, cache: Path) -> str:
    expert = task.expert
    if expert is None:
        return ""
    if expert.patch is not None:
        return expert.patch
    if expert.patch_file is not None:
        path = task.resolve(expert.patch_file)
        if not path.is_file():
            raise TaskFailure("setup_failed", f"expert patch {path} is missing")
        return path.read_text(encoding="utf-8")
    if expert.sdist is not None:
        if not isinstance(task.source, SdistSource):
            raise TaskFailure("setup_failed", "an sdist expert needs an sdist source")
        fixed = sdist.unpack(sdist.fetch(expert.sdist, cache), repo.parent / "expert-sdist")
        try:
            return sdist.package_diff(repo, fixed, task.package_dir)
        finally:
            shutil.rmtree(fixed, ignore_errors=True)
    raise TaskFailure("setup_failed", "expert.commit needs a git source")
