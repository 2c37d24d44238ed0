"""Bad input through the real CLI: one clear line, exit status 2, the user's files untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo

PERFSMITH = [sys.executable, "-c", "from agent.cli import main; main()"]
GOOD = {
    "calc.py": "def f(n):\n    return sum(range(n))\n",
    "bench.py": "from calc import f\nprint(f(1000))\n",
    "tests/test_calc.py": "from calc import f\n\ndef test_f():\n    assert f(3) == 3\n",
}


def perfsmith(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PERFSMITH, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.startswith("perfsmith:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_not_a_repository(tmp_path: Path) -> None:
    done = perfsmith("optimize", str(tmp_path), "--bench", "python bench.py")
    assert done.returncode == 2
    assert "not a git repository" in error_line(done)


def test_dirty_tree_is_refused_without_allow_dirty(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", GOOD)
    (repo / "calc.py").write_text("def f(n):\n    return sum(range(n))  # edited\n")
    done = perfsmith("optimize", str(repo), "--bench", "python bench.py")
    assert done.returncode == 2 and "uncommitted changes" in error_line(done)
    assert (repo / "calc.py").read_text().endswith("# edited\n")


def test_missing_workload(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", GOOD)
    done = perfsmith("optimize", str(repo))
    assert done.returncode == 2 and "--bench" in error_line(done)


def test_bad_budget_flag(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", GOOD)
    done = perfsmith("optimize", str(repo), "--bench", "python bench.py", "--budget", "laps=2")
    assert done.returncode == 2 and "budget" in error_line(done)


@pytest.mark.parametrize(
    ("files", "bench", "expected"),
    [
        (
            {**GOOD, "tests/test_calc.py": "def test_no():\n    assert 1 == 2\n"},
            "python bench.py",
            "baseline tests do not pass",
        ),
        (GOOD, "python missing_bench.py", "the workload fails at baseline"),
    ],
    ids=["failing-tests", "failing-workload"],
)
def test_broken_baseline_stops_with_a_report(
    tmp_path: Path, files: dict[str, str], bench: str, expected: str
) -> None:
    repo = make_repo(tmp_path / "r", files)
    done = perfsmith("optimize", str(repo), "--bench", bench, "--out", str(tmp_path / "runs"))
    assert done.returncode == 2, done.stderr
    (run,) = (tmp_path / "runs").iterdir()
    report = json.loads((run / "report.json").read_text())
    assert expected in report["stop_reason"]
    assert report["accepted"] == [] and report["patch"] is None
    assert expected in (run / "report.md").read_text()
