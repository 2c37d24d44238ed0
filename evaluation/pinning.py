"""Pick a core to pin timed runs to, when one is free.

A run that migrates between cores, or shares one with a busy neighbour, is noisier. When a core
sits (nearly) idle we pin every sample of a comparison, both sides, to it; on a machine with no
idle core pinning would only add contention, so we leave scheduling alone.
"""

from __future__ import annotations

import os
import time

IDLE_ENOUGH = 0.8  # share of a short window the core spent idle


def free_core(window_seconds: float = 0.3) -> int | None:
    """The idlest core we may run on, if it was idle at least IDLE_ENOUGH of a short window."""
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        return None  # pinning the only core changes nothing
    before = _cpu_times()
    time.sleep(window_seconds)
    after = _cpu_times()
    best, best_idle = None, 0.0
    for core in sorted(allowed):
        if core not in before or core not in after:
            continue
        (idle0, total0), (idle1, total1) = before[core], after[core]
        if total1 <= total0:
            continue
        share = (idle1 - idle0) / (total1 - total0)
        if share > best_idle:
            best, best_idle = core, share
    return best if best_idle >= IDLE_ENOUGH else None


def _cpu_times() -> dict[int, tuple[int, int]]:
    """core -> (idle ticks, total ticks) from /proc/stat."""
    times: dict[int, tuple[int, int]] = {}
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if name.startswith("cpu") and name != "cpu":
                values = [int(v) for v in fields]
                idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
                times[int(name[3:])] = (idle, sum(values[:8]))
    return times
