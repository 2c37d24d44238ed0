"""One A/B comparison end to end: cold-run guards, the output check, the timing, and
optionally instruction counts. Used by `perfsmith compare` and by the optimize loop."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evaluation.coldrun import ColdRunGuard
from evaluation.compare import SamplingPolicy
from evaluation.instructions import InstructionCount, count_instructions
from evaluation.measure import (
    OutputCheck,
    WorkloadRunner,
    check_output,
    measure_speed,
    reference_output,
)
from evaluation.pinning import free_core
from evaluation.records import SpeedVerdict
from evaluation.workloads import Sample


class GuardedRunner(WorkloadRunner):
    """A workload runner whose every run starts from the workspace's original files."""

    def __init__(self, runner: WorkloadRunner, pristine: Path) -> None:
        super().__init__(runner.sandbox, runner.workload, runner.workspace, runner.loops)
        self.guard = ColdRunGuard(self.workspace, pristine)
        self.left_behind: set[str] = set()

    def _take(self, loops: int) -> Sample:
        try:
            return super()._take(loops)
        finally:
            self.left_behind.update(self.guard.restore())

    def close(self) -> None:
        self.guard.close()


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    output: OutputCheck
    verdict: SpeedVerdict | None  # None when the outputs differ: that is a correctness failure
    instructions_a: InstructionCount | None = None
    instructions_b: InstructionCount | None = None
    notes: list[str] = []


def run_comparison(
    a: WorkloadRunner,
    b: WorkloadRunner,
    policy: SamplingPolicy,
    scratch: Path,
    instructions: bool = False,
    cold_run: bool = True,
    pin: bool = True,
) -> Comparison:
    """Is B faster than A? Raises WorkloadError when either side fails to run.
    With cold_run off (commands run in the user's own directory) files are never restored.
    With pin, both sides' runs are pinned to a core that is idle when the comparison starts."""
    core = free_core() if pin else None
    if core is not None:
        a, b = _pinned(a, core), _pinned(b, core)
    guarded_a = GuardedRunner(a, scratch / "pristine-a") if cold_run else None
    guarded_b = GuardedRunner(b, scratch / "pristine-b") if cold_run else None
    run_a, run_b = guarded_a or a, guarded_b or b
    try:
        output = check_output(reference_output(run_a), run_b)
        if not output.same:
            return Comparison(output=output, verdict=None, notes=[output.detail])
        verdict = measure_speed(run_a, run_b, policy)
        notes = [output.detail] if not output.deterministic else []
        if not cold_run:
            notes.append("commands ran in place: the cold-run guard was off")
        if core is not None:
            notes.append(f"timed runs pinned to CPU {core}, idle when the comparison started")
        left = sorted(
            (guarded_a.left_behind | guarded_b.left_behind) if guarded_a and guarded_b else []
        )
        if left:
            shown = ", ".join(left[:3]) + (" …" if len(left) > 3 else "")
            notes.append(
                f"the workload writes files ({shown}); each sample started from the original files"
            )
        counts = (
            (
                count_instructions(a.sandbox, a.workload.command, a.workspace),
                count_instructions(b.sandbox, b.workload.command, b.workspace),
            )
            if instructions
            else (None, None)
        )
        return Comparison(
            output=output,
            verdict=verdict,
            instructions_a=counts[0],
            instructions_b=counts[1],
            notes=notes,
        )
    finally:
        for guard in (guarded_a, guarded_b):
            if guard is not None:
                guard.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _pinned(runner: WorkloadRunner, core: int) -> WorkloadRunner:
    workload = runner.workload.model_copy(update={"cpus": (core,)})
    return WorkloadRunner(runner.sandbox, workload, runner.workspace, runner.loops)
