"""Profile a workload by sampling it with py-spy, run through the sandbox.

py-spy starts the workload as its own child, so it needs no extra ptrace rights (it works as
root inside bubblewrap's PID namespace). Two details of py-spy shape how it is started:

- It does not report the workload's exit status (it exits 0 when the workload fails).
- With `--subprocesses` and a root process that is not Python (`sh -c CMD`), it looks for
  Python children only during its first ~1.5 s, then fails with "No python processes found in
  process N or any of its subprocesses" and kills the workload. Verified inside bubblewrap:
  `sleep 3; python bench.py` fails that way, and so does a workload that ends before py-spy
  attaches (outside bubblewrap the latter gives 0 samples instead).

So the root process is a small Python launcher in the scratch folder: py-spy attaches to it at
once and keeps watching for Python descendants (every 100 ms, so the first moments of each
child can go unsampled) for as long as it runs; it runs the workload with /bin/sh and writes
its exit status to a file. The launcher's own samples are dropped by attribution (its file
lives in the scratch folder).

`native` adds py-spy's `--native` C/C++ frames. PyTorch does its work in native code that plain
py-spy cannot see, so by default (None) native frames are on exactly when the repository imports
torch; where py-spy cannot unwind native stacks it fails and "auto" falls back to cProfile.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path

from profilers.api import Profile
from profilers.attribution import NOT_REPO_DIRS, profile_from_speedscope
from profilers.errors import ProfilerUnavailable, tail, workload_failure
from profilers.torch_frames import imports_torch
from sandbox.api import Limits, RunResult, Sandbox, Workload
from sandbox.workspace import SCRATCH_DIR, scratch_folder

LAUNCHER = '''\
"""perfsmith: run the workload under py-spy and record its exit status, which py-spy drops."""
import subprocess
import sys

status = subprocess.call(["/bin/sh", "-c", sys.argv[1]])
with open(sys.argv[2], "w") as out:
    out.write(str(status))
'''
SUMMARY = re.compile(r"Samples: (\d+) Errors: (\d+)")


class PySpyProfiler:
    name = "py-spy"

    def __init__(
        self, rate: int = 200, executable: str | None = None, native: bool | None = None
    ) -> None:
        self.rate = rate
        self.executable = executable
        self.native = native

    def profile(self, workload: Workload, workspace: Path, sandbox: Sandbox) -> Profile:
        pyspy = self._find_executable()
        workspace = workspace.resolve()
        native = self.native
        if native is None:
            native = imports_torch(workspace, NOT_REPO_DIRS | {SCRATCH_DIR})
        with scratch_folder(workspace) as scratch:
            (scratch / "launch.py").write_text(LAUNCHER)
            # Paths relative to the working directory, so they hold however the sandbox
            # mounts the workspace.
            rel = scratch.relative_to(workspace)
            output, status_file = scratch / "profile.json", scratch / "status"
            command = shlex.join(
                [pyspy, "record", "-o", str(rel / "profile.json"), "-f", "speedscope",
                 "-r", str(self.rate), "--subprocesses", *(["--native"] if native else []), "--",
                 # -I -S: the launcher ignores the workload's environment and site hooks.
                 sys.executable, "-I", "-S", str(rel / "launch.py"),
                 workload.command, str(rel / "status")]
            )  # fmt: skip
            result = sandbox.run(
                command, workspace, limits=Limits(wall_seconds=workload.timeout_seconds)
            )
            status = _read_status(status_file)
            if result.ending == "timeout" or (status is not None and status != 0):
                raise workload_failure(result, status)
            if result.returncode != 0 or status is None or not output.is_file():
                raise ProfilerUnavailable(f"py-spy {result.describe()}: {tail(result.stderr, 5)}")
            doc = json.loads(output.read_text())
        profile = profile_from_speedscope(
            doc,
            workspace,
            profiler=self.name,
            wall_seconds=result.wall_seconds,
            notes=_notes(result),
        )
        if not profile.hotspots:
            raise ProfilerUnavailable(
                f"py-spy took {profile.total_samples} samples of the workload, none in "
                "repository code (did it end too soon to sample?)"
            )
        return profile

    def _find_executable(self) -> str:
        """The py-spy given, else the one installed next to this interpreter, else on PATH."""
        if self.executable is not None:
            candidate: str | None = self.executable
        else:
            beside = Path(sys.executable).parent / "py-spy"
            candidate = str(beside) if beside.is_file() else shutil.which("py-spy")
        if candidate is None or not Path(candidate).is_file():
            raise ProfilerUnavailable(f"py-spy executable not found ({candidate or 'not on PATH'})")
        return str(Path(candidate).absolute())


def _read_status(path: Path) -> int | None:
    """The workload's exit status as the launcher wrote it; None when it never finished."""
    text = path.read_text().strip() if path.is_file() else ""
    return int(text) if text else None


def _notes(result: RunResult) -> list[str]:
    summary = SUMMARY.findall(result.stdout)
    errors = int(summary[-1][1]) if summary else 0
    return [f"py-spy reported {errors} sampling errors"] if errors else []
