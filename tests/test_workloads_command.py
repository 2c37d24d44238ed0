"""Shell commands: the whole process is the sample and its stdout is the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.measure import WorkloadError, WorkloadRunner, check_output, reference_output
from sandbox.api import Workload
from sandbox.local import LocalSandbox


def runner(root: Path, command: str, timeout: float = 60) -> WorkloadRunner:
    # The plain constructor (kind "command" by default) keeps working.
    return WorkloadRunner(LocalSandbox(), Workload(command=command, timeout_seconds=timeout), root)


def test_a_command_sample_is_its_process(tmp_path: Path) -> None:
    run = runner(tmp_path, "python -c 'print(6 * 7)'")
    sample = run.sample()
    assert sample.seconds == sample.process.wall_seconds > 0 and sample.loops == 1
    assert sample.digest == sample.process.stdout_sha256 == run.output()
    assert run.run().stdout == "42\n"


def test_changed_and_unstable_stdout(tmp_path: Path) -> None:
    reference = reference_output(runner(tmp_path, "echo 1"))
    assert check_output(reference, runner(tmp_path, "echo 1")).same
    assert not check_output(reference, runner(tmp_path, "echo 2")).same
    clock = runner(tmp_path, "python -c 'import time; print(time.perf_counter_ns())'")
    assert reference_output(clock) is None


def test_failure_and_timeout_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(WorkloadError, match=r"exited with status 3: broken bench$"):
        runner(tmp_path, "echo broken bench >&2; exit 3").seconds()
    with pytest.raises(WorkloadError, match=r"^workload timed out after 0.5s$"):
        runner(tmp_path, "sleep 10", timeout=0.5).seconds()
