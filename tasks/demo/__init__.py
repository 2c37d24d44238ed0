"""The demo repository perfsmith is shown on: `shoplog`, a small order-log summariser.

`materialize(dest)` writes a fresh git checkout of it (one commit, "demo baseline") that
`perfsmith` can be pointed at. The project's sources live in `project/`; see README.md in this
folder for what is slow in it and why.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROJECT = Path(__file__).parent / "project"

# Never copied into a materialized checkout (build and run leftovers in the source tree).
_SKIP = ("__pycache__", "*.pyc", ".pytest_cache", ".perfsmith", "*.egg-info", ".git")

# Package-data globs do not match dot-files, so an installed copy of PROJECT may lack it.
_GITIGNORE = "__pycache__/\n.perfsmith/\n*.egg-info/\n.pytest_cache/\n"

_IDENTITY = {"user.name": "perfsmith demo", "user.email": "demo@perfsmith.invalid"}


def _git(cwd: Path, *args: str) -> None:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip() or proc.stdout.strip()}"
        )


def materialize(dest: Path) -> Path:
    """Copy the demo project to dest and commit it there as "demo baseline"; return dest.

    dest may not exist yet (its parents are created); if it exists it must be an empty directory.
    """
    dest = Path(dest)
    if dest.exists():
        if not dest.is_dir():
            raise ValueError(f"{dest} exists and is not a directory")
        if any(dest.iterdir()):
            raise ValueError(f"{dest} is not empty; materialize needs a new or empty directory")
    if not (PROJECT / "pyproject.toml").is_file():
        raise FileNotFoundError(f"demo project sources missing at {PROJECT}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns(*_SKIP), dirs_exist_ok=True)
    gitignore = dest / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(_GITIGNORE)
    _git(dest, "init", "-q")
    for key, value in _IDENTITY.items():
        _git(dest, "config", key, value)
    _git(dest, "config", "commit.gpgsign", "false")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "--no-verify", "-m", "demo baseline")
    return dest


__all__ = ["PROJECT", "materialize"]
