"""Sample a workspace's workload with py-spy, through the sandbox, and keep the stacks.

The optimize loop's profiles keep only the hotspot table, not the stacks a flamegraph needs, so
`perfsmith pr` samples the base and the patched code once more. It runs py-spy the way
`profilers.pyspy` does (its launcher, so py-spy attaches at once and the exit status is kept),
but keeps every stack; samples of perfsmith's own harness are dropped as attribution drops them.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from profilers.attribution import Place, RepoFiles, samples_from_speedscope
from profilers.errors import ProfilerUnavailable, tail, workload_failure
from profilers.flamegraph import Stacks, frame_label, parse_folded, to_folded
from profilers.pyspy import LAUNCHER
from sandbox.api import Limits, Sandbox, Workload
from sandbox.workspace import SCRATCH_DIR, scratch_folder

RATE = 200  # samples per second, as the optimize loop's py-spy profiles
MIN_SAMPLES = 200
MAX_RUNS = 5
PROCESS = re.compile(r'process \d+:"(.*)"', re.DOTALL)  # py-spy's frame for a process
LIBRARY_ROOTS = re.compile(r".*/(?:site-packages|dist-packages|lib/python\d+\.\d+)/")


class Sampled(BaseModel):
    """The workload's stacks over one or more runs, as collapsed-stack text (see
    profilers/flamegraph.py), which other flamegraph tools read too."""

    model_config = ConfigDict(frozen=True)

    rate: int  # samples per second
    runs: int = 1
    wall_seconds: float  # of all runs together
    folded: str

    @property
    def stacks(self) -> Stacks:
        return parse_folded(self.folded)


def sample_stacks(
    workload: Workload, workspace: Path, sandbox: Sandbox, rate: int = RATE
) -> Sampled:
    """The workload's stacks in `workspace`, run again (up to MAX_RUNS) until MIN_SAMPLES are
    taken: py-spy finds a child process only after up to 100 ms, so a short workload gives few
    samples per run. ProfilerUnavailable or WorkloadFailed when it cannot be sampled."""
    stacks, seconds, runs = Stacks(), 0.0, 0
    while runs < MAX_RUNS and sum(stacks.values()) < MIN_SAMPLES:
        more, wall = sample_once(workload, workspace.resolve(), sandbox, rate)
        stacks, seconds, runs = stacks + more, seconds + wall, runs + 1
    return Sampled(rate=rate, runs=runs, wall_seconds=seconds, folded=to_folded(stacks))


def sample_once(
    workload: Workload, workspace: Path, sandbox: Sandbox, rate: int
) -> tuple[Stacks, float]:
    pyspy = find_pyspy()
    with scratch_folder(workspace, prefix="flame-") as scratch:
        (scratch / "launch.py").write_text(LAUNCHER)
        rel = scratch.relative_to(workspace)  # relative: holds however the sandbox mounts it
        command = shlex.join([pyspy, "record", "-o", str(rel / "stacks.json"), "-f", "speedscope",
                              "-r", str(rate), "--subprocesses", "--", sys.executable, "-I", "-S",
                              str(rel / "launch.py"), workload.command, str(rel / "status")])  # fmt: skip
        limits = Limits(wall_seconds=workload.timeout_seconds)
        result = sandbox.run(command, workspace, limits=limits)
        status_file = scratch / "status"
        status_text = status_file.read_text().strip() if status_file.is_file() else ""
        status = int(status_text) if status_text else None
        if result.ending == "timeout" or (status is not None and status != 0):
            raise workload_failure(result, status)
        if result.returncode != 0 or status is None or not (scratch / "stacks.json").is_file():
            raise ProfilerUnavailable(f"py-spy {result.describe()}: {tail(result.stderr, 5)}")
        doc = json.loads((scratch / "stacks.json").read_text())
    return collapse(doc, workspace), result.wall_seconds


def collapse(doc: Mapping[str, Any], workspace: Path) -> Stacks:
    """A speedscope document's samples as stacks of `function (file)` frames; line numbers are
    dropped so every sample of a function lands in one frame. py-spy's `process PID:"COMMAND"`
    frames (with --subprocesses) become one root frame, the workload's process without its pid,
    so two runs' graphs line up; the launcher's and the shell's are left out, and so are samples
    of the launcher itself."""
    files = RepoFiles(workspace)
    stacks: Stacks = Stacks()
    for sample in samples_from_speedscope(doc):
        places = [files.place(f.file) for f in sample.frames]
        if any(place is Place.HARNESS for place, _ in places):
            continue  # the launcher waiting for the workload, not the workload
        process, frames = "", []
        for frame, (_, rel) in zip(sample.frames, places, strict=True):
            if not frame.file and (found := PROCESS.fullmatch(frame.name)):
                process = found[1]  # the innermost process is the one the frames below run in
            else:
                where = f" ({rel or short_file(frame.file)})" if frame.file else ""
                frames.append(frame_label(frame.name + where))
        if f"{SCRATCH_DIR}/" in process:
            continue  # the launcher itself, before py-spy found the workload's process
        stack = ([frame_label(f"process: {process}")] if process else []) + frames
        if stack:
            stacks[tuple(stack)] += sample.weight
    return stacks


def short_file(file: str) -> str:
    """A library file by its import path (`json/decoder.py`), not the interpreter's folders."""
    return LIBRARY_ROOTS.sub("", file) if LIBRARY_ROOTS.match(file) else file


def find_pyspy() -> str:
    """py-spy next to this interpreter (installed with perfsmith), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.is_file() else shutil.which("py-spy")
    if found is None:
        raise ProfilerUnavailable("py-spy executable not found")
    return str(Path(found).absolute())
