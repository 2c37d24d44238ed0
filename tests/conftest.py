from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# .venv-kernels (torch CPU + triton), built by `make test`: what user projects' kernels run with.
KERNEL_PYTHON = ROOT / ".venv-kernels" / "bin" / "python"


def kernel_venv_ready() -> bool:
    sites = (ROOT / ".venv-kernels" / "lib").glob("python3*/site-packages")
    return KERNEL_PYTHON.is_file() and any(
        (s / "torch").is_dir() and (s / "triton").is_dir() for s in sites
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True
    ).stdout


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "init", "-q")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    return root


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo", {"pkg/mod.py": "def f():\n    return 1\n", "README": "hi\n"}
    )
