"""A function, timed in fresh worker processes the way pyperf does it.

Spec: `package.module:function`, or `package.module:function@package.module:setup` where the
setup runs once per process, outside the timed region, and its return value (unless None) is
passed to the function as its single argument. Attributes may be dotted (`mod:Class.method`).
Modules are imported from the workspace root.

Each sample is one worker process (perfsmith_worker.py, copied into the workspace's scratch
folder like the pytest plugin): setup, one warm-up call, then `loops` calls timed together;
the sample is the seconds per call. The loop count is calibrated once per comparison
(doubling until one timed run takes at least 50 ms, so timer resolution and per-process noise
stay small) and the same count is used for every sample of both sides, so A and B time the
same number of calls in the same way (evaluation/measure.py: calibrate_together).

The output is repr() of the last return value. Its limits: a value whose repr shows a memory
address (`<Foo object at 0x...>`) cannot be checked and is treated as such; a value whose repr
hides state (a class without __repr__ that holds data, say) is checked only as far as its
repr goes; the function's stdout and mutations of the setup's value are not compared.

Why not pyperf itself: its Runner re-executes the benchmark script to spawn its own workers,
takes many values per process and runs its own statistics, while perfsmith's comparison needs
exactly one value per fresh process, through the sandbox, interleaved with the other side;
pyperf's single-worker mode is an internal command line, and its bench_func discards return
values, which the output check needs. The method (fresh workers, calibrated loops, warm-up,
perf_counter) is pyperf's.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from evaluation.workloads.base import (
    Sample,
    WorkloadError,
    failure,
    install_script,
    run_checked,
)
from sandbox.api import Sandbox, Workload
from sandbox.workspace import scratch_folder

WORKER = "perfsmith_worker.py"
MARKER = "perfsmith-worker: "  # as in perfsmith_worker.py
MIN_SAMPLE_SECONDS = 0.05  # calibration target for one sample
_REF = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
SPEC = re.compile(rf"(?P<target>{_REF})(?:@(?P<setup>{_REF}))?")

# What profilers run (and what instruction counts count): the setup, then one call.
RUN_ONCE_CODE = """\
import importlib
def load(ref):
    module, _, attr = ref.partition(':')
    obj = importlib.import_module(module)
    for name in attr.split('.'):
        obj = getattr(obj, name)
    return obj
value = load({setup!r})() if {setup!r} else None
load({target!r})(*(() if value is None else (value,)))
"""


def parse_callable(spec: str) -> tuple[str, str] | None:
    """(target, setup or "") when `spec` names a callable, else None."""
    match = SPEC.fullmatch(spec.strip())
    return (match["target"], match["setup"] or "") if match else None


def callable_command(spec: str) -> str:
    """A shell command that runs the setup and one call (python -c: nothing to install).
    A call much shorter than a profiler's sampling interval gives it little to see."""
    parsed = parse_callable(spec)
    if parsed is None:
        raise ValueError(f"not a callable spec: {spec!r}")
    target, setup = parsed
    code = RUN_ONCE_CODE.format(target=target, setup=setup)
    return f"python -c {shlex.quote(code)}"


def sample_callable(sandbox: Sandbox, workload: Workload, workspace: Path, loops: int) -> Sample:
    """One worker process timing `loops` calls; `loops` 0 calibrates the count first (the
    sample's `loops` says which count it chose)."""
    parsed = parse_callable(workload.spec)
    if parsed is None:
        raise WorkloadError(f"not a callable spec: {workload.spec!r} (use package.module:function)")
    target, setup = parsed
    with scratch_folder(workspace, prefix="sample-") as scratch:
        worker = install_script(WORKER, scratch).relative_to(workspace)
        argv = ["python", str(worker), target, setup, str(loops), repr(MIN_SAMPLE_SECONDS)]
        result = run_checked(sandbox, workload, shlex.join(argv), workspace)
    if not result.ok:
        raise failure(result)
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise WorkloadError(f"callable worker printed no result: {result.stdout[-200:]!r}")
    doc = json.loads(lines[-1].removeprefix(MARKER))
    return Sample(
        seconds=float(doc["seconds_per_call"]),
        digest=doc["result_digest"],
        loops=int(doc["loops"]),
        process=result,
    )
