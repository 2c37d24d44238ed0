"""Statistics on two samples of durations: A (baseline) and B (candidate).

Pure functions; `judge` turns two samples into a SpeedVerdict. The rule is in docs/measurement.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import mannwhitneyu, wilcoxon

from evaluation.records import Outcome, SpeedVerdict

# 3 x IQR beyond the quartiles is Tukey's "far out" fence: for normal noise it sits at ~4.7 sigma
# (about 2 points in a million), so a clean sample keeps every point. Timings are right-skewed,
# and the usual 1.5 x fence (~2.7 sigma) would trim genuine slow runs and flatter the noisier
# side; 3 x only catches gross interruptions (a GC pause, a descheduled process).
OUTLIER_IQR_FACTOR = 3.0
MIN_KEPT = 5  # below this many points there are no quartiles worth trusting; keep everything


def filter_outliers(xs: Sequence[float]) -> tuple[list[float], int]:
    """Drop points beyond 3 x IQR from the quartiles. Returns (kept, removed_count).

    Never leaves fewer than MIN_KEPT points, and drops nothing when the IQR is 0 (a coarse
    timer or identical runs: there is no scale to call anything far).
    """
    values = [float(x) for x in xs]
    if len(values) < MIN_KEPT:
        return values, 0
    q1, q3 = (float(q) for q in np.percentile(values, [25, 75]))
    iqr = q3 - q1
    if iqr <= 0:
        return values, 0
    low, high = q1 - OUTLIER_IQR_FACTOR * iqr, q3 + OUTLIER_IQR_FACTOR * iqr
    kept = [x for x in values if low <= x <= high]
    if len(kept) < MIN_KEPT:
        return values, 0
    return kept, len(values) - len(kept)


def spread(xs: Sequence[float]) -> float:
    """Robust coefficient of variation: IQR / median (one slow outlier cannot inflate it)."""
    q1, median, q3 = np.percentile(np.asarray(xs, dtype=float), [25, 50, 75])
    return float((q3 - q1) / median)


def _bootstrap_medians(xs: Sequence[float], resamples: int, rng: np.random.Generator) -> np.ndarray:
    # A resample's median is the median of its indices into the *sorted* data, because the map
    # index -> sorted value is monotone. Sorting small int16 index rows is several times faster than
    # taking medians of float rows, which keeps a look well under a few milliseconds.
    data = np.sort(np.asarray(xs, dtype=float))
    n = len(data)
    dtype = np.int16 if n <= np.iinfo(np.int16).max else np.int64
    idx = np.sort(rng.integers(0, n, size=(resamples, n), dtype=dtype), axis=1)
    return 0.5 * (data[idx[:, (n - 1) // 2]] + data[idx[:, n // 2]])


def bootstrap_ratio_ci(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of median(a) / median(b), each group resampled on its own."""
    _check_sample(a, "a")
    _check_sample(b, "b")
    rng = np.random.default_rng(seed)
    ratios = _bootstrap_medians(a, resamples, rng) / _bootstrap_medians(b, resamples, rng)
    return _percentile_interval(ratios, confidence)


def pair_ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """a[i] / b[i] for each pair: the speedup each ABBA pair saw on its own."""
    _check_sample(a, "a")
    _check_sample(b, "b")
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    return [float(x) / float(y) for x, y in zip(a, b, strict=True)]


def bootstrap_median_ci(
    xs: Sequence[float], confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the median of `xs`.

    Over the per-pair ratios (`pair_ratios`) it is the paired rule's interval: a slow spell that
    hits both runs of a pair cancels in their ratio, so it is narrower than one around
    median(a) / median(b) whenever neighbouring runs share the machine's state."""
    rng = np.random.default_rng(seed)
    return _percentile_interval(_bootstrap_medians(xs, resamples, rng), confidence)


def _percentile_interval(estimates: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(estimates, [tail, 1.0 - tail])
    return float(low), float(high)


def signed_rank_less(a: Sequence[float], b: Sequence[float]) -> float:
    """One-sided Wilcoxon signed-rank p for "B takes less time than A" over pairs (a[i], b[i])."""
    return _signed_rank(a, b, "greater")


def signed_rank_greater(a: Sequence[float], b: Sequence[float]) -> float:
    """One-sided Wilcoxon signed-rank p for "B takes more time than A" over pairs."""
    return _signed_rank(a, b, "less")


def _signed_rank(a: Sequence[float], b: Sequence[float], alternative: str) -> float:
    log_ratios = np.log(np.asarray(a, float)) - np.log(np.asarray(b, float))
    if not np.any(log_ratios):
        return 1.0  # every pair tied: no evidence either way
    return float(wilcoxon(log_ratios, alternative=alternative).pvalue)


def filter_pair_outliers(
    a: Sequence[float], b: Sequence[float]
) -> tuple[list[float], list[float], int]:
    """Drop whole pairs whose log ratio lies beyond 3 x IQR from its quartiles (the same fence
    as filter_outliers, applied to what a paired test sees). Returns (a kept, b kept, removed)."""
    ratios = [math.log(x / y) for x, y in zip(a, b, strict=True)]
    kept, removed = filter_outliers(ratios)
    if not removed:
        return [float(x) for x in a], [float(y) for y in b], 0
    low, high = min(kept), max(kept)
    pairs = [(x, y) for x, y, r in zip(a, b, ratios, strict=True) if low <= r <= high]
    return [float(x) for x, _ in pairs], [float(y) for _, y in pairs], removed


def mann_whitney_less(a: Sequence[float], b: Sequence[float]) -> float:
    """One-sided p-value for "B takes less time than A" (B faster)."""
    return float(mannwhitneyu(b, a, alternative="less").pvalue)


def mann_whitney_greater(a: Sequence[float], b: Sequence[float]) -> float:
    """One-sided p-value for "B takes more time than A" (B slower)."""
    return float(mannwhitneyu(b, a, alternative="greater").pvalue)


def judge(
    a: Sequence[float],
    b: Sequence[float],
    *,
    min_effect: float = 0.02,
    alpha: float = 0.01,
    confidence: float = 0.95,
    max_cv: float = 0.25,
    seconds_spent: float = 0.0,
    seed: int = 0,
    paired: bool = False,
) -> SpeedVerdict:
    """Is B faster than A? Statistics on outlier-filtered samples; the record keeps the raw ones.

    Two samples (paired=False): ratio of medians, one-sided Mann-Whitney U, bootstrap of each
    group on its own.
    paired: a[i] and b[i] ran next to each other (one ABBA pair): the median per-pair ratio,
    Wilcoxon signed-rank on the pairs' log ratios, bootstrap over whole pairs, outliers dropped
    as whole pairs.

    faster:        p(B less) < alpha and interval low > 1 + min_effect
    slower:        p(B more) < alpha and interval high < 1
    no difference: interval high < 1 + min_effect (more samples cannot make it faster)
    unstable:      otherwise, when either group's IQR/median exceeds max_cv
    no difference: otherwise (undecided)
    """
    _check_sample(a, "a")
    _check_sample(b, "b")
    if paired:
        if len(a) != len(b):
            raise ValueError("paired samples must have the same length")
        fa, fb, removed = filter_pair_outliers(a, b)
        ratios = pair_ratios(fa, fb)  # once: the speedup and its interval both come from them
        speedup = float(np.median(ratios))
        low, high = bootstrap_median_ci(ratios, confidence, seed=seed)
        p_less, p_more = signed_rank_less(fa, fb), signed_rank_greater(fa, fb)
        notes = [
            f"paired: Wilcoxon signed-rank over {len(fa)} pairs; removed {removed} outlier "
            "pair(s) (3 x IQR of the log ratios)"
        ]
    else:
        fa, removed_a = filter_outliers(a)
        fb, removed_b = filter_outliers(b)
        speedup = float(np.median(fa) / np.median(fb))
        low, high = bootstrap_ratio_ci(fa, fb, confidence, seed=seed)
        p_less, p_more = mann_whitney_less(fa, fb), mann_whitney_greater(fa, fb)
        notes = [f"removed {removed_a} outlier(s) from A, {removed_b} from B (3 x IQR)"]
    floor = 1.0 + min_effect
    floor_text = f"the {min_effect:.0%} floor ({floor:.3f})"
    notes += [f"{confidence:.1%} interval [{low:.3f}, {high:.3f}]; p(B faster)={p_less:.2g}"]

    outcome: Outcome
    if p_less < alpha and low > floor:
        outcome = "faster"
        notes.append(
            f"p {p_less:.2g} < alpha {alpha:.2g} and lower bound {low:.3f} above {floor_text}"
        )
    elif p_more < alpha and high < 1.0:
        outcome = "slower"
        notes.append(f"p(B slower) {p_more:.2g} < alpha {alpha:.2g} and upper bound {high:.3f} < 1")
    elif high < floor:
        outcome = "no difference"
        notes.append(
            f"upper bound {high:.3f} below {floor_text}: more samples cannot make it faster"
        )
    else:
        worst = max(spread(fa), spread(fb))
        outcome = "unstable" if worst > max_cv else "no difference"
        if p_less >= alpha:
            notes.append(f"p {p_less:.2g} not below alpha {alpha:.2g}")
        if low <= floor:
            notes.append(f"lower bound {low:.3f} not above {floor_text}")
        if outcome == "unstable":
            notes.append(f"too erratic: IQR/median {worst:.2f} above {max_cv:.2f}")

    return SpeedVerdict(
        outcome=outcome,
        speedup=speedup,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        p_value=p_less,
        min_effect=min_effect,
        a_samples=[float(x) for x in a],
        b_samples=[float(x) for x in b],
        seconds_spent=seconds_spent,
        notes=notes,
        paired=paired,
    )


def _check_sample(xs: Sequence[float], name: str) -> None:
    if len(xs) == 0:
        raise ValueError(f"sample {name} is empty")
    if not all(math.isfinite(x) and x > 0 for x in xs):
        raise ValueError(f"sample {name} must hold positive, finite durations")
