"""Timing loop, flags, fast_p and the report: driven by a fake clock, no torch needed."""

from __future__ import annotations

import itertools

from evaluation.kernels.records import CheckReport, ShapeResult, TimingStats, shape_result_from_json
from evaluation.kernels.summary import fast_p, headline, markdown, median_speedup, summarize
from evaluation.kernels.timing import BenchConfig, bench, bench_interleaved, flags_for


def stats(ms: float, wall: float | None = None, iqr: float = 0.0) -> TimingStats:
    return TimingStats(ms, ms - iqr / 2, ms + iqr / 2, ms, 100, wall if wall is not None else ms)


def test_bench_warms_up_flushes_outside_the_timer_and_takes_medians() -> None:
    events: list[str] = []
    times = itertools.cycle([1.0, 2.0, 3.0, 4.0, 100.0])

    def time_once(fn):  # type: ignore[no-untyped-def]
        fn()
        events.append("timed")
        t = next(times)
        return t, t + 0.5

    result = bench(
        lambda: events.append("call"),
        time_once,
        lambda: events.append("flush"),
        BenchConfig(runs=5, warmup=2),
    )
    assert events[:2] == ["call", "call"]  # warm-up, untimed
    assert events[2:5] == ["flush", "call", "timed"]  # flush before, never inside, the timed call
    assert (result.median_ms, result.q1_ms, result.q3_ms, result.min_ms, result.runs) == (
        3.0,
        2.0,
        4.0,
        1.0,
        5,
    )
    assert result.wall_median_ms == 3.5


def test_contenders_are_timed_in_alternating_rounds() -> None:
    order: list[str] = []

    def time_once(fn):  # type: ignore[no-untyped-def]
        order.append(fn())
        return 1.0, 1.0

    fns = {"eager": lambda: "e", "candidate": lambda: "c"}
    result = bench_interleaved(
        fns, time_once, lambda: None, BenchConfig(runs=4, warmup=0), rounds=2
    )
    assert "".join(order) == "eeccee" + "cc"
    assert result["eager"].runs == result["candidate"].runs == 4


def test_flags() -> None:
    assert flags_for(stats(1.0), 2.0) == []
    assert "review" in flags_for(stats(1.0), 12.0)[0]
    assert "outside the timed stream" in flags_for(stats(0.01, wall=1.0), 1.0)[0]
    assert "noisy" in flags_for(stats(1.0, iqr=0.5), 1.0)[0]


def row(
    name: str, correct: bool, eager: float | None, cand: float | None, compiled: float | None = None
) -> ShapeResult:
    return ShapeResult(
        problem=name,
        shape={"n": 1},
        dtype="float32",
        correct=correct,
        eager=stats(eager) if eager else None,
        compiled=stats(compiled) if compiled else None,
        candidate=stats(cand) if cand else None,
    )


def test_fast_p_counts_failures_in_the_denominator() -> None:
    rows = [
        row("a", True, 2.0, 1.0),
        row("b", True, 1.2, 1.0),
        row("c", True, 1.0, 2.0),
        row("d", False, None, None),
    ]
    assert fast_p(rows, 1.0) == 0.5
    assert fast_p(rows, 1.5) == 0.25
    assert median_speedup(rows) == 1.2
    assert fast_p([], 1.0) == 0.0
    summary = summarize(rows, timed=True)
    assert (
        summary["tasks"] == 4
        and summary["correct"] == 3
        and summary["median_speedup_vs_compile"] is None
    )


def test_a_timed_suite_where_nothing_passed_scores_zero_not_untimed() -> None:
    failed = [row("a", False, None, None), row("b", False, None, None)]
    on_gpu = summarize(failed, timed=True)
    assert on_gpu["timed"] is True and on_gpu["fast_1"] == 0.0 and on_gpu["fast_1.5"] == 0.0
    assert "fast_1 0.00" in headline(on_gpu)
    on_cpu = summarize(failed, timed=False)
    assert on_cpu["fast_1"] is None and "not timed (no GPU)" in headline(on_cpu)


def test_markdown_and_json_round_trip() -> None:
    rows = [row("a", True, 2.0, 1.0, compiled=1.5), row("b", False, None, None)]
    rows[1].error = "check failed: wrong values"
    check = CheckReport(problem="a", candidate="a.py", device="cuda", status="passed")
    text = markdown(rows, [check], summarize(rows, timed=True), "test")
    assert "| a | n=1 | float32 | yes | 2 ± 0 | 1.5 ± 0 | 1 ± 0 | 2.00x |" in text
    assert "fast_1: 0.50" in text and "wrong values" in text
    again = shape_result_from_json(rows[0].to_json())
    assert again == rows[0] and again.speedup_vs_compile == 1.5
