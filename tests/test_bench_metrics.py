"""Suite metrics by each benchmark's definition, and the report files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.records import SpeedVerdict
from evaluation.suite.metrics import gso_opt, opt_at_k, speedup_ratio, summarize, task_saved
from evaluation.suite.records import TaskResult, WorkloadResult
from evaluation.suite.report import write_report


def verdict(speedup: float, outcome: str = "faster", low: float | None = None) -> SpeedVerdict:
    low = speedup * 0.95 if low is None else low
    return SpeedVerdict(
        outcome=outcome,
        speedup=speedup,
        ci_low=low,
        ci_high=speedup * 1.05,
        confidence=0.99,
        p_value=0.001,
        min_effect=0.02,
        a_samples=[1.0] * 10,
        b_samples=[1.0 / speedup] * 10,
        seconds_spent=1.0,
    )


def result(
    task: str,
    speedup: float = 2.0,
    status: str = "ok",
    gain: float = 0.4,
    expert: float | None = 2.0,
    outcome: str = "faster",
    agent: str = "model",
    cost: float | None = 0.5,
) -> TaskResult:
    workloads = (
        []
        if status != "ok"
        else [
            WorkloadResult(
                name="w",
                verdict=verdict(speedup, outcome),
                sequential_base={"w": [1.0]},
                sequential_patched={"w": [1.0 / speedup]},
                sweperf_gain=gain,
                interleaved_gain=gain,
                mean_speedup=speedup,
                expert=verdict(expert) if expert else None,
            )
        ]
    )
    return TaskResult(
        task_id=task,
        agent=agent,
        status=status,
        applied=status in ("ok", "tests_failed"),
        correct=status == "ok",
        workloads=workloads,
        expert_speedup=expert,
        cost_usd=cost,
        seconds=10.0,
    )


def test_swe_perf_counts_every_task_in_the_denominator() -> None:
    results = [
        result("a", gain=0.5),
        result("b", status="tests_failed"),
        result("c", status="setup_failed"),
        result("d", status="apply_failed"),
    ]
    m = summarize(results)
    assert (m.tasks, m.invalid) == (4, 1)
    assert m.apply == pytest.approx(0.5)
    assert m.correctness == pytest.approx(0.25)
    assert m.performance == pytest.approx(0.5 / 4)
    assert m.cost_usd == pytest.approx(2.0)
    assert m.seconds == pytest.approx(40.0)


def test_gso_opt_needs_1_2x_over_base_and_more_than_0_95_of_the_expert() -> None:
    assert gso_opt(result("a", speedup=2.0, expert=2.0))
    assert not gso_opt(result("a", speedup=1.15, expert=1.15))  # below 1.2 over base
    assert not gso_opt(result("a", speedup=1.5, expert=2.0))  # 0.75 of the expert
    assert not gso_opt(result("a", speedup=2.0, expert=None))  # no expert measured
    assert gso_opt(result("a", speedup=2.0, expert=None, agent="oracle"))
    assert not gso_opt(result("a", status="tests_failed"))


def test_opt_at_k_is_the_unbiased_estimator() -> None:
    assert opt_at_k([[True], [False]], 1) == 0.5
    assert opt_at_k([[True, False, False, False]], 2) == pytest.approx(0.5)  # 1 - C(3,2)/C(4,2)
    assert opt_at_k([[False, False]], 2) == 0.0
    with pytest.raises(ValueError, match="at least 3"):
        opt_at_k([[True]], 3)


def test_attempts_give_opt_at_k_and_the_first_attempt_gives_the_rest() -> None:
    def attempt(task: str, n: int, speedup: float) -> TaskResult:
        return result(task, speedup=speedup).model_copy(update={"attempt": n, "cost_usd": 1.0})

    rows = [attempt("a", 2, 2.0), attempt("b", 1, 2.0), attempt("a", 1, 1.0)]  # any order
    m = summarize(rows, k=2)
    assert (m.tasks, m.attempts, m.k) == (2, 3, 2)
    # a: [not opt, opt]; b: one attempt, a deterministic solver's, stands for both of its k
    assert m.opt_at_1 == 0.75 and m.opt_at_k == 1.0
    assert m.speedup == pytest.approx(2.0**0.5)  # first attempts: a at 1.0x, b at 2.0x
    assert m.cost_usd == 3.0 and m.seconds == 30.0  # every attempt costs
    assert summarize(rows).opt_at_k is None
    with pytest.raises(ValueError, match="at least 3 attempts"):
        summarize(rows, k=3)  # a has two attempts: too few for opt@3


def test_speedup_ratio_is_harmonic_and_failures_count_as_no_edit() -> None:
    results = [result("a", speedup=4.0, expert=2.0), result("b", status="tests_failed", expert=2.0)]
    # ratios 2.0 and 1/2 (a failure runs at the base's speed): harmonic mean 0.8
    assert speedup_ratio(results) == pytest.approx(0.8)
    assert speedup_ratio([result("c", status="setup_failed", expert=None)]) is None


def test_ours_counts_only_what_is_judged_faster() -> None:
    assert task_saved(result("a", speedup=2.0)) == pytest.approx(1 - 1 / 1.9)
    assert task_saved(result("a", speedup=1.01, outcome="no difference")) == 0.0
    m = summarize(
        [result("a", speedup=2.0), result("b", speedup=1.0, outcome="no difference", gain=0.03)]
    )
    assert m.faster == 0.5
    assert m.speedup == pytest.approx(2.0**0.5)
    assert m.performance == pytest.approx((0.4 + 0.03) / 2)  # SWE-Perf's gain counts the lucky 3%


def test_report_writes_markdown_json_and_a_plot(tmp_path: Path) -> None:
    results = [
        result("fast-task", speedup=3.0, expert=2.5),
        result("broken", status="apply_failed"),
    ]
    metrics = write_report(results, tmp_path, title="t")
    text = (tmp_path / "report.md").read_text()
    assert "| fast-task | ok |" in text and "| broken | apply_failed |" in text
    assert "SWE-Perf Apply / Correctness / Performance | 50.0% / 50.0%" in text
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["metrics"]["tasks"] == 2 == metrics.tasks
    assert doc["tasks"][0]["workloads"][0]["speedup"] == pytest.approx(3.0)
    assert (tmp_path / "speedups.png").read_bytes()[:4] == b"\x89PNG"
