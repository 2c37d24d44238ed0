"""Suite metrics, each benchmark's by its own definition, and ours beside them.

- SWE-Perf: Apply (patch applies), Correctness (applies and tests pass; we also require the
  workload's output unchanged), Performance (mean over all tasks of the task's gain, failures
  0; sweperf.py).
- GSO: an attempt is "opt" when correct, the geometric-mean speedup over the task's workloads
  (of mean times) is at least 1.2, and the harmonic mean of its speedup relative to the
  expert's is above 0.95; opt@k is pass@k's unbiased estimator over a task's n >= k attempts
  (with n = k: the task counts when any attempt is opt), averaged over tasks.
- SWE-fficiency: speedup ratio = model speedup / expert speedup, harmonic mean over tasks; a
  failed task counts as speedup 1 (no edit).
- Ours: share of tasks judged "faster" on every workload (interleaved, docs/measurement.md),
  the geometric-mean speedup (failures 1.0), and "saved": the share of run time saved at the
  conservative end of the interval, 1 - 1/low, counted only when judged faster (failures 0):
  SWE-Perf's performance, made robust. SWE-Perf's gain function on our interleaved samples is
  reported too, to show what the sequential protocol adds.
Tasks that cannot be set up or fail before any change stay in every denominator, as each
benchmark counts them; their number is reported too. With several attempts per task, every
metric but opt@k is taken on each task's first attempt (what a one-attempt run reports);
opt@1 and opt@k use all attempts, and cost and wall time add them all up."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import groupby

from pydantic import BaseModel, ConfigDict

from evaluation.suite.records import TaskResult

GSO_MIN_SPEEDUP = 1.2
GSO_EXPERT_FRACTION = 0.95


class SuiteMetrics(BaseModel):
    model_config = ConfigDict(frozen=True)

    agent: str
    tasks: int
    attempts: int  # attempt results in all (tasks x attempts run per task)
    invalid: int
    apply: float
    correctness: float
    performance: float
    performance_interleaved: float
    faster: float
    saved: float
    speedup: float
    opt_at_1: float
    k: int = 1
    opt_at_k: float | None = None  # GSO's opt@k for k > 1
    speedup_ratio: float | None
    cost_usd: float | None
    seconds: float


def task_performance(result: TaskResult) -> float:
    gains = [w.sweperf_gain for w in result.workloads]
    return sum(gains) / len(gains) if result.status == "ok" and gains else 0.0


def task_performance_interleaved(result: TaskResult) -> float:
    gains = [w.interleaved_gain for w in result.workloads]
    return sum(gains) / len(gains) if result.status == "ok" and gains else 0.0


def task_saved(result: TaskResult) -> float:
    """Ours: mean over workloads of 1 - 1/ci_low for workloads judged faster, else 0."""
    if result.status != "ok" or not result.workloads:
        return 0.0
    saved = [
        1.0 - 1.0 / w.verdict.ci_low
        if w.verdict.outcome == "faster" and w.verdict.ci_low > 1
        else 0.0
        for w in result.workloads
    ]
    return sum(saved) / len(saved)


def task_speedup(result: TaskResult) -> float | None:
    """Ours: geometric mean over workloads of the interleaved speedup; None if not measured."""
    if result.status != "ok" or not result.workloads:
        return None
    return geomean([w.verdict.speedup for w in result.workloads])


def task_faster(result: TaskResult) -> bool:
    return result.status == "ok" and all(w.verdict.outcome == "faster" for w in result.workloads)


def gso_opt(result: TaskResult) -> bool:
    if result.status != "ok" or not result.workloads:
        return False
    if geomean([w.mean_speedup for w in result.workloads]) < GSO_MIN_SPEEDUP:
        return False
    if result.agent == "oracle":
        return True  # the expert against itself
    ratios = [w.verdict.speedup / w.expert.speedup for w in result.workloads if w.expert]
    if not ratios:
        return False  # no expert measured: GSO cannot call it a match
    return harmonic_mean(ratios) > GSO_EXPERT_FRACTION  # strictly, as GSO's opt()


def opt_at_k(attempts: Sequence[Sequence[bool]], k: int) -> float:
    """Mean over tasks of 1 - C(n - c, k) / C(n, k): the chance that k of a task's n attempts
    include one of its c successes."""
    scores = []
    for tries in attempts:
        n, c = len(tries), sum(tries)
        if n < k:
            raise ValueError(f"opt@{k} needs at least {k} attempts per task, got {n}")
        scores.append(1.0 - math.comb(n - c, k) / math.comb(n, k))
    return sum(scores) / len(scores) if scores else 0.0


def speedup_ratio(results: Sequence[TaskResult]) -> float | None:
    ratios = []
    for result in results:
        if result.expert_speedup is None or result.expert_speedup <= 0:
            continue  # no expert speedup known: SWE-fficiency has no ratio for it
        model = task_speedup(result) or 1.0
        ratios.append(model / result.expert_speedup)
    return harmonic_mean(ratios) if ratios else None


def by_task(results: Sequence[TaskResult]) -> list[list[TaskResult]]:
    """Each task's attempts in attempt order; tasks in the order they first appear."""
    order = {r.task_id: i for i, r in reversed(list(enumerate(results)))}
    ranked = sorted(results, key=lambda r: (order[r.task_id], r.attempt))
    return [list(group) for _, group in groupby(ranked, key=lambda r: r.task_id)]


def opt_attempts(results: Sequence[TaskResult], k: int) -> list[list[bool]]:
    """Each task's opt flags, one per attempt. A task with one attempt where k are asked for
    is a deterministic solver's (the runner makes one attempt, as k would give the same
    patch): that attempt stands for all k."""
    flags = [[gso_opt(r) for r in attempts] for attempts in by_task(results)]
    return [tries * k if len(tries) == 1 else tries for tries in flags]


def summarize(results: Sequence[TaskResult], k: int = 1) -> SuiteMetrics:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    every = list(results)
    results = [attempts[0] for attempts in by_task(every)]
    n = len(results)
    costs = [r.cost_usd for r in every if r.cost_usd is not None]
    return SuiteMetrics(
        agent=results[0].agent if results else "",
        tasks=n,
        attempts=len(every),
        invalid=sum(r.invalid for r in results),
        apply=_share(r.applied for r in results),
        correctness=_share(r.status == "ok" for r in results),
        performance=_mean(task_performance(r) for r in results),
        performance_interleaved=_mean(task_performance_interleaved(r) for r in results),
        faster=_share(task_faster(r) for r in results),
        saved=_mean(task_saved(r) for r in results),
        speedup=geomean([task_speedup(r) or 1.0 for r in results]) if n else 1.0,
        opt_at_1=opt_at_k(opt_attempts(every, 1), 1) if n else 0.0,
        k=k,
        opt_at_k=(opt_at_k(opt_attempts(every, k), k) if n else 0.0) if k > 1 else None,
        speedup_ratio=speedup_ratio(results),
        cost_usd=sum(costs) if costs else None,
        seconds=sum(r.seconds for r in every),
    )


def geomean(values: Sequence[float]) -> float:
    good = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in good) / len(good)) if good else 1.0


def harmonic_mean(values: Sequence[float]) -> float:
    good = [v for v in values if v > 0]
    return len(good) / sum(1.0 / v for v in good) if good else 0.0


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _mean(numbers: Iterable[float]) -> float:
    values = list(numbers)
    return sum(values) / len(values) if values else 0.0
