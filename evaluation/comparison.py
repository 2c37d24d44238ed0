"""One A/B comparison end to end: cold-run guards, the output check, the timing, and
optionally instruction counts. Used by `perfsmith compare` and by the optimize loop."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from evaluation.coldrun import ColdRunGuard
from evaluation.compare import SamplingPolicy, compare
from evaluation.instructions import InstructionCount, count_instructions
from evaluation.measure import OutputCheck, WorkloadRunner, check_output, reference_output
from evaluation.records import SpeedVerdict
from sandbox.api import RunResult


class Runner(Protocol):
    def run(self) -> RunResult: ...

    def seconds(self) -> float: ...


class GuardedRunner:
    """A workload runner whose every run starts from the workspace's original files."""

    def __init__(self, runner: WorkloadRunner, scratch: Path) -> None:
        self.runner = runner
        self.guard = ColdRunGuard(runner.workspace, scratch)
        self.left_behind: set[str] = set()

    def run(self) -> RunResult:
        try:
            return self.runner.run()
        finally:
            self.left_behind.update(self.guard.restore())

    def seconds(self) -> float:
        try:
            return self.runner.seconds()
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


def run_comparison(a: WorkloadRunner, b: WorkloadRunner, policy: SamplingPolicy, scratch: Path,
                   instructions: bool = False, cold_run: bool = True) -> Comparison:
    """Is B faster than A? Raises WorkloadError when either side fails to run.
    With cold_run off (commands run in the user's own directory) files are never restored."""
    guarded_a = GuardedRunner(a, scratch / "pristine-a") if cold_run else None
    guarded_b = GuardedRunner(b, scratch / "pristine-b") if cold_run else None
    run_a: Runner = guarded_a or a
    run_b: Runner = guarded_b or b
    try:
        output = check_output(reference_output(run_a), run_b)  # type: ignore[arg-type]
        if not output.same:
            return Comparison(output=output, verdict=None, notes=[output.detail])
        verdict = compare(run_a.seconds, run_b.seconds, policy)
        notes = [output.detail] if not output.deterministic else []
        if not cold_run:
            notes.append("commands ran in place: the cold-run guard was off")
        left = sorted((guarded_a.left_behind | guarded_b.left_behind) if guarded_a and guarded_b else [])
        if left:
            shown = ", ".join(left[:3]) + (" …" if len(left) > 3 else "")
            notes.append(f"the workload writes files ({shown}); each sample started from the original files")
        counts = (count_instructions(a.sandbox, a.workload.command, a.workspace),
                  count_instructions(b.sandbox, b.workload.command, b.workspace)) if instructions else (None, None)
        return Comparison(output=output, verdict=verdict, instructions_a=counts[0], instructions_b=counts[1],
                          notes=notes)
    finally:
        for guard in (guarded_a, guarded_b):
            if guard is not None:
                guard.close()
        shutil.rmtree(scratch, ignore_errors=True)
