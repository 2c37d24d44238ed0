"""One workload that stands for all of a task's workloads, for a solver that optimizes a
single workload (perfsmith's optimize loop takes one `bench`).

Evaluation still times every workload on its own and takes the geometric mean (GSO's task
speedup); only the solver sees the combination. A lone workload is passed as it is, so it
keeps its kind (pytest call phases, calls of a function). Several become one shell command
that runs each in turn in a subshell and fails when any fails: the profile covers them all,
and a candidate is judged on their summed time, so a long workload weighs more than a short
one, where the geometric mean weighs them alike. Each part is the workload's own command
(pytest node ids become a pytest run, `module:function` a `python -c` call), timed as a
whole process."""

from __future__ import annotations

from collections.abc import Sequence

from evaluation.workloads import workload_from_bench
from tasks.formats import WorkloadSpec


def combined_workload(workloads: Sequence[WorkloadSpec]) -> WorkloadSpec:
    if not workloads:
        raise ValueError("a task needs at least one workload")
    if len(workloads) == 1:
        return workloads[0]
    # A part on lines of its own: a trailing `# comment` cannot swallow the ")", and the
    # words stay whole for the code that finds the workload's files (its scripts are then
    # protected from edits and shown to the proposer as for one workload).
    parts = [f"(\n{workload_from_bench(w.bench, w.timeout).command}\n)" for w in workloads]
    return WorkloadSpec(
        name="+".join(w.name for w in workloads),
        bench=" && ".join(parts),
        timeout=sum(w.timeout for w in workloads),
    )
