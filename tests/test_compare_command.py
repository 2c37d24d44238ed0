"""`perfsmith compare` through the real CLI: commands, git refs, the cold-run guard, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import git, make_repo

PERFSMITH = [sys.executable, "-c", "from agent.cli import main; main()"]
SLOW = "import sys\ns = 0\nfor i in range(1_500_000):\n    s += i\nprint(s)\n"
FAST = "print(sum(range(1_500_000)))\n"
# Caches its answer on disk: every run after the first looks fast unless each starts cold.
CACHING = """import os, sys
if os.path.exists("answer.txt"):
    print(open("answer.txt").read().strip())
else:
    s = 0
    for i in range(1_500_000):
        s += i
    open("answer.txt", "w").write(str(s))
    print(s)
"""


def compare(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PERFSMITH, "compare", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def two_commits(tmp_path: Path, first: str, second: str) -> Path:
    repo = make_repo(
        tmp_path / "r",
        {"work.py": first, "pyproject.toml": '[tool.perfsmith]\nbench = "python work.py"\n'},
    )
    (repo / "work.py").write_text(second)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "second")
    return repo


def test_two_commands_in_place(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(SLOW)
    (tmp_path / "fast.py").write_text(FAST)
    done = compare(
        "--a", "python slow.py", "--b", "python fast.py", "--json", "--seconds", "30", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"]["outcome"] == "faster" and result["verdict"]["ci_low"] > 1.02
    assert result["verdict"]["paired"] is True  # the default rule
    assert result["output"]["same"] is True
    two_sample = compare(
        "--a", "python slow.py", "--b", "python fast.py", "--two-sample", "--seconds", "30",
        cwd=tmp_path,
    )  # fmt: skip
    assert two_sample.returncode == 0, two_sample.stderr
    printed = " ".join(two_sample.stdout.split())  # Rich wraps long lines at 80 columns
    assert printed.startswith("faster") and "one-sided Mann-Whitney U p=" in printed


def test_different_outputs_are_not_a_speed_result(tmp_path: Path) -> None:
    done = compare("--a", "echo 1", "--b", "echo 2", "--json", cwd=tmp_path)
    result = json.loads(done.stdout)
    assert result["verdict"] is None and result["output"]["detail"] == "workload output changed"


def test_refs_of_a_repository(tmp_path: Path) -> None:
    repo = two_commits(tmp_path, SLOW, FAST)
    status = git(repo, "status", "--porcelain")
    done = compare("HEAD~1", "HEAD", "--repo", str(repo), "--json", "--seconds", "30")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"]["outcome"] == "faster"
    assert git(repo, "status", "--porcelain") == status


def test_cold_run_guard_defeats_a_disk_cache(tmp_path: Path) -> None:
    repo = two_commits(tmp_path, SLOW, CACHING)
    done = compare("HEAD~1", "HEAD", "--repo", str(repo), "--json", "--seconds", "20")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"]["outcome"] != "faster"
    assert any("answer.txt" in note for note in result["notes"])
    assert not (repo / "answer.txt").exists()


def test_bad_arguments_and_refs(tmp_path: Path) -> None:
    done = compare(cwd=tmp_path)
    assert done.returncode == 2 and "perfsmith compare BASE HEAD" in done.stderr
    repo = two_commits(tmp_path, SLOW, FAST)
    done = compare("HEAD~5", "HEAD", "--repo", str(repo))
    assert done.returncode == 2 and "is not a commit" in done.stderr
