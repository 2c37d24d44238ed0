"""Profile any shell command that starts Python processes with cProfile (the fallback).

A `sitecustomize.py` in a scratch folder, put first on PYTHONPATH, turns cProfile on when each
Python process starts and dumps its stats at exit, one file per pid. The dumps are merged and
mapped to repository functions like py-spy's samples. Limits: only each process's main thread
is profiled; processes that skip site or PYTHONPATH (-S, -E, -I) or leave through os._exit
(forked multiprocessing workers) are not recorded; cProfile knows no lines, so `lines` is empty.

One "sample" here is one microsecond of profiled time. Self time is a function's own time plus
the time of the library functions it called (shared out among callers by their time in them,
as with py-spy's samples); total time is its cumulative time. Torch time is the part of self time
that flowed up from PyTorch's functions (see torch_frames.py).
"""

from __future__ import annotations

import os
import pstats
from collections import defaultdict
from pathlib import Path

from profilers.api import Profile
from profilers.attribution import Functions, Tally, rank
from profilers.errors import ProfilerUnavailable, workload_failure
from profilers.torch_frames import is_torch_frame
from sandbox.api import Limits, Sandbox, Workload
from sandbox.workspace import scratch_folder

DUMPS_ENV = "PERFSMITH_CPROFILE_DIR"
SITECUSTOMIZE = '''\
"""perfsmith: profile this process with cProfile and dump the stats at exit (pid in the name)."""
import atexit
import cProfile
import importlib.machinery
import importlib.util
import os
import sys


def _start():
    profiler = cProfile.Profile()
    pid = os.getpid()

    def dump():
        if os.getpid() == pid:  # a forked child inherits this hook but dumps its own profile
            profiler.disable()
            profiler.dump_stats(os.path.join(os.environ["PERFSMITH_CPROFILE_DIR"], f"{pid}.prof"))

    atexit.register(dump)
    profiler.enable()


def _run_shadowed_sitecustomize():
    """Keep the interpreter's own sitecustomize (which this file hides) working."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


_run_shadowed_sitecustomize()
if os.environ.get("PERFSMITH_CPROFILE_DIR"):
    os.register_at_fork(after_in_child=_start)
    _start()
'''
MICROSECONDS = 1_000_000
MAX_ROUNDS = 10_000
SETTLED_SECONDS = 1e-9  # less than a sample: not worth another round

# pstats: (file, line, name) -> (primitive calls, calls, tottime, cumtime, callers), where
# callers maps a caller to (calls, primitive calls, tottime, cumtime) of the calls it made.
Key = tuple[str, int, str]
Stats = dict[Key, tuple[int, int, float, float, dict[Key, tuple[int, int, float, float]]]]


class CProfileProfiler:
    name = "cprofile"

    def profile(self, workload: Workload, workspace: Path, sandbox: Sandbox) -> Profile:
        workspace = workspace.resolve()
        with scratch_folder(workspace) as scratch:
            (scratch / "sitecustomize.py").write_text(SITECUSTOMIZE)
            dumps = scratch / "dumps"
            dumps.mkdir()
            # Absolute paths: workload processes may change directory.
            pythonpath = [str(scratch), *filter(None, [os.environ.get("PYTHONPATH")])]
            env = {"PYTHONPATH": os.pathsep.join(pythonpath), DUMPS_ENV: str(dumps)}
            limits = Limits(wall_seconds=workload.timeout_seconds)
            result = sandbox.run(workload.command, workspace, env=env, limits=limits)
            if not result.ok:
                raise workload_failure(result)
            files = sorted(str(f) for f in dumps.glob("*.prof"))
            if not files:
                raise ProfilerUnavailable(
                    "no Python process of the workload wrote a cProfile dump "
                    "(does it start Python with site and PYTHONPATH enabled?)"
                )
            stats: Stats = pstats.Stats(*files).stats  # type: ignore[attr-defined]  # not in typeshed
        return profile_from_pstats(stats, workspace, wall_seconds=result.wall_seconds)


def profile_from_pstats(stats: Stats, workspace: Path, wall_seconds: float = 0.0) -> Profile:
    functions = Functions(workspace)
    tallies = {key: functions.tally(key[0], key[1], key[2]) for key in stats}
    self_time = _self_time(stats, tallies)
    torch_keys = [k for k, t in tallies.items() if t is None and is_torch_frame(k[0], k[2])]
    torch_time = _self_time(stats, tallies, origins=torch_keys)
    total_time = _total_time(stats, tallies)
    for key, tally in tallies.items():
        if tally is None:
            continue
        for caller in stats[key][4]:
            caller_tally = tallies.get(caller)
            if caller_tally is not None and caller_tally is not tally:
                tally.callers.add(caller_tally.key)
                caller_tally.callees.add(tally.key)
    for tally in functions.tallies.values():
        tally.self_samples = _us(self_time[tally.key])
        tally.torch_samples = min(tally.self_samples, _us(torch_time[tally.key]))
        tally.total_samples = _us(total_time[tally.key])
    workload = _us(sum(entry[2] for entry in stats.values()))
    return Profile(
        profiler="cprofile",
        total_samples=workload,
        wall_seconds=wall_seconds,
        hotspots=rank(functions.tallies.values(), workload),
        notes=["cProfile: a sample is one microsecond of profiled time; no per-line data"],
    )


def _self_time(
    stats: Stats, tallies: dict[Key, Tally | None], origins: list[Key] | None = None
) -> dict[str, float]:
    """Own time per repository function, plus the time of library code charged to it; with
    `origins`, only the time that starts in those (library) functions.

    Library time flows up the call graph to callers, split by the time each caller spent in
    the callee, until it reaches a repository function; time that reaches a root outside the
    repository stays unattributed. Flowing in rounds settles cycles among library functions."""
    charged: dict[str, float] = defaultdict(float)
    starts = stats if origins is None else origins
    flowing = {key: stats[key][2] for key in starts}
    for _ in range(MAX_ROUNDS):
        moved: dict[Key, float] = defaultdict(float)
        for key, seconds in flowing.items():
            tally = tallies[key]
            if tally is not None:
                charged[tally.key] += seconds
                continue
            callers = {
                c: v[3] for c, v in stats[key][4].items() if v[3] > 0 and c in stats and c != key
            }
            weight = sum(callers.values())
            for caller, cumtime in callers.items():
                moved[caller] += seconds * cumtime / weight
        flowing = {key: seconds for key, seconds in moved.items() if seconds > SETTLED_SECONDS}
        if not flowing:
            break
    return charged


def _total_time(stats: Stats, tallies: dict[Key, Tally | None]) -> dict[str, float]:
    """Cumulative time per repository function, counting only calls from outside it (a
    comprehension or recursive call inside the function is already part of its time)."""
    total: dict[str, float] = defaultdict(float)
    for key, (_, _, _, cumtime, callers) in stats.items():
        tally = tallies[key]
        if tally is None:
            continue
        if not callers:
            total[tally.key] += cumtime
        for caller, (_, _, _, caller_cumtime) in callers.items():
            if tallies.get(caller) is not tally:
                total[tally.key] += caller_cumtime
    return total


def _us(seconds: float) -> int:
    return round(seconds * MICROSECONDS)
