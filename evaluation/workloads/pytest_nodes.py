"""Pytest node ids, timed per test in the call phase only, as SWE-Perf does.

One sample is one fresh pytest process: the sum of the selected tests' call-phase durations,
as pytest itself measures them. Collection, imports, fixtures (setup and teardown) and
interpreter start-up are not timed, so a fixture that builds a large input does not drown the
code under test. The durations come from a small plugin (perfsmith_timing.py) that runs
inside the user's environment.

Where the plugin lives: it is copied for each sample into a scratch folder inside the
workspace, in a folder of its own (so it shadows none of the user's modules), and found
through PYTHONPATH. The workspace is the one path every sandbox must expose to the run (the
host's perfsmith install is readable under bubblewrap, but a container backend would not see
it), and the result file has to be written there anyway; a copy costs microseconds.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from pydantic import BaseModel, ValidationError

from evaluation.workloads.base import (
    Sample,
    WorkloadError,
    digest_of,
    install_script,
    last_line,
    run_checked,
)
from sandbox.api import RunResult, Sandbox, Workload
from sandbox.workspace import scratch_folder

PYTEST = "python -m pytest -q -p no:cacheprovider"
PLUGIN = "perfsmith_timing"
MIN_SECONDS = 1e-3  # below this the sum is mostly timer and hook overhead
SHOWN = 3  # failing tests named in the error


def pytest_command(node_ids: list[str]) -> str:
    """The plain pytest run of the node ids (what profilers run)."""
    return f"{PYTEST} {shlex.join(node_ids)}"


def sample_pytest(sandbox: Sandbox, workload: Workload, workspace: Path) -> Sample:
    node_ids = shlex.split(workload.spec)
    if not node_ids:
        raise WorkloadError("pytest workload names no tests")
    with scratch_folder(workspace, prefix="sample-") as scratch:
        install_script(f"{PLUGIN}.py", scratch / "plugin")
        # Relative to the workspace (the run's working directory), so they hold wherever the
        # sandbox mounts it; the plugin makes its output path absolute before tests run.
        rel = scratch.relative_to(workspace)
        out = scratch / "timing.json"
        pythonpath = [str(rel / "plugin"), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "PERFSMITH_TIMING_OUT": str(rel / out.name),
        }
        command = f"{PYTEST} -p {PLUGIN} {shlex.join(node_ids)}"
        result = run_checked(sandbox, workload, command, workspace, env=env)
        if not out.is_file():
            raise WorkloadError(
                f"pytest {result.describe()} without timing results: {_tail(result)}"
            )
        try:
            doc = TimingFile.model_validate_json(out.read_text(encoding="utf-8"))
        except ValidationError:
            raise WorkloadError(
                f"pytest {result.describe()} with an unreadable timing file"
            ) from None
    return _sample_from(doc, result)


class TimedTest(BaseModel):
    outcome: str
    call_seconds: float


class TimingFile(BaseModel):
    """What perfsmith_timing.py writes."""

    version: int
    exitstatus: int
    tests: dict[str, TimedTest]
    collect_errors: list[str]


def _sample_from(doc: TimingFile, result: RunResult) -> Sample:
    tests = doc.tests
    if doc.collect_errors:
        raise WorkloadError(f"pytest cannot collect {doc.collect_errors[0]}")
    bad = [
        f"{nodeid} {test.outcome}"
        for nodeid, test in sorted(tests.items())
        if test.outcome != "passed"
    ]
    if bad:
        more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
        raise WorkloadError(f"selected tests do not all pass: {', '.join(bad[:SHOWN])}{more}")
    if not tests:
        raise WorkloadError(f"the node ids select no tests: {_tail(result)}")
    if doc.exitstatus != 0:
        raise WorkloadError(f"pytest {result.describe()}: {_tail(result)}")
    per_test = {nodeid: test.call_seconds for nodeid, test in sorted(tests.items())}
    outcomes = sorted((nodeid, test.outcome) for nodeid, test in tests.items())
    return Sample(
        seconds=sum(per_test.values()),
        digest=digest_of(json.dumps(outcomes)),
        per_test=per_test,
        process=result,
    )


def refuse_untimeable(workload: Workload, sample: Sample) -> None:
    """Refuse to time a pytest workload under MIN_SECONDS (checked on the reference side only:
    a candidate that gets there is a fine result). Commands are never that fast, and
    callables calibrate their loop count."""
    if workload.kind == "pytest" and sample.seconds < MIN_SECONDS:
        raise WorkloadError(
            "selected tests take under 1 ms in their call phase; time a larger workload"
        )


def _tail(result: RunResult) -> str:
    """Pytest's own "ERROR: ..." line when there is one (usage errors, node ids not found),
    else the last line of its output."""
    lines = (result.stderr + "\n" + result.stdout).splitlines()
    errors = [line.strip() for line in lines if line.startswith("ERROR")]
    if errors:
        return errors[-1][:200]
    return last_line(result.stderr) if result.stderr.strip() else last_line(result.stdout)
