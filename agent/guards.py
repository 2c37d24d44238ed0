"""Files an edit may not touch: the judges (tests, the workload, test and tool configuration)."""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath

CONFIG_FILES = {"pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "noxfile.py", "Makefile"}


def protected_reason(path: str, bench_command: str) -> str | None:
    """Why `path` (relative, POSIX) is off limits, or None when an edit may change it."""
    p = PurePosixPath(path)
    name = p.name
    if any(part in {"tests", "test", "testing"} for part in p.parts[:-1]):
        return f"{path} is in a test directory"
    if (
        name == "conftest.py"
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
    ):
        return f"{path} is a test file"
    if name in CONFIG_FILES and len(p.parts) == 1:
        return f"{path} is project configuration"
    if path in _bench_files(bench_command):
        return f"{path} is part of the workload being timed"
    if p.parts and p.parts[0] in {".git", ".perfsmith", ".perfsmith-scratch"}:
        return f"{path} belongs to git or perfsmith"
    return None


def _bench_files(bench_command: str) -> set[str]:
    try:
        words = shlex.split(bench_command)
    except ValueError:
        words = bench_command.split()
    files = set()
    for word in words:
        clean = word.split("::")[0].removeprefix("./")
        if clean.endswith(".py"):
            files.add(clean)
    return files
