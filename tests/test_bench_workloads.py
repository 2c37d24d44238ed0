"""A task with several workloads: perfsmith as the solver optimizes on all of them run in turn
(evaluation/suite/workloads.py), and evaluation judges each one apart. Real shell, real
sandbox, the real optimize loop with the rules proposer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agent.bench_command import PerfsmithSolver
from agent.guards import protected_reason
from evaluation.compare import SamplingPolicy
from evaluation.suite import SuiteOptions, run_suite
from evaluation.suite.metrics import task_speedup
from evaluation.suite.workloads import combined_workload
from evaluation.workloads import workload_from_bench
from tasks.formats import PathSource, TaskSpec, WorkloadSpec

PYTEST = "PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -q -p no:cacheprovider -o addopts="


def run(command: str, where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command], cwd=where, capture_output=True, text=True, timeout=120
    )


def test_one_workload_is_passed_as_it_is() -> None:
    only = WorkloadSpec(name="w", bench="tests/test_x.py::test_a", timeout=9)
    assert combined_workload([only]) is only  # keeps its kind: pytest call phases


def test_several_run_in_turn_as_one_command_that_fails_when_any_fails(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print('a')\n")
    (tmp_path / "b.py").write_text("print('b')\n")
    (tmp_path / "fails.py").write_text("raise SystemExit(3)\n")
    (tmp_path / "test_c.py").write_text("def test_c():\n    print('c')\n")
    both = combined_workload(
        [
            WorkloadSpec(
                name="a", bench="python a.py  # a comment must not eat the rest", timeout=5
            ),
            WorkloadSpec(name="b", bench="python b.py", timeout=7),
            WorkloadSpec(name="c", bench="test_c.py::test_c", timeout=11),
        ]
    )
    assert (both.name, both.timeout) == ("a+b+c", 23)
    assert workload_from_bench(both.bench).kind == "command"
    done = run(both.bench, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("a\nb\n") and "1 passed" in done.stdout
    # The scripts of every workload are off limits to edits, as one workload's are.
    assert all(protected_reason(f, both.bench) for f in ("a.py", "b.py", "test_c.py"))

    failing = combined_workload(
        [WorkloadSpec(bench="python fails.py"), WorkloadSpec(bench="python b.py")]
    )
    done = run(failing.bench, tmp_path)
    assert done.returncode == 3 and "b" not in done.stdout


LIB = (
    "def total(items):\n    return sum(items)\n\n\n"
    "def dedupe(items):\n    seen = []\n    for x in items:\n        if x not in seen:\n"
    "            seen.append(x)\n    return seen\n"
)
QUICK = "from calc import total\n\nprint(total(range(1000)))\n"
DEDUPE = (
    "from calc import dedupe\n\nout = dedupe([i % 2000 for i in range(8000)])\n"
    "print(len(out), sum(out))\n"
)
TEST = (
    "from calc import dedupe, total\n\n\ndef test_calc():\n"
    "    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2] and total([1, 2]) == 3\n"
)


@pytest.mark.e2e
def test_perfsmith_finds_a_hotspot_that_only_the_second_workload_reaches(tmp_path: Path) -> None:
    """Optimizing on the first workload alone would find nothing to do (an empty patch)."""
    root = tmp_path / "task"
    (root / "project" / "calc").mkdir(parents=True)
    (root / "project" / "calc" / "__init__.py").write_text(LIB)
    (root / "quick.py").write_text(QUICK)
    (root / "dedupe.py").write_text(DEDUPE)
    (root / "test_calc.py").write_text(TEST)
    spec = TaskSpec.model_validate(
        {
            "id": "calc",
            "source": PathSource(path="project"),
            "package_dir": "calc",
            "python_path": ["."],
            "scripts": ["quick.py", "dedupe.py", "test_calc.py"],
            "tests": [f"{PYTEST} perfsmith_task"],
            "timeout": 60,
            "workloads": [
                WorkloadSpec(name="quick", bench="python perfsmith_task/quick.py", timeout=60),
                WorkloadSpec(name="dedupe", bench="python perfsmith_task/dedupe.py", timeout=60),
            ],
            "folder": root,
        }
    )
    solver = PerfsmithSolver(
        {"proposer": "rules", "budget": "rounds=1,candidates=3,minutes=3", "measure_seconds": 10}
    )
    options = SuiteOptions(
        work=tmp_path / "work",
        cache=tmp_path / "cache",
        policy=SamplingPolicy(min_pairs=5, max_pairs=10, time_budget_seconds=10),
        warmups=1,
        repetitions=3,
        expert_reference=False,
    )
    (result,) = run_suite([spec], solver, options, tmp_path / "out")
    assert result.status == "ok", result.reason
    assert result.patch_lines >= 2
    assert "optimized on all 2 workloads run in turn (quick, dedupe)" in result.notes
    measured = {w.name: w.verdict for w in result.workloads}
    assert set(measured) == {"quick", "dedupe"}  # each judged apart
    assert measured["dedupe"].outcome == "faster", measured["dedupe"]
    speedup = task_speedup(result)  # the geometric mean over both workloads, as GSO takes it
    assert speedup is not None and 1.0 < speedup < measured["dedupe"].speedup
