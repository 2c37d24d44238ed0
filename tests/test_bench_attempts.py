"""Several independent attempts per task (GSO's opt@k) on the calc task of test_bench_runner:
each attempt gets its own fresh repository, its own result file, and is judged on its own;
a rerun asking for more attempts runs only the missing ones. Real sandbox, real timings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_bench_runner import BREAKS_ORDER, GOOD, SLOW, options, patch, task, write_suite

from agent.bench_command import PerfsmithSolver
from evaluation.suite import PredictionsSolver, PreparedTask, Solution, run_suite, summarize
from evaluation.suite.metrics import gso_opt
from evaluation.suite.report import write_report
from evaluation.suite.runner import planned_attempts
from evaluation.suite.vcs import git
from tasks.formats import ExpertSpec, Prediction, TaskSpec, WorkloadSpec

# An expert patch that changes nothing the program runs, so any real speedup is above 0.95
# of the expert's by a wide margin and GSO's opt does not hinge on timing noise.
COMMENT_EXPERT = patch(SLOW, SLOW + "    # tidy\n")
# A larger input than test_bench_runner's, so the fix clears GSO's 1.2x by a wide margin even
# on a busy machine (about 4x here; the base takes about 0.3 s).
BIG = "from calc import dedupe\n\nout = dedupe([i % 2500 for i in range(9000)])\nprint(len(out))\n"


def big_task(tmp: Path) -> TaskSpec:
    root = write_suite(tmp / "suite")
    (root / "bench_big.py").write_text(BIG)
    return task(
        root,
        "calc",
        scripts=["bench_big.py", "test_calc.py"],
        workloads=[WorkloadSpec(name="dedupe", bench="python perfsmith_task/bench_big.py")],
        expert=ExpertSpec(patch=COMMENT_EXPERT),
    )


@dataclass
class ByAttempt:
    """A sampled solver stand-in: its patch depends on the attempt, as a model's reply would."""

    patches: dict[int, str]
    name: str = "model"
    exclusive: bool = False
    deterministic: bool = False
    repos: list[tuple[Path, str]] = field(default_factory=list)

    def solve(self, prepared: PreparedTask) -> Solution:
        self.repos.append((prepared.repo, git(prepared.repo, "diff", "HEAD")))
        return Solution(patch=self.patches[prepared.attempt], model="m")


def test_each_attempt_is_judged_apart_and_opt_at_k_counts_any(tmp_path: Path) -> None:
    spec = big_task(tmp_path)
    out = tmp_path / "out"
    solver = ByAttempt({1: BREAKS_ORDER, 2: GOOD})
    results = run_suite([spec], solver, options(tmp_path, expert=True), out, attempts=2)

    assert [(r.attempt, r.status) for r in results] == [(1, "tests_failed"), (2, "ok")]
    measured = [(w.mean_speedup, w.expert and w.expert.speedup) for w in results[1].workloads]
    assert [gso_opt(r) for r in results] == [False, True], measured
    (first, _), (second, _) = solver.repos
    assert first != second and all(diff == "" for _, diff in solver.repos)  # fresh, at base
    assert sorted(p.name for p in (out / "results").iterdir()) == ["calc.json", "calc@2.json"]
    metrics = summarize(results, k=2)
    assert (metrics.tasks, metrics.attempts) == (1, 2)
    assert metrics.opt_at_1 == 0.5 and metrics.opt_at_k == 1.0
    assert metrics.correctness == 0.0  # every other metric is the first attempt's

    # More attempts later: only the third runs (the first two would now fail: no patch).
    again = run_suite(
        [spec], ByAttempt({3: BREAKS_ORDER}), options(tmp_path, expert=True), out, attempts=3
    )
    assert again[:2] == results and again[2].status == "tests_failed"
    three = summarize(again, k=2)
    assert three.opt_at_1 == pytest.approx(1 / 3) and three.opt_at_k == pytest.approx(2 / 3)

    report = tmp_path / "report"
    write_report(again, report, k=3)
    text = (report / "report.md").read_text()
    assert "| GSO opt@3 (any of 3 attempts per task) | 100.0% |" in text
    assert "| calc | 2 | ok |" in text and "- calc (attempt 3): " in text
    doc = json.loads((report / "report.json").read_text())
    assert [a["attempt"] for a in doc["attempts"]] == [1, 2, 3] and len(doc["tasks"]) == 1


def test_a_deterministic_solver_is_attempted_once(tmp_path: Path) -> None:
    solver = PredictionsSolver({"calc": Prediction(instance_id="calc", model_patch=BREAKS_ORDER)})
    spec = task(write_suite(tmp_path / "suite"), "calc")
    results = run_suite([spec], solver, options(tmp_path), tmp_path / "out", attempts=3)
    assert [(r.attempt, r.status) for r in results] == [(1, "tests_failed")]
    assert not (tmp_path / "out" / "results" / "calc@2.json").exists()


def test_which_solvers_are_attempted_k_times() -> None:
    assert planned_attempts(PerfsmithSolver({"proposer": "rules"}), 4) == 1
    assert planned_attempts(PerfsmithSolver({}), 4) == 1  # no model: the rules proposer
    assert planned_attempts(PerfsmithSolver({"model": "openai:gpt-4o-mini"}), 4) == 4
    assert planned_attempts(PerfsmithSolver({"proposer": "my.mod:Proposer"}), 4) == 4
    with pytest.raises(ValueError, match="at least 1"):
        planned_attempts(PerfsmithSolver({}), 0)
