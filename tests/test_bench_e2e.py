"""One real oracle run of one small shipped task through the command: the demo project, whose
expert patch must reproduce its speedup (about 2.5x on an idle machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
def test_the_demo_tasks_expert_speedup_reproduces(tmp_path: Path) -> None:
    out = tmp_path / "oracle"
    command = [
        sys.executable,
        "-m",
        "agent.bench_command",
        "suite",
        "--oracle",
        "--only",
        "demo-shoplog",
        "--out",
        str(out),
        "--seconds",
        "40",
        "--repetitions",
        "5",
        "--warmups",
        "1",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "results" / "demo-shoplog.json").read_text())
    assert result["status"] == "ok", result["reason"]
    verdict = result["workloads"][0]["verdict"]
    assert verdict["outcome"] == "faster" and verdict["speedup"] > 1.3
    assert result["workloads"][0]["sweperf_gain"] > 0.1
    assert "| demo-shoplog | ok |" in (out / "report.md").read_text()
    assert (out / "speedups.png").is_file()


@pytest.mark.e2e
def test_perfsmith_as_the_solver_finds_the_speedup(tmp_path: Path) -> None:
    """`--agent perfsmith`: the optimize loop (rules proposer) on a tiny quadratic dedupe."""
    task = tmp_path / "tasks" / "calc"
    (task / "project" / "calc").mkdir(parents=True)
    (task / "project" / "calc" / "__init__.py").write_text(
        "def dedupe(items):\n    seen = []\n    for x in items:\n        if x not in seen:\n"
        "            seen.append(x)\n    return seen\n"
    )
    (task / "bench.py").write_text(
        "from calc import dedupe\n\nout = dedupe([i % 1500 for i in range(6000)])\n"
        "print(len(out), sum(out))\n"
    )
    (task / "test_calc.py").write_text(
        "from calc import dedupe\n\n\ndef test_order():\n"
        "    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]\n"
    )
    (task / "task.toml").write_text(
        'id = "calc"\npackage_dir = "calc"\npython_path = ["."]\nscripts = ["bench.py", "test_calc.py"]\n'
        'tests = ["PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -q -p no:cacheprovider perfsmith_task"]\n'
        '[source]\nkind = "path"\npath = "project"\n[[workloads]]\nbench = "python perfsmith_task/bench.py"\n'
    )
    out = tmp_path / "agent"
    command = [
        sys.executable,
        "-m",
        "agent.bench_command",
        str(tmp_path / "tasks"),
        "--agent",
        "perfsmith",
        "--proposer",
        "rules",
        "--budget",
        "rounds=1,candidates=4,minutes=3",
        "--out",
        str(out),
        "--seconds",
        "20",
        "--repetitions",
        "5",
        "--warmups",
        "1",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "results" / "calc.json").read_text())
    assert result["status"] == "ok", result["reason"]
    assert (
        result["agent"] == "perfsmith"
        and result["patch_lines"] >= 2
        and result["solve_seconds"] > 0
    )
    assert result["workloads"][0]["verdict"]["speedup"] > 1.1
