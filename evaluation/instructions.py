"""Instruction counts: a low-noise companion to wall time.

`perf stat` is not supported on every machine (it is not on these), so we count with valgrind's
callgrind, which counts instructions executed by every process of the workload regardless of
what else the machine is doing. It is slow (tens of times the run time), so it is opt-in and
explains a verdict; it never decides one.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sandbox.api import Limits, Sandbox
from sandbox.workspace import scratch_folder

TOTALS = re.compile(r"^totals:\s*(\d+)", re.MULTILINE)


class InstructionCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    instructions: int | None
    processes: int
    note: str = ""


def count_instructions(
    sandbox: Sandbox, command: str, workspace: Path, timeout: float = 1800.0
) -> InstructionCount:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return InstructionCount(instructions=None, processes=0, note="valgrind is not installed")
    with scratch_folder(workspace, prefix="callgrind-") as out_dir:
        wrapped = (
            f"{valgrind} --tool=callgrind --trace-children=yes --quiet "
            f"--callgrind-out-file={out_dir}/out.%p -- /bin/sh -c {shlex.quote(command)}"
        )
        result = sandbox.run(
            wrapped, workspace, limits=Limits(wall_seconds=timeout, memory_bytes=None)
        )
        totals = [
            int(m)
            for f in out_dir.glob("out.*")
            for m in TOTALS.findall(f.read_text(errors="replace"))
        ]
    if not result.ok:
        return InstructionCount(
            instructions=None, processes=len(totals), note=f"callgrind run {result.describe()}"
        )
    return InstructionCount(instructions=sum(totals), processes=len(totals))
