"""do_bench-style timing (child side): warm-up, cache flush outside the timed region, per-call
CUDA events with a full device synchronize, the host clock alongside as a cross-check.

The timer and the flush are injected, so the same loop runs on a GPU (events, 256 MB L2 flush) and
on the CPU smoke path (host clock, small flush), and tests can drive it with a fake clock.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evaluation.kernels.records import TimingStats

# (device_ms, wall_ms) for one call of fn.
TimeOnce = Callable[[Callable[[], Any]], tuple[float, float]]

L2_FLUSH_BYTES = 256 * 2**20  # several times any current GPU's L2 (H100: 50 MB)


@dataclass(frozen=True)
class BenchConfig:
    runs: int = 100
    warmup: int = 10
    flush_bytes: int = L2_FLUSH_BYTES


def bench(
    fn: Callable[[], Any], time_once: TimeOnce, flush: Callable[[], None], config: BenchConfig
) -> TimingStats:
    return bench_interleaved({"fn": fn}, time_once, flush, config)["fn"]


def bench_interleaved(
    fns: dict[str, Callable[[], Any]],
    time_once: TimeOnce,
    flush: Callable[[], None],
    config: BenchConfig,
    rounds: int = 5,
) -> dict[str, TimingStats]:
    """Time several functions in alternating rounds (A B C, A B C, ...), `config.runs` calls each.

    Interleaving spreads clock boost, thermal drift and neighbours' noise over all contenders
    instead of letting whichever ran last absorb it (asv's rounds, for the same reason).
    """
    for fn in fns.values():
        for _ in range(config.warmup):
            fn()
    device_ms: dict[str, list[float]] = {name: [] for name in fns}
    wall_ms: dict[str, list[float]] = {name: [] for name in fns}
    per_round = [config.runs // rounds + (i < config.runs % rounds) for i in range(rounds)]
    for n in per_round:
        for name, fn in fns.items():
            for _ in range(n):
                flush()  # evict the previous run's data; finished before the clock starts
                d, w = time_once(fn)
                device_ms[name].append(d)
                wall_ms[name].append(w)
    return {name: summarize(device_ms[name], wall_ms[name]) for name in fns}


def summarize(device_ms: list[float], wall_ms: list[float]) -> TimingStats:
    if len(device_ms) >= 2:
        q1, _, q3 = statistics.quantiles(device_ms, n=4, method="inclusive")
    else:
        q1 = q3 = device_ms[0]
    return TimingStats(
        median_ms=statistics.median(device_ms),
        q1_ms=q1,
        q3_ms=q3,
        min_ms=min(device_ms),
        runs=len(device_ms),
        wall_median_ms=statistics.median(wall_ms),
    )


def cuda_tools(flush_bytes: int) -> tuple[TimeOnce, Callable[[], None]]:
    import torch

    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    cache = torch.empty(flush_bytes, dtype=torch.int8, device="cuda")

    def time_once(fn: Callable[[], Any]) -> tuple[float, float]:
        t0 = time.perf_counter()
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()  # the whole device, so work on any stream is waited for
        wall = (time.perf_counter() - t0) * 1e3
        return start.elapsed_time(end), wall

    def flush() -> None:
        cache.zero_()
        torch.cuda.synchronize()

    return time_once, flush


def cpu_tools(flush_bytes: int) -> tuple[TimeOnce, Callable[[], None]]:
    import torch

    cache = torch.empty(flush_bytes, dtype=torch.int8)

    def time_once(fn: Callable[[], Any]) -> tuple[float, float]:
        t0 = time.perf_counter()
        fn()
        ms = (time.perf_counter() - t0) * 1e3
        return ms, ms

    def flush() -> None:
        cache.zero_()

    return time_once, flush


def flags_for(
    candidate: TimingStats, speedup: float | None, review_above: float = 10.0
) -> list[str]:
    """Reasons a human should look before trusting a number."""
    flags = []
    if speedup is not None and speedup > review_above:
        flags.append(f"speedup {speedup:.1f}x > {review_above:g}x: review for skipped work")
    if candidate.wall_median_ms > 2 * candidate.median_ms + 0.1:
        flags.append(
            f"host wall {candidate.wall_median_ms:.3f} ms >> event {candidate.median_ms:.3f} ms: "
            "work outside the timed stream, or launch-bound"
        )
    if candidate.median_ms > 0 and candidate.iqr_ms / candidate.median_ms > 0.2:
        flags.append(f"noisy: IQR {candidate.iqr_ms / candidate.median_ms:.0%} of the median")
    return flags
