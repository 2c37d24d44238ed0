"""Verdict records produced by the judges."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Outcome = Literal["faster", "slower", "no difference", "unstable"]


class SpeedVerdict(BaseModel):
    """Is B faster than A? speedup = median(A) / median(B), so > 1 means B is faster."""

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

    def summary(self) -> str:
        return (
            f"{self.outcome}: {self.speedup:.3f}x "
            f"[{self.ci_low:.3f}, {self.ci_high:.3f}] p={self.p_value:.2g} "
            f"n={len(self.a_samples)}+{len(self.b_samples)}"
        )
