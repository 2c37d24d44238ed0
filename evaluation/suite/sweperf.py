"""SWE-Perf's performance measure, on the samples (for comparability with its leaderboard).

SWE-Perf runs the base, then the patched code (not interleaved): 3 warm-up pytest runs and 20
repetitions, keeping each test's call duration. Each side is filtered with a 1 x IQR fence,
and the gain is the largest x (in steps of 0.001, from 0 up to 1) for which a one-sided
Mann-Whitney test says base x (1 - x) is still slower than patched at p < 0.1; the search
stops at the first x that is not significant, and no significant x gives 0. A task's
performance is the mean gain over its tests; a task that fails counts 0.
(sweperf/harness/utils.py: filter_outliers, find_max_significant_improvement.)"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import mannwhitneyu

from evaluation.measure import WorkloadRunner

WARMUPS = 3
REPETITIONS = 20
IQR_FACTOR = 1.0
P_THRESHOLD = 0.1
STEP = 0.001
MAX_GAIN = 1.0


def filter_outliers(samples: Sequence[float], factor: float = IQR_FACTOR) -> list[float]:
    data = np.asarray(samples, dtype=float)
    if data.size == 0:
        return []
    q1, q3 = np.percentile(data, [25, 75])
    low, high = q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)
    return [float(x) for x in data[(data >= low) & (data <= high)]]


def largest_significant_gain(
    base: Sequence[float],
    patched: Sequence[float],
    p_threshold: float = P_THRESHOLD,
    step: float = STEP,
    max_gain: float = MAX_GAIN,
) -> float:
    """The largest x such that base * (1 - x) is significantly slower than patched."""
    a, b = np.asarray(base, dtype=float), np.asarray(patched, dtype=float)
    if a.size == 0 or b.size == 0:
        return 0.0
    best = 0.0
    for i in range(math.floor(max_gain / step + 1e-9) + 1):
        x = i * step  # an integer count, so no drift from adding 0.001 a thousand times
        if mannwhitneyu(a * (1 - x), b, alternative="greater").pvalue >= p_threshold:
            break
        best = x
    return best


def sweperf_gain(base: Sequence[float], patched: Sequence[float]) -> float:
    return largest_significant_gain(filter_outliers(base), filter_outliers(patched))


def mean_gain(base: dict[str, list[float]], patched: dict[str, list[float]]) -> float:
    """A workload's gain: the mean over its tests (a test missing on one side gains 0)."""
    gains = [sweperf_gain(base[t], patched[t]) if t in patched else 0.0 for t in base]
    return sum(gains) / len(gains) if gains else 0.0


def sequential_samples(
    runner: WorkloadRunner, name: str, warmups: int = WARMUPS, repetitions: int = REPETITIONS
) -> dict[str, list[float]]:
    """Seconds per test over `repetitions` runs after `warmups` discarded ones; a workload
    that is not a set of pytest tests is one test named `name`."""
    for _ in range(warmups):
        runner.sample()
    out: dict[str, list[float]] = {}
    for _ in range(repetitions):
        sample = runner.sample()
        for test, seconds in (sample.per_test or {name: sample.seconds}).items():
            out.setdefault(test, []).append(seconds)
    return out


def mean_ratio(base: dict[str, list[float]], patched: dict[str, list[float]]) -> float:
    """GSO's speedup: per test mean(base) / mean(patched), geometric mean over tests."""
    ratios = [
        float(np.mean(base[t]) / np.mean(patched[t]))
        for t in base
        if t in patched and np.mean(patched[t]) > 0
    ]
    return float(np.exp(np.mean(np.log(ratios)))) if ratios else 1.0
