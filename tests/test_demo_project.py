"""The demo project (tasks/demo): materializes as a clean git checkout whose own tests pass and
whose bench is deterministic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import load_config
from tasks.demo import PROJECT, materialize


def _env() -> dict[str, str]:
    # The demo must run as a stranger's checkout would: nothing from this test run leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: list[str], cwd: Path, hash_seed: str = "random") -> subprocess.CompletedProcess[str]:
    env = _env()
    env["PYTHONHASHSEED"] = hash_seed
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materialize(tmp_path_factory.mktemp("demo") / "not" / "yet" / "there")


def test_materialize_makes_one_clean_commit(demo: Path) -> None:
    assert (demo / ".git").is_dir()
    assert _git(demo, "status", "--porcelain", "--untracked-files=all") == ""
    assert _git(demo, "log", "--format=%s").splitlines() == ["demo baseline"]
    tracked = set(_git(demo, "ls-files").splitlines())
    assert {".gitignore", "pyproject.toml", "bench.py", "shoplog/__init__.py"} <= tracked
    assert any(p.startswith("tests/test_") for p in tracked)
    assert not any(
        "__pycache__" in p or p.endswith(".pyc") or p.endswith("README.md") for p in tracked
    )


def test_demo_declares_its_commands(demo: Path) -> None:
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((demo / "pyproject.toml").read_text())
    settings = load_config(demo, {})
    assert settings.bench == "python bench.py"
    assert settings.test.endswith("python -m pytest -q -p no:cacheprovider")
    assert config["project"].get("dependencies", []) == []
    ignored = (demo / ".gitignore").read_text().splitlines()
    assert "__pycache__/" in ignored and ".perfsmith/" in ignored


def test_demo_test_suite_passes(demo: Path) -> None:
    proc = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], demo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout
    # Running it leaves nothing a diff would pick up.
    assert _git(demo, "status", "--porcelain", "--untracked-files=all") == ""


def test_demo_bench_is_deterministic(demo: Path) -> None:
    # Different hash seeds: the output may not depend on set or dict-of-str iteration order.
    first = _run([sys.executable, "bench.py"], demo, hash_seed="0")
    assert first.returncode == 0, first.stderr
    second = _run([sys.executable, "bench.py"], demo, hash_seed="4242")
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    assert "summary sha256" in first.stdout and "customers sha256" in first.stdout
    assert _git(demo, "status", "--porcelain", "--untracked-files=all") == ""


def test_materialize_refuses_non_empty_dest(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine\n")
    with pytest.raises(ValueError):
        materialize(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_materialize_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError):
        materialize(target)


def test_materialize_into_existing_empty_dir(tmp_path: Path) -> None:
    dest = tmp_path / "empty"
    dest.mkdir()
    assert materialize(dest) == dest
    assert (dest / "bench.py").read_text() == (PROJECT / "bench.py").read_text()


def test_module_entry_point(tmp_path: Path) -> None:
    dest = tmp_path / "via-cli"
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "tasks.demo", str(dest)], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == dest.resolve()
    assert (dest / "pyproject.toml").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "tasks.demo", str(dest)], cwd=root, capture_output=True, text=True
    )
    assert again.returncode != 0 and "not empty" in again.stderr
