"""Run a suite on a Ray cluster without corrupting timings.

Each task is two Ray tasks. Stage 1 (set-up, solve, tests) asks for one CPU, so a node runs
as many as it has cores. Stage 2 (timing) asks for the custom resource "timing": 1 and runs
on the node that ran stage 1 (its files are there): each node offers one "timing", so no two
tasks are timed on a node at once. Inside, the node-wide flock (timing.py) also keeps stage
2 clear of any other perfsmith on the machine, and a solver that times code itself (perfsmith)
holds "timing" for its stage 1 too.

Nodes must offer the resource: `ray start ... --resources '{"timing": 1}'`; `--ray local`
starts a one-node cluster that does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evaluation.suite.pipeline import Pipeline, Staged
from evaluation.suite.records import TaskResult
from evaluation.suite.timing import CorePlan, TimingLock, pinned
from tasks.formats import TaskSpec

TIMING = "timing"


class RayUnavailable(Exception):
    """Ray is not installed, or the cluster cannot time tasks; the message says what to do."""


def run_on_ray(
    pipeline: Pipeline,
    jobs: list[tuple[TaskSpec, int]],
    address: str,
    finished: Callable[[TaskResult], None],
) -> None:
    """Each job (a task and an attempt number) as two Ray tasks; `finished` on the driver."""
    ray = _import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        if address == "local":
            ray.init(resources={TIMING: 1}, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    try:
        if ray.cluster_resources().get(TIMING, 0) < 1:
            raise RayUnavailable(
                f'no node offers the "{TIMING}" resource; start nodes with '
                f"--resources '{{\"{TIMING}\": 1}}'"
            )
        _drive(ray, pipeline, jobs, finished)
    finally:
        if started_here:
            ray.shutdown()


def _drive(
    ray: Any,
    pipeline: Pipeline,
    jobs: list[tuple[TaskSpec, int]],
    finished: Callable[[TaskResult], None],
) -> None:
    first = ray.remote(_stage_one)
    second = ray.remote(_stage_two)
    needs = {"resources": {TIMING: 1}} if pipeline.solver.exclusive else {}
    pending = {
        first.options(num_cpus=1, **needs).remote(pipeline, task, attempt): "one"
        for task, attempt in jobs
    }
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        ref = done[0]
        stage = pending.pop(ref)
        value = ray.get(ref)
        if stage == "one" and isinstance(value[1], Staged):
            node, staged = value
            strategy = ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
                node, soft=False
            )
            options = {"num_cpus": 0, "resources": {TIMING: 1}, "scheduling_strategy": strategy}
            pending[second.options(**options).remote(pipeline, staged)] = "two"
        else:
            finished(value[1] if stage == "one" else value)


def _stage_one(pipeline: Pipeline, task: TaskSpec, attempt: int) -> tuple[str, Staged | TaskResult]:
    import ray

    cores = CorePlan.split()
    with pinned(cores.other):
        # Holding "timing" already keeps this node's other stage 2s away; the flock keeps out
        # anything else on the machine.
        staged = pipeline.stage_one(task, TimingLock().held(), attempt)
    return ray.get_runtime_context().get_node_id(), staged


def _stage_two(pipeline: Pipeline, staged: Staged) -> TaskResult:
    with TimingLock().held(), pinned(CorePlan.split().timing):
        return pipeline.stage_two(staged)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailable("Ray is not installed: pip install 'perfsmith[ray]'") from None
    return ray
