"""Source distributions from PyPI: fetched with pip into a cache, unpacked, and diffed.

An sdist task's base is the older release; its expert patch is the difference between the two
releases' package folders (tests and docs left out), computed when the task is set up, so no
third-party code lives in perfsmith's repository."""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from evaluation.suite.records import TaskFailure
from evaluation.suite.vcs import git
from sandbox.workspace import GIT_IDENTITY

ARCHIVES = (".tar.gz", ".tgz", ".zip", ".tar.bz2")
# Sub-folders of a package that hold its tests: not part of the fix, and solvers may not edit them.
TEST_GLOBS = ("**/test/**", "**/tests/**", "**/testing/**")


def split_requirement(requirement: str) -> tuple[str, str]:
    name, _, version = requirement.partition("==")
    return name.strip(), version.strip()


def fetch(requirement: str, cache: Path, timeout: float = 300.0) -> Path:
    """The sdist archive for `name==version`, downloaded once into `cache`."""
    name, version = split_requirement(requirement)
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:  # threads and processes share one cache
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _cached(name, version, cache)
        if found:
            return found
        # --no-binary for this package only: its build backend may still come as a wheel
        # (with :all:, a backend that needs itself to build can never be installed).
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            name,
            f"{name}=={version}",
            "-d",
            str(cache),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TaskFailure("setup_failed", f"pip download {requirement} timed out") from None
        found = _cached(name, version, cache)
        if done.returncode != 0 or not found:
            raise TaskFailure(
                "setup_failed", f"pip download {requirement}: {_last_error(done.stderr)}"
            )
        return found


def unpack(archive: Path, dest: Path) -> Path:
    """Extract the archive's single top folder as `dest`."""
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp, filter="data")  # no absolute paths, links out, devices
        tops = list(Path(tmp).iterdir())
        root = tops[0] if len(tops) == 1 and tops[0].is_dir() else Path(tmp)
        shutil.move(str(root), dest)
    return dest


def package_diff(base: Path, fixed: Path, package_dir: str) -> str:
    """The change from `base/package_dir` to `fixed/package_dir` as a patch with repository
    paths (`a/idna/core.py`), test sub-folders left out."""
    if not package_dir:
        raise TaskFailure(
            "setup_failed", "an sdist expert needs package_dir (the package's folder)"
        )
    for root in (base, fixed):
        if not (root / package_dir).is_dir():
            raise TaskFailure("setup_failed", f"{root.name} has no folder {package_dir}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(base / package_dir, work / package_dir)
        git(work, "init", "-q")
        git(work, "add", "-A", "-f")
        git(work, *GIT_IDENTITY, "commit", "-q", "--no-verify", "-m", "base")
        shutil.rmtree(work / package_dir)
        shutil.copytree(fixed / package_dir, work / package_dir)
        # An index without stat data: archives often carry equal mtimes and sizes, which git
        # would otherwise take for "unchanged" without reading the files.
        git(work, "read-tree", "HEAD")
        git(work, "add", "-A", "-f")
        excluded = [f":(exclude,glob){pattern}" for pattern in TEST_GLOBS]
        return git(work, "diff", "--cached", "--binary", "HEAD", "--", package_dir, *excluded)


def _cached(name: str, version: str, cache: Path) -> Path | None:
    wanted = (_normal(name), version)
    for path in sorted(cache.iterdir()):
        stem = next((path.name[: -len(s)] for s in ARCHIVES if path.name.endswith(s)), None)
        if stem is None or "-" not in stem:
            continue
        got_name, _, got_version = stem.rpartition("-")
        if (_normal(got_name), got_version) == wanted:
            return path
    return None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _last_error(stderr: str) -> str:
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("WARNING")
    ]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1][:300]
