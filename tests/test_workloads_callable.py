"""Callables: timed per call in fresh worker processes, pyperf-style, with the setup outside
the timed region and one calibrated loop count shared by both sides of a comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.compare import SamplingPolicy
from evaluation.measure import (
    WorkloadError,
    WorkloadRunner,
    calibrate_together,
    check_output,
    measure_speed,
    reference_output,
)
from evaluation.workloads import workload_from_bench
from sandbox.local import LocalSandbox

MODULE = """import time


def setup():
    time.sleep(0.3)  # once per process, not timed
    return list(range(50))


def total(xs):
    return sum(xs) + OFFSET


def answer():
    return 42


def slow_answer():
    time.sleep(0.02)
    return 42


class Thing:
    pass


def thing():
    return Thing()


def hang():
    time.sleep(30)


OFFSET = 0
"""


def workspace(root: Path, offset: int = 0) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "work.py").write_text(MODULE.replace("OFFSET = 0", f"OFFSET = {offset}"))
    return root


def runner(root: Path, spec: str, timeout: float = 60, loops: int | None = None) -> WorkloadRunner:
    return WorkloadRunner(LocalSandbox(), workload_from_bench(spec, timeout), root, loops=loops)


def test_setup_runs_outside_the_timing_and_loops_are_calibrated(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    run = runner(root, "pkg.work:total@pkg.work:setup")
    sample = run.sample()
    assert 0 < sample.seconds < 0.01  # the setup's 0.3 s is not in a call
    assert sample.loops > 1 and run.loops == sample.loops  # calibrated, then kept
    assert sample.process.wall_seconds > 0.3
    assert sample.digest and [p.name for p in root.iterdir()] == ["pkg"]


def test_given_loops_are_used_and_calibration_is_shared(tmp_path: Path) -> None:
    a = runner(workspace(tmp_path / "a"), "pkg.work:answer", loops=7)
    assert a.sample().loops == 7
    b = runner(workspace(tmp_path / "b"), "pkg.work:slow_answer")
    loops = calibrate_together(a, b)
    # The slower side's count (20 ms or more a call: at most 4 calls to reach 50 ms), not the
    # fast side's millions, which would make every sample of the slow side last hours.
    assert loops <= 4 and a.loops == b.loops == loops
    assert a.sample().loops == loops


def test_measure_speed_calibrates_once_for_both_sides(tmp_path: Path) -> None:
    a = runner(workspace(tmp_path / "a"), "pkg.work:answer")
    b = runner(workspace(tmp_path / "b"), "pkg.work:answer")
    policy = SamplingPolicy(warmup=0, min_pairs=1, max_pairs=1)
    verdict = measure_speed(a, b, policy)
    assert a.loops == b.loops and a.loops is not None and a.loops > 1
    assert a.last is not None and b.last is not None and a.last.loops == b.last.loops == a.loops
    assert all(s > 0 for s in [*verdict.a_samples, *verdict.b_samples])


def test_output_check_catches_a_changed_return_value(tmp_path: Path) -> None:
    base = runner(workspace(tmp_path / "a"), "pkg.work:total@pkg.work:setup")
    same = runner(workspace(tmp_path / "b"), "pkg.work:total@pkg.work:setup")
    changed = runner(workspace(tmp_path / "c", offset=1), "pkg.work:total@pkg.work:setup")
    reference = reference_output(base)
    assert reference is not None
    assert check_output(reference, same).same
    assert not check_output(reference, changed).same


def test_a_repr_with_an_address_cannot_be_checked(tmp_path: Path) -> None:
    run = runner(workspace(tmp_path), "pkg.work:thing")
    assert run.output() is None and reference_output(run) is None


def test_import_errors_and_timeouts_are_workload_errors(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    with pytest.raises(WorkloadError, match=r"ModuleNotFoundError: No module named 'pkg\.nope'"):
        runner(root, "pkg.nope:run").seconds()
    with pytest.raises(WorkloadError, match=r"timed out after 1s"):
        runner(root, "pkg.work:hang", timeout=1).seconds()
    assert [p.name for p in root.iterdir()] == ["pkg"]


def test_the_profiling_command_runs_setup_and_one_call(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "pkg" / "loud.py").write_text(
        "def setup():\n    return 'x'\n\ndef run(arg):\n    print('called with', arg)\n"
    )
    workload = workload_from_bench("pkg.loud:run@pkg.loud:setup")
    result = LocalSandbox().run(workload.command, root)
    assert result.ok and result.stdout == "called with x\n"
