"""Statistics on synthetic samples whose answer is known."""

from __future__ import annotations

import math
import random
import time

import pytest

from evaluation.stats import (
    MIN_KEPT,
    bootstrap_median_ci,
    bootstrap_ratio_ci,
    filter_outliers,
    judge,
    mann_whitney_greater,
    mann_whitney_less,
    pair_ratios,
    signed_rank_less,
)


def lognormal(seed: int, median: float, sigma: float, n: int) -> list[float]:
    rng = random.Random(seed)
    return [median * math.exp(rng.gauss(0.0, sigma)) for _ in range(n)]


def test_filter_drops_a_gross_interruption_only() -> None:
    clean = lognormal(1, 1.0, 0.05, 30)
    kept, removed = filter_outliers([*clean, 10.0])
    assert (kept, removed) == (clean, 1)
    assert filter_outliers(clean) == (clean, 0)


def test_filter_never_goes_below_the_minimum_count() -> None:
    few = [1.0, 1.01, 0.99, 50.0]
    assert filter_outliers(few) == (few, 0)
    kept, _ = filter_outliers([1.0, 1.1, 1.2, 1.3, 1.4, 100.0])
    assert len(kept) >= MIN_KEPT


def test_filter_keeps_everything_when_iqr_is_zero() -> None:
    quantised = [1.0] * 10 + [2.0]
    assert filter_outliers(quantised) == (quantised, 0)


def test_bootstrap_is_seeded_and_narrow() -> None:
    a, b = lognormal(1, 1.25, 0.03, 50), lognormal(2, 1.0, 0.03, 50)
    low, high = bootstrap_ratio_ci(a, b, seed=7)
    assert (low, high) == bootstrap_ratio_ci(a, b, seed=7)
    assert 1.2 < low < high < 1.3
    assert bootstrap_ratio_ci(a, b, seed=8) != (low, high)


def test_bootstrap_covers_the_true_ratio_about_95_percent_of_the_time() -> None:
    hits = 0
    for seed in range(200):
        low, high = bootstrap_ratio_ci(
            lognormal(seed, 1.25, 0.03, 30), lognormal(seed + 1000, 1.0, 0.03, 30)
        )
        hits += low < 1.25 < high
    assert 0.90 <= hits / 200 <= 0.995


def test_bootstrap_is_fast() -> None:
    a, b = lognormal(1, 1.0, 0.1, 50), lognormal(2, 1.0, 0.1, 50)
    best = math.inf
    for _ in range(5):  # best of five: a busy machine slows single runs, not the code
        start = time.perf_counter()
        bootstrap_ratio_ci(a, b)
        best = min(best, time.perf_counter() - start)
    assert best < 0.020


def test_mann_whitney_directions() -> None:
    a, b = lognormal(1, 1.2, 0.05, 20), lognormal(2, 1.0, 0.05, 20)
    assert mann_whitney_less(a, b) < 1e-6  # B takes less time
    assert mann_whitney_greater(a, b) > 0.99
    assert mann_whitney_greater(b, a) < 1e-6


def test_identical_distributions_are_not_faster() -> None:
    for seed in range(20):
        verdict = judge(lognormal(seed, 1.0, 0.05, 30), lognormal(seed + 100, 1.0, 0.05, 30))
        assert verdict.outcome != "faster"


def test_twenty_percent_faster_is_faster() -> None:
    a, b = lognormal(1, 1.25, 0.02, 30), lognormal(2, 1.0, 0.02, 30)
    verdict = judge(a, b, seconds_spent=3.5)
    assert verdict.outcome == "faster"
    assert verdict.ci_low < 1.25 < verdict.ci_high
    assert verdict.p_value < 0.01
    assert verdict.speedup == pytest.approx(1.25, rel=0.02)
    assert (verdict.a_samples, verdict.b_samples, verdict.seconds_spent) == (a, b, 3.5)


def test_slower_is_slower() -> None:
    verdict = judge(lognormal(1, 1.0, 0.02, 30), lognormal(2, 1.2, 0.02, 30))
    assert verdict.outcome == "slower"
    assert verdict.ci_high < 1.0
    assert verdict.p_value > 0.99  # still the "B faster" direction


def test_very_noisy_is_never_faster() -> None:
    outcomes = {
        judge(lognormal(s, 1.0, 0.6, 15), lognormal(s + 100, 1.0, 0.6, 15)).outcome
        for s in range(20)
    }
    assert outcomes <= {"unstable", "no difference"}
    assert "unstable" in outcomes


def test_gain_below_the_floor_is_not_faster() -> None:
    verdict = judge(lognormal(1, 1.01, 0.001, 30), lognormal(2, 1.0, 0.001, 30), min_effect=0.02)
    assert verdict.p_value < 1e-6  # certainly faster, but not by enough to count
    assert verdict.outcome == "no difference"
    assert verdict.ci_high < 1.02
    assert any("floor" in note for note in verdict.notes)


def test_outliers_are_filtered_but_recorded() -> None:
    a, b = [*lognormal(1, 1.25, 0.02, 20), 30.0], lognormal(2, 1.0, 0.02, 20)
    verdict = judge(a, b)
    assert verdict.outcome == "faster"
    assert verdict.a_samples == a
    assert verdict.notes[0].startswith("removed 1 outlier(s) from A, 0 from B")


@pytest.mark.parametrize("bad", [[], [1.0, 0.0], [1.0, math.nan], [1.0, -2.0]])
def test_judge_rejects_impossible_durations(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        judge(bad, [1.0, 1.0])


def shared_state_pairs(
    seed: int, effect: float, n: int, shared: float = 0.05, own: float = 0.01
) -> tuple[list[float], list[float]]:
    """Pairs whose two runs share most of their noise (the machine's state at that moment)."""
    rng = random.Random(seed)
    a, b = [], []
    for _ in range(n):
        state = math.exp(rng.gauss(0.0, shared))
        a.append(state * math.exp(rng.gauss(0.0, own)))
        b.append(state * (1.0 - effect) * math.exp(rng.gauss(0.0, own)))
    return a, b


def test_pairing_sees_through_noise_the_pairs_share() -> None:
    a, b = shared_state_pairs(3, 0.02, 40)
    paired = judge(a, b, min_effect=0.0, alpha=0.01 / 6, paired=True)
    two_samples = judge(a, b, min_effect=0.0, alpha=0.01 / 6)
    assert paired.outcome == "faster" and paired.ci_low > 1.0
    assert two_samples.outcome != "faster"  # the shared noise hides 2% from a two-sample test
    assert "paired: Wilcoxon signed-rank over 40 pairs" in paired.notes[0]


def test_pair_ratio_interval_cancels_shared_noise_and_covers_the_truth() -> None:
    hits, narrower = 0, 0
    for seed in range(200):
        a, b = shared_state_pairs(seed, 0.05, 30)  # true ratio 1 / 0.95
        low, high = bootstrap_median_ci(pair_ratios(a, b), seed=seed)
        hits += low < 1 / 0.95 < high
        two_low, two_high = bootstrap_ratio_ci(a, b, seed=seed)
        narrower += (high - low) < (two_high - two_low) / 2
    assert 0.90 <= hits / 200 <= 0.995
    assert narrower == 200  # shared noise 5%, own 1%: the pair ratios see only the own part
    assert judge([2.0, 4.0, 9.0], [1.0, 4.0, 3.0], paired=True).speedup == 2.0  # ratios 2, 1, 3
    with pytest.raises(ValueError, match="same length"):
        pair_ratios([1.0, 2.0], [1.0])


def test_paired_identical_code_is_rarely_faster() -> None:
    runs = 300
    false_wins = sum(
        judge(*shared_state_pairs(seed, 0.0, 40), min_effect=0.0, alpha=0.01, paired=True).outcome
        == "faster"
        for seed in range(runs)
    )
    assert false_wins / runs <= 0.02


def test_paired_outliers_go_as_whole_pairs_and_ties_are_no_evidence() -> None:
    a, b = shared_state_pairs(5, 0.0, 30)
    verdict = judge([*a, 1.0], [*b, 10.0], paired=True)  # one pair with a 10x interruption
    assert "removed 1 outlier pair(s)" in verdict.notes[0]
    assert len(verdict.a_samples) == len(verdict.b_samples) == 31  # the record keeps it
    assert signed_rank_less([1.0] * 10, [1.0] * 10) == 1.0
    with pytest.raises(ValueError, match="same length"):
        judge([1.0, 1.0], [1.0], paired=True)
