"""SWE-Perf's gain, as a function on samples: checked against a literal transcription of its
published definition, and on cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from evaluation.suite.sweperf import (
    filter_outliers,
    largest_significant_gain,
    mean_gain,
    mean_ratio,
    sweperf_gain,
)


def reference_gain(head: list[float], base: list[float]) -> float:
    """SWE-Perf's loop as described (x += 0.001 while significant), kept naive on purpose."""
    a, b = np.array(head), np.array(base)
    x, last = 0.0, 0.0
    while x <= 1:
        if mannwhitneyu(b * (1 - x), a, alternative="greater").pvalue < 0.1:
            last = x
            x += 0.001
        else:
            break
    return last


def reference_filter(data: list[float]) -> list[float]:
    arr = np.array(data)
    q1, q3 = np.percentile(arr, 25), np.percentile(arr, 75)
    return arr[(arr >= q1 - (q3 - q1)) & (arr <= q3 + (q3 - q1))].tolist()


@pytest.mark.parametrize("seed", range(6))
def test_matches_the_published_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = list(rng.normal(1.0, 0.05, 20))
    head = list(rng.normal(1.0 - 0.08 * seed, 0.05, 20))
    expected = reference_gain(reference_filter(head), reference_filter(base))
    assert sweperf_gain(base, head) == pytest.approx(expected, abs=1e-9)


def test_identical_code_gains_nothing() -> None:
    same = [1.0 + 0.01 * (i % 5) for i in range(20)]
    assert sweperf_gain(same, list(same)) == 0.0


def test_twice_as_fast_gains_about_half() -> None:
    rng = np.random.default_rng(1)
    base = list(rng.normal(1.0, 0.01, 20))
    fast = list(rng.normal(0.5, 0.005, 20))
    assert 0.45 <= sweperf_gain(base, fast) <= 0.5


def test_slower_code_gains_nothing() -> None:
    assert largest_significant_gain([1.0] * 5 + [1.01] * 5, [2.0] * 10) == 0.0


def test_one_iqr_fence_drops_the_interrupted_run() -> None:
    data = [1.0, 1.01, 1.02, 1.03, 1.04, 1.05, 3.0]
    assert filter_outliers(data) == data[:-1]
    assert filter_outliers([]) == []


def test_workload_gain_is_the_mean_over_its_tests_and_gso_ratio_the_geomean() -> None:
    base = {"t1": [1.0] * 10 + [1.01] * 10, "t2": [1.0] * 10 + [1.01] * 10}
    patched = {"t1": [0.5] * 10 + [0.505] * 10, "t2": list(base["t2"])}
    assert mean_gain(base, patched) == pytest.approx(sweperf_gain(base["t1"], patched["t1"]) / 2)
    assert mean_gain(base, {}) == 0.0  # a test that did not run gains nothing
    assert mean_ratio(base, patched) == pytest.approx(2.0**0.5, rel=1e-3)
