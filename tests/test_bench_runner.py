"""The suite runner on small local tasks: every status the benchmarks count, the metrics'
inputs, parallel stage 1 with exclusive timing, and resuming. Real sandbox, real timings;
the workload is quadratic list membership (~0.1 s) against a set (~0.01 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.compare import SamplingPolicy
from evaluation.suite import (
    NoopSolver,
    OracleSolver,
    PredictionsSolver,
    PreparedTask,
    Solution,
    SuiteOptions,
    run_suite,
)
from evaluation.suite.timing import TimingLock
from tasks.formats import ExpertSpec, PathSource, Prediction, TaskSpec, WorkloadSpec

SLOW = "    seen = []\n    for x in items:\n        if x not in seen:\n            seen.append(x)\n    return seen\n"
FAST = (
    "    seen, known = [], set()\n    for x in items:\n        if x not in known:\n"
    "            known.add(x)\n            seen.append(x)\n    return seen\n"
)
LIB = f"def dedupe(items):\n{SLOW}"
BENCH = "from calc import dedupe\n\nout = dedupe([i % 1500 for i in range(6000)])\nprint(len(out), sum(out))\n"
TEST = "from calc import dedupe\n\n\ndef test_order():\n    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]\n"
TESTS = [
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -q -p no:cacheprovider -o addopts= perfsmith_task"
]


def patch(old: str, new: str) -> str:
    """A unified diff of calc/__init__.py from `old` body to `new` body."""
    import difflib

    a, b = f"def dedupe(items):\n{old}", f"def dedupe(items):\n{new}"
    lines = difflib.unified_diff(
        a.splitlines(True), b.splitlines(True), "a/calc/__init__.py", "b/calc/__init__.py"
    )
    return "diff --git a/calc/__init__.py b/calc/__init__.py\n" + "".join(lines)


GOOD = patch(SLOW, FAST)
BREAKS_ORDER = patch(SLOW, "    return sorted(set(items))\n")
CHANGES_OUTPUT = patch(
    SLOW, SLOW.replace("return seen", "return seen[:-1] if len(seen) > 100 else seen")
)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_suite(tmp_path_factory.mktemp("suite"))


def write_suite(root: Path) -> Path:
    """The calc project, its scripts and the expert patch (also used by test_bench_attempts)."""
    (root / "project" / "calc").mkdir(parents=True)
    (root / "project" / "calc" / "__init__.py").write_text(LIB)
    (root / "bench.py").write_text(BENCH)
    (root / "test_calc.py").write_text(TEST)
    (root / "expert.patch").write_text(GOOD)
    return root


def task(root: Path, name: str, **changes: object) -> TaskSpec:
    spec: dict[str, object] = {
        "id": name,
        "source": PathSource(path="project"),
        "package_dir": "calc",
        "python_path": ["."],
        "scripts": ["bench.py", "test_calc.py"],
        "tests": TESTS,
        "timeout": 60,
        "workloads": [
            WorkloadSpec(name="dedupe", bench="python perfsmith_task/bench.py", timeout=60)
        ],
        "expert": ExpertSpec(patch_file="expert.patch"),
        "folder": root,
        **changes,
    }
    return TaskSpec.model_validate(spec)


def options(tmp: Path, expert: bool = False) -> SuiteOptions:
    policy = SamplingPolicy(min_pairs=5, max_pairs=10, time_budget_seconds=30)
    return SuiteOptions(
        work=tmp / "work",
        cache=tmp / "cache",
        policy=policy,
        warmups=1,
        repetitions=5,
        expert_reference=expert,
    )


def predictions(**patches: str | None) -> PredictionsSolver:
    return PredictionsSolver(
        {k: Prediction(instance_id=k, model_patch=v) for k, v in patches.items()}, name="model"
    )


def test_every_outcome_is_reported_with_its_reason_and_the_others_go_on(
    suite: Path, tmp_path: Path
) -> None:
    tasks = [
        task(suite, "good"),
        task(suite, "breaks-tests"),
        task(suite, "changes-output"),
        task(suite, "does-not-apply"),
        task(suite, "no-prediction"),
        task(suite, "setup-fails", setup=["exit 7"]),
        task(suite, "base-tests-fail", tests=["python -c 'raise SystemExit(1)'"]),
        task(suite, "tests-time-out", tests=["sleep 5"], timeout=1),
    ]
    solver = predictions(
        **{
            "good": GOOD,
            "breaks-tests": BREAKS_ORDER,
            "changes-output": CHANGES_OUTPUT,
            "does-not-apply": patch("    nothing like this\n", "    x\n"),
            "setup-fails": GOOD,
            "base-tests-fail": GOOD,
            "tests-time-out": GOOD,
        }
    )
    results = run_suite(
        tasks,
        solver,
        options(tmp_path),
        tmp_path / "out",
        jobs=2,
        lock=TimingLock(tmp_path / "timing.lock"),
    )
    status = {r.task_id: r.status for r in results}
    assert status == {
        "good": "ok",
        "breaks-tests": "tests_failed",
        "changes-output": "output_changed",
        "does-not-apply": "apply_failed",
        "no-prediction": "empty_patch",
        "setup-fails": "setup_failed",
        "base-tests-fail": "base_tests_failed",
        "tests-time-out": "timeout",
    }
    by_id = {r.task_id: r for r in results}
    good = by_id["good"]
    assert good.applied and good.correct and good.workloads[0].verdict.outcome == "faster"
    assert good.workloads[0].verdict.speedup > 1.3 and good.workloads[0].sweperf_gain > 0.1
    assert by_id["breaks-tests"].applied and not by_id["breaks-tests"].correct
    assert "output" in by_id["changes-output"].reason
    assert "exit 7" in by_id["setup-fails"].reason and by_id["setup-fails"].invalid
    assert (tmp_path / "out" / "results" / "good.json").is_file()
    assert not (tmp_path / "work" / "good").exists()  # task folders are removed unless --keep


def test_oracle_reproduces_and_noop_is_not_faster(suite: Path, tmp_path: Path) -> None:
    (oracle,) = run_suite(
        [task(suite, "calc")], OracleSolver(), options(tmp_path), tmp_path / "oracle"
    )
    assert oracle.status == "ok" and oracle.workloads[0].verdict.outcome == "faster"
    assert oracle.expert_speedup == pytest.approx(oracle.workloads[0].verdict.speedup)
    (noop,) = run_suite([task(suite, "calc")], NoopSolver(), options(tmp_path), tmp_path / "noop")
    assert noop.status == "ok" and noop.patch_lines == 1
    assert noop.workloads[0].verdict.outcome != "faster"


def test_the_expert_is_timed_beside_a_model_and_a_rerun_resumes(
    suite: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (first,) = run_suite(
        [task(suite, "calc")], predictions(calc=GOOD), options(tmp_path, expert=True), out
    )
    expert = first.workloads[0].expert
    assert (
        expert is not None and expert.outcome == "faster" and first.expert_speedup == expert.speedup
    )
    saved = (out / "results" / "calc.json").read_text()

    class Refuses:
        name, exclusive, deterministic = "model", False, True

        def solve(self, prepared: PreparedTask) -> Solution:
            raise AssertionError("a finished task must not be solved again")

    (again,) = run_suite([task(suite, "calc")], Refuses(), options(tmp_path), out)
    assert again == first and (out / "results" / "calc.json").read_text() == saved


def test_a_crashing_solver_fails_only_its_task(suite: Path, tmp_path: Path) -> None:
    class Crashes:
        name, exclusive, deterministic = "crash", True, True

        def solve(self, prepared: PreparedTask) -> Solution:
            raise RuntimeError("model server went away")

    (result,) = run_suite([task(suite, "calc")], Crashes(), options(tmp_path), tmp_path / "out")
    assert result.status == "solver_failed" and "model server went away" in result.reason
