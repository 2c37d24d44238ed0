"""Plain records exchanged between parent and child processes and written to JSON.

Dataclasses rather than pydantic on purpose: the GPU harness must run on a machine that has only
torch and triton installed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "rejected", "compile-only", "error"]


@dataclass(frozen=True)
class Violation:
    """A static finding that rejects a candidate before it runs."""

    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class Trial:
    """One call pattern (candidate, reference, candidate) on one fresh input set."""

    shape: dict[str, int]
    dtype: str
    fill: str
    seed: int
    passed: bool
    reason: str  # "ok" or why it failed, one line
    error: float  # worst normalized excess over the tolerance band; 0 when within it


@dataclass
class CheckReport:
    problem: str
    candidate: str
    device: str
    status: Status
    seed: int | None = None  # base seed of the trials, to reproduce them
    reasons: list[str] = field(default_factory=list)  # why it is not "passed", most important first
    violations: list[Violation] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # e.g. "bfloat16: GPU-only"
    adaptations: list[str] = field(default_factory=list)  # e.g. "mapped device 'cuda' -> 'cpu'"
    launches: list[dict[str, Any]] = field(default_factory=list)  # Triton launches seen (for AOT)
    aot: list[dict[str, Any]] = field(
        default_factory=list
    )  # per launch: ok, registers, shared, ...
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        n_ok = sum(t.passed for t in self.trials)
        head = f"{self.problem}: {self.status} ({n_ok}/{len(self.trials)} trials)"
        return head if not self.reasons else f"{head}: {self.reasons[0]}"


@dataclass(frozen=True)
class TimingStats:
    """Per-call times in milliseconds from one timing loop."""

    median_ms: float
    q1_ms: float
    q3_ms: float
    min_ms: float
    runs: int
    wall_median_ms: float  # host clock around launch + full synchronize, as a cross-check

    @property
    def iqr_ms(self) -> float:
        return self.q3_ms - self.q1_ms


@dataclass
class ShapeResult:
    """One problem at one timing shape: correctness at that shape, the three timings, flags."""

    problem: str
    shape: dict[str, int]
    dtype: str
    correct: bool
    eager: TimingStats | None = None
    compiled: TimingStats | None = None
    candidate: TimingStats | None = None
    compile_error: str | None = None
    flags: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def speedup_vs_eager(self) -> float | None:
        if self.eager is None or self.candidate is None or self.candidate.median_ms <= 0:
            return None
        return self.eager.median_ms / self.candidate.median_ms

    @property
    def speedup_vs_compile(self) -> float | None:
        if self.compiled is None or self.candidate is None or self.candidate.median_ms <= 0:
            return None
        return self.compiled.median_ms / self.candidate.median_ms

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["speedup_vs_eager"] = self.speedup_vs_eager
        out["speedup_vs_compile"] = self.speedup_vs_compile
        return out


def trial_from_json(d: dict[str, Any]) -> Trial:
    return Trial(**d)


def violation_from_json(d: dict[str, Any]) -> Violation:
    return Violation(**d)


def stats_from_json(d: dict[str, Any] | None) -> TimingStats | None:
    return None if d is None else TimingStats(**d)


def shape_result_from_json(d: dict[str, Any]) -> ShapeResult:
    d = {k: v for k, v in d.items() if not k.startswith("speedup_")}
    for key in ("eager", "compiled", "candidate"):
        d[key] = stats_from_json(d.get(key))
    return ShapeResult(**d)
