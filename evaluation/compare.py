"""Adaptive, interleaved A/B sampling: run both sides in ABBA order, judge after each batch,
stop as soon as the answer is decided. The protocol is in docs/measurement.md."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evaluation.records import SpeedVerdict
from evaluation.stats import judge

Runner = Callable[[], float]  # one run; returns its duration in seconds
# Futility: (pairs, p): from this many pairs on, stop when the one-sided p for "B faster" is
# above p. A small true speedup often leans the wrong way at 20 pairs, so the first look stops
# only on a clear lean; from 40 pairs the lean alone is enough. Chosen by replaying recorded
# noise (benchmarks/noise_replay.py, docs/measurement.md); either threshold only removes
# chances to say "faster".
FUTILITY: tuple[tuple[int, float], ...] = ((20, 0.8), (40, 0.5))
Clock = Callable[[], float]
FIRST_LOOK, PAIRED_FIRST_LOOK = 10, 12  # default pairs before the first look (see min_pairs)


class SamplingPolicy(BaseModel):
    """How many runs to spend, and the error rates the verdict must meet."""

    model_config = ConfigDict(frozen=True)

    warmup: int = Field(default=1, ge=0)  # runs of each side, discarded; they also time a pair
    # Pairs before the first look; by default the fewest whose rank test can reach an interim
    # look's alpha with room to spare: 12 for the paired signed-rank test (smallest p 1/4096;
    # at 10 pairs, 1/1024, too coarse), 10+10 for Mann-Whitney (smallest p 1/184756). Each look
    # doubles the sample: clear wins end at the first looks, close calls get up to max_pairs or
    # the time budget, and the looks stay few (log2(max/min)), so each keeps a usable alpha.
    min_pairs: int = Field(default=0, ge=0)  # 0: the test's own default, as above
    growth: float = Field(default=2.0, ge=1.0)  # each look's sample is this times the last one
    max_pairs: int = Field(default=320, ge=1)
    time_budget_seconds: float = Field(default=60.0, gt=0)
    min_effect: float = Field(default=0.02, ge=0)
    alpha: float = Field(default=0.01, gt=0, lt=1)  # false-positive rate over all looks
    confidence: float = Field(default=0.95, gt=0, lt=1)  # interval level over all looks
    # Share of alpha (and of the interval's error) kept for the final look, the one that ends
    # at max_pairs or the time budget; the interim looks split the rest evenly. Close calls are
    # only decided at the final look, so it gets most; a clear win still ends at the first
    # look, whose share stays above the rank test's smallest p (docs/measurement.md).
    final_share: float = Field(default=0.75, gt=0, lt=1)
    max_cv: float = Field(default=0.25, gt=0)  # IQR/median above this is "unstable"
    # Judge the ABBA pairs as pairs (median pair ratio, signed-rank test, bootstrap over pairs)
    # rather than as two samples (ratio of medians, Mann-Whitney). The two runs of a pair share
    # the machine's state, which cancels in their ratio: in the fidelity runs the paired rule
    # needs a fraction of the samples for the same answer (docs/measurement.md).
    paired: bool = True

    @model_validator(mode="before")
    @classmethod
    def _default_first_look(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("min_pairs"):
            paired = data.get("paired", cls.model_fields["paired"].default)
            data = {**data, "min_pairs": PAIRED_FIRST_LOOK if paired else FIRST_LOOK}
        return data

    @model_validator(mode="after")
    def _pairs_in_order(self) -> SamplingPolicy:
        if self.max_pairs < self.min_pairs:
            raise ValueError("max_pairs must be at least min_pairs")
        return self

    @property
    def look_sizes(self) -> list[int]:
        """Pairs at each planned look: min_pairs, then x growth (at least one more), to max_pairs."""
        sizes = [self.min_pairs]
        while sizes[-1] < self.max_pairs:
            sizes.append(
                min(self.max_pairs, max(sizes[-1] + 1, math.ceil(sizes[-1] * self.growth)))
            )
        return sizes

    def interim_sizes(self, pace: float | None, seconds_left: float) -> list[int]:
        """The interim looks worth planning when a pair takes `pace` seconds (None: untimed)."""
        return [s for s in self.look_sizes[:-1] if _room_for_look(s, 0, pace, seconds_left)]

    def look_levels(
        self, interim_looks: int, interim_taken: int, final: bool
    ) -> tuple[float, float]:
        """(alpha, interval confidence) for one look, when `interim_looks` were planned and
        `interim_taken` already spent their share. The final look gets whatever they left, so
        the shares over one comparison add up to alpha and 1 - confidence exactly."""
        interim = (1.0 - self.final_share) / interim_looks if interim_looks else 0.0
        share = 1.0 - interim * interim_taken if final else interim
        return self.alpha * share, 1.0 - (1.0 - self.confidence) * share


def compare(
    run_a: Runner,
    run_b: Runner,
    policy: SamplingPolicy | None = None,
    clock: Clock = time.monotonic,
) -> SpeedVerdict:
    """Is B faster than A? Exceptions from a runner propagate: the caller records the failure."""
    policy = policy or SamplingPolicy()
    start = clock()
    for _ in range(policy.warmup):
        run_a()
        run_b()
    deadline = start + policy.time_budget_seconds
    sampling_start = clock()
    warmup_pace = (sampling_start - start) / policy.warmup if policy.warmup else None

    # Alpha spending over the looks (a weighted Bonferroni split): each interim look tests at
    # its share of alpha, the final look at what the interim looks left, so the chance that any
    # look says "faster" for equal code stays <= alpha; the interval is widened the same way,
    # so the 1 + min_effect floor also holds across looks. Interim looks the budget has no room
    # for at the warm-up's pace are not planned, so they take no share; if sampling then runs
    # slower, the final look starts early and takes the shares left unspent. Which looks
    # happen depends only on how long the runs take, never on which side was faster, so it
    # cannot bias the test; stopping for futility or budget only removes chances to say
    # "faster", so it cannot raise the error.
    interim_sizes = policy.interim_sizes(warmup_pace, deadline - sampling_start)
    a: list[float] = []
    b: list[float] = []
    for taken, size in enumerate([*interim_sizes, policy.max_pairs]):  # taken: interim looks done
        pace = (clock() - sampling_start) / len(a) if a else warmup_pace
        final = size == policy.max_pairs or not _room_for_look(
            size, len(a), pace, deadline - clock()
        )
        target = policy.max_pairs if final else size
        out_of_time = _collect(run_a, run_b, a, b, target, deadline, clock)
        final = final or out_of_time or len(a) >= policy.max_pairs
        alpha, confidence = policy.look_levels(len(interim_sizes), taken, final)
        verdict = judge(
            a,
            b,
            min_effect=policy.min_effect,
            alpha=alpha,
            confidence=confidence,
            max_cv=policy.max_cv,
            seconds_spent=clock() - start,
            paired=policy.paired,
        )
        reason = _stop_reason(verdict, policy, len(a), out_of_time)
        look = "final look" if final else f"interim look {taken + 1} of {len(interim_sizes)}"
        if reason:  # a final look always has one: budget or max_pairs, if nothing sooner
            break
    note = f"{look} at {len(a)} pairs, alpha {alpha:.2g} of {policy.alpha:.2g}; stopped: {reason}"
    return verdict.model_copy(update={"notes": [*verdict.notes, note]})


# An interim look is worth its share of alpha only if the final look can add at least half as
# many pairs again; otherwise the two would judge nearly the same sample.
FINAL_LOOK_MARGIN = 1.5


def _room_for_look(size: int, pairs: int, pace: float | None, seconds_left: float) -> bool:
    """Will the budget reach FINAL_LOOK_MARGIN x `size` pairs at `pace` seconds a pair?"""
    if pace is None or pace <= 0:
        return True  # nothing timed yet: plan the look
    return pairs + seconds_left / pace >= FINAL_LOOK_MARGIN * size


def pair_order(index: int) -> str:
    """Order of the index-th pair, "AB" or "BA": ABBA then BAAB, repeated (AB BA BA AB AB BA BA AB).

    ABBA cancels a linear drift (machine warming, turbo decaying); following it with BAAB
    also cancels a quadratic one and stops either side always running first."""
    return "AB" if index % 4 in (0, 3) else "BA"


def _collect(
    run_a: Runner,
    run_b: Runner,
    a: list[float],
    b: list[float],
    target: int,
    deadline: float,
    clock: Clock,
) -> bool:
    """Add pairs until `target`; True if the deadline stopped it. The first pair always runs."""
    while len(a) < target:
        if a and clock() >= deadline:
            return True
        for side in pair_order(len(a)):
            if side == "A":
                a.append(run_a())
            else:
                b.append(run_b())
    return clock() >= deadline


def futility_threshold(pairs: int) -> float | None:
    """The p above which a look with this many pairs stops for futility; None before 20 pairs."""
    reached = [p for at, p in FUTILITY if pairs >= at]
    return reached[-1] if reached else None


def _stop_reason(
    verdict: SpeedVerdict, policy: SamplingPolicy, pairs: int, out_of_time: bool
) -> str:
    if verdict.outcome in ("faster", "slower"):
        return f"decided {verdict.outcome}"
    if verdict.ci_high < 1.0 + policy.min_effect:
        return "interval entirely below the floor, more samples cannot make it faster"
    threshold = futility_threshold(pairs)
    if threshold is not None and verdict.p_value > threshold:
        # The data lean towards B being no faster at all; stopping for futility only removes
        # chances to say "faster", so it cannot raise the false-positive rate.
        return f"futility: B shows no sign of being faster (p {verdict.p_value:.2f} > {threshold})"
    if pairs >= policy.max_pairs:
        return "max_pairs reached"
    if out_of_time:
        return "time budget spent"
    return ""
