"""The adaptive interleaved sampler, driven by scripted runners and a fake clock."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from evaluation.compare import SamplingPolicy, compare, futility_threshold, pair_order
from evaluation.records import SpeedVerdict


def lognormal(seed: int, median: float, sigma: float) -> Iterator[float]:
    rng = random.Random(seed)
    while True:
        yield median * math.exp(rng.gauss(0.0, sigma))


class Bench:
    """Two scripted sides whose runs advance a shared fake clock by their own duration."""

    def __init__(self, a: Iterator[float], b: Iterator[float]) -> None:
        self.now = 0.0
        self.calls: list[str] = []
        self._a, self._b = a, b

    def clock(self) -> float:
        return self.now

    def _run(self, name: str, durations: Iterator[float]) -> float:
        seconds = next(durations)
        self.now += seconds
        self.calls.append(name)
        return seconds

    def run_a(self) -> float:
        return self._run("A", self._a)

    def run_b(self) -> float:
        return self._run("B", self._b)

    def compare(self, policy: SamplingPolicy | None = None) -> SpeedVerdict:
        return compare(self.run_a, self.run_b, policy, clock=self.clock)


def bench(a_median: float, b_median: float, sigma: float, seed: int = 0) -> Bench:
    return Bench(lognormal(seed, a_median, sigma), lognormal(seed + 10_000, b_median, sigma))


def test_policy_defaults_and_looks() -> None:
    policy = SamplingPolicy()
    assert policy.paired and policy.look_sizes == [12, 24, 48, 96, 192, 320]
    two_sample = SamplingPolicy(paired=False)
    assert two_sample.look_sizes == [10, 20, 40, 80, 160, 320] and len(
        two_sample.look_sizes
    ) == len(policy.look_sizes)
    assert SamplingPolicy(min_pairs=5, max_pairs=30).look_sizes == [5, 10, 20, 30]
    assert SamplingPolicy(min_pairs=1, growth=1.0, max_pairs=3).look_sizes == [1, 2, 3]
    assert SamplingPolicy(min_pairs=10).look_sizes[0] == 10  # asked for: kept
    with pytest.raises(ValidationError):
        SamplingPolicy(min_pairs=10, max_pairs=5)
    with pytest.raises(ValidationError):
        policy.warmup = 3  # type: ignore[misc]


def test_runs_in_abba_then_baab_order_after_warmup() -> None:
    b = bench(1.0, 1.0, 0.4)
    verdict = b.compare(SamplingPolicy(warmup=1, min_pairs=4, max_pairs=8))
    assert [pair_order(i) for i in range(8)] == ["AB", "BA", "BA", "AB", "AB", "BA", "BA", "AB"]
    assert "".join(b.calls) == "AB" + "ABBABAAB" + "ABBABAAB"
    assert len(verdict.a_samples) == len(verdict.b_samples) == 8


def test_clear_win_stops_early() -> None:
    b = bench(1.25, 1.0, 0.02)
    verdict = b.compare()
    assert verdict.outcome == "faster"
    assert len(verdict.a_samples) == 12  # the first look decides a clear win
    assert verdict.ci_low < 1.25 < verdict.ci_high
    # 2.25 s a pair leaves room in 60 s for one interim look (12 pairs, with 18 to come)
    assert "interim look 1 of 1 at 12 pairs" in verdict.notes[-1]
    assert verdict.confidence == pytest.approx(1 - 0.05 * (1 - 0.75))
    assert "decided faster" in verdict.notes[-1]


def test_close_call_takes_more_pairs() -> None:
    verdict = bench(1.04, 1.0, 0.05).compare(SamplingPolicy(time_budget_seconds=1e9))
    assert len(verdict.a_samples) > 12
    assert verdict.outcome in ("faster", "no difference")


def test_clear_loss_stops_early_and_is_not_faster() -> None:
    verdict = bench(1.0, 1.25, 0.02).compare()
    assert verdict.outcome in ("slower", "no difference")
    assert verdict.ci_high < 1.0
    assert len(verdict.a_samples) <= 12


def test_equal_sides_stop_once_the_interval_is_under_the_floor() -> None:
    verdict = bench(1.0, 1.0, 0.005).compare()
    assert verdict.outcome == "no difference"
    assert verdict.ci_high < 1.02
    assert len(verdict.a_samples) < 40
    assert "below the floor" in verdict.notes[-1]


def test_budget_exhaustion_is_never_faster_for_equal_sides() -> None:
    policy = SamplingPolicy(time_budget_seconds=12.0)
    for seed in range(20):
        b = bench(1.0, 1.0, 0.15, seed=seed)
        verdict = b.compare(policy)
        assert verdict.outcome != "faster"
        if "time budget spent" in verdict.notes[-1]:
            assert len(verdict.a_samples) < 40
            assert verdict.seconds_spent == b.now >= 12.0


def test_budget_is_checked_between_pairs() -> None:
    b = bench(1.0, 1.0, 0.0)  # each run takes exactly one fake second
    verdict = b.compare(SamplingPolicy(warmup=1, time_budget_seconds=7.0))
    # warm-up ends at 2 s; pairs start at 2, 4 and 6 s; at 8 s the budget stops the batch
    assert "".join(b.calls) == "AB" + "ABBABA"
    assert verdict.seconds_spent == 8.0
    assert len(verdict.a_samples) == 3  # fewer than min_pairs: the budget, not the plan, ended it


def test_runner_failure_propagates() -> None:
    def broken() -> float:
        raise RuntimeError("workload crashed")

    b = bench(1.0, 1.0, 0.01)
    with pytest.raises(RuntimeError, match="workload crashed"):
        compare(b.run_a, broken, clock=b.clock)


def test_false_positive_rate_for_identical_code_is_within_alpha() -> None:
    runs, policy = 300, SamplingPolicy(time_budget_seconds=1e9)  # every look up to 320 pairs
    false_wins = sum(
        bench(1.0, 1.0, 0.1, seed=seed).compare(policy).outcome == "faster" for seed in range(runs)
    )
    assert false_wins / runs <= 0.02


def test_futility_stops_identical_code_before_max_pairs() -> None:
    stopped_by_40 = 0
    for seed in range(40):
        sample = functools.partial(random.Random(seed).lognormvariate, 0, 0.05)
        # the two-sample rule looks at 20 and 40 pairs, where the thresholds change
        verdict = compare(sample, sample, SamplingPolicy(warmup=0, paired=False))
        assert verdict.outcome != "faster"
        stopped_by_40 += len(verdict.a_samples) <= 40
    # p > 0.8 at 20 pairs (1 in 5 for equal code), then p > 0.5 at 40 (about half the rest)
    assert stopped_by_40 >= 15


def test_futility_thresholds_tighten_with_the_sample() -> None:
    assert [futility_threshold(n) for n in (10, 19, 20, 39, 40, 320)] == [
        None,
        None,
        0.8,
        0.8,
        0.5,
        0.5,
    ]


def test_a_mild_lean_the_wrong_way_at_20_pairs_samples_on() -> None:
    # B is a little slower in the first 20 pairs (p for "B faster" between 0.5 and 0.8): a true
    # small speedup looks like this often enough that the first futility look must not stop it.
    a = iter([1.00, 1.02, 0.98, 1.01, 0.99] * 100)
    b = iter([1.005, 1.015, 0.985, 1.012, 0.992] * 100)
    two_sample = SamplingPolicy(warmup=0, min_effect=0, paired=False)  # looks at 20 and 40
    verdict = compare(lambda: next(a), lambda: next(b), two_sample)
    assert len(verdict.a_samples) == 40
    assert "futility" in verdict.notes[-1]


def test_the_default_policy_judges_the_pairs_and_two_sample_is_a_choice() -> None:
    verdict = bench(1.0, 0.8, 0.02).compare()
    assert verdict.outcome == "faster" and verdict.paired
    assert len(verdict.a_samples) == len(verdict.b_samples)
    assert verdict.notes[0].startswith("paired: Wilcoxon signed-rank")
    assert verdict.test_name == "Wilcoxon signed-rank" and "per-pair" in verdict.method
    two_sample = bench(1.0, 0.8, 0.02).compare(SamplingPolicy(paired=False))
    assert two_sample.outcome == "faster" and not two_sample.paired
    assert two_sample.notes[0].startswith("removed 0 outlier(s) from A")
    assert two_sample.test_name == "Mann-Whitney U" and "ratio of the median" in two_sample.method


def test_paired_decides_a_clear_win_at_the_first_look_despite_one_contrary_pair() -> None:
    # Eleven pairs where B is 10% faster and one where it is 10% slower. The contrary pair is
    # an outlier among the log ratios and is dropped, leaving 11, whose smallest signed-rank p
    # (1/2048) is under the smallest interim share, alpha x 0.25 / 5 with every look planned
    # (no budget to speak of). At 10 pairs the 9 left (1/512) could never decide.
    a = iter([1.0] * 400)
    b = iter([0.9 - 0.001 * i for i in range(400)])
    durations_b = [next(b) for _ in range(400)]
    durations_b[3] = 1.1  # the warm-up is index 0; this is B's run in the third pair
    verdict = Bench(a, iter(durations_b)).compare(SamplingPolicy(time_budget_seconds=1e9))
    assert verdict.outcome == "faster"
    assert len(verdict.a_samples) == 12
    assert "interim look 1 of 5 at 12 pairs, alpha 0.0005 of 0.01" in verdict.notes[-1]


def test_look_levels_spend_exactly_alpha_and_the_interval_error() -> None:
    policy = SamplingPolicy()
    for planned in range(6):
        for taken in range(planned + 1):  # the final look may come after any interim look
            levels = [policy.look_levels(planned, i, final=False) for i in range(taken)]
            levels.append(policy.look_levels(planned, taken, final=True))
            assert sum(alpha for alpha, _ in levels) == pytest.approx(policy.alpha)
            assert sum(1 - conf for _, conf in levels) == pytest.approx(1 - policy.confidence)
    assert policy.look_levels(4, 0, final=False) == pytest.approx(
        (0.01 * 0.25 / 4, 1 - 0.05 * 0.25 / 4)
    )
    assert policy.look_levels(0, 0, final=True) == pytest.approx((0.01, 0.95))


def test_interim_looks_are_planned_where_the_budget_has_room() -> None:
    policy = SamplingPolicy()  # looks at 12, 24, 48, 96, 192, then the final one
    assert policy.interim_sizes(None, 60.0) == [12, 24, 48, 96, 192]  # untimed: all
    # 0.3 s a pair: 200 pairs in 60 s, room for the 96-pair look (1.5 x 96 = 144), not 192
    assert policy.interim_sizes(0.3, 60.0) == [12, 24, 48, 96]
    assert policy.interim_sizes(2.0, 60.0) == [12]  # 30 pairs: 18 is in reach, 36 is not
    assert policy.interim_sizes(10.0, 60.0) == []  # 6 pairs: the final look only


def test_a_slower_pace_skips_to_the_final_look_with_the_alpha_left() -> None:
    # The warm-up pace (0.1 s a pair) plans every interim look within 60 s; then each run takes
    # 1 s, so after the 12-pair look the 24-pair one no longer leaves room and the final look
    # takes over, spending what the one interim look left: alpha x (1 - 0.25 / 5).
    a = iter([0.05] + [1.0] * 400)
    b = iter([0.05] + [1.0] * 400)
    verdict = Bench(a, b).compare(SamplingPolicy(min_effect=0, max_cv=10))
    assert verdict.notes[-1].startswith("final look at ")
    assert f"alpha {0.01 * (1 - 0.25 / 5):.2g} of 0.01" in verdict.notes[-1]
    assert verdict.seconds_spent >= 60.0
