"""Verdict records produced by the judges."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Outcome = Literal["faster", "slower", "no difference", "unstable"]


class SpeedVerdict(BaseModel):
    """Is B faster than A? speedup > 1 means B is faster: the median of the per-pair ratios
    A[i] / B[i] when `paired`, else median(A) / median(B)."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    speedup: float
    ci_low: float
    ci_high: float
    confidence: float
    p_value: float  # one-sided, B takes less time than A: Mann-Whitney U (paired: signed-rank)
    min_effect: float
    a_samples: list[float]
    b_samples: list[float]
    seconds_spent: float
    notes: list[str] = []
    paired: bool = False  # judged as ABBA pairs (records written before the field: two-sample)

    @property
    def test_name(self) -> str:
        return "Wilcoxon signed-rank" if self.paired else "Mann-Whitney U"

    @property
    def method(self) -> str:
        """How the speedup, interval and p were computed, in one sentence for reports."""
        if self.paired:
            return (
                "The speedup is the median of the per-pair time ratios (each pair: the two runs "
                "next to each other), the interval a bootstrap over pairs, p a one-sided Wilcoxon "
                "signed-rank test on the pairs."
            )
        return (
            "The speedup is the ratio of the median times, the interval a bootstrap of that "
            "ratio, p a one-sided Mann-Whitney test."
        )

    def summary(self) -> str:
        return (
            f"{self.outcome}: {self.speedup:.3f}x "
            f"[{self.ci_low:.3f}, {self.ci_high:.3f}] p={self.p_value:.2g} "
            f"n={len(self.a_samples)}+{len(self.b_samples)}"
        )
