"""Pytest node ids: one sample is the sum of the selected tests' call phases, in a fresh
pytest process, measured by the standalone plugin. Real pytest runs in tiny workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.measure import WorkloadError, WorkloadRunner, reference_output
from evaluation.workloads import workload_from_bench
from sandbox.local import LocalSandbox

# Keep each pytest start fast: the test environment's heavy plugins are not needed here.
PYTEST_INI = "[pytest]\naddopts = -p no:langsmith_plugin -p no:anyio\n"
TESTS = """import time

import pytest


@pytest.fixture
def big_input():
    time.sleep(0.3)  # setup: not timed
    return list(range(1000))


def test_work(big_input):
    time.sleep(0.05)  # call phase: timed
    assert sum(big_input) == 499500


def test_broken():
    assert 1 == 2


def test_instant():
    pass


def test_hangs():
    time.sleep(30)
"""


def workspace(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_w.py").write_text(TESTS)
    (root / "pytest.ini").write_text(PYTEST_INI)
    return root


def runner(root: Path, spec: str, timeout: float = 60) -> WorkloadRunner:
    return WorkloadRunner(LocalSandbox(), workload_from_bench(spec, timeout), root)


def left_over(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name not in {"tests", "pytest.ini"})


def test_sample_is_the_call_phase_only(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    run = runner(root, "tests/test_w.py::test_work")
    sample = run.sample()
    assert 0.05 <= sample.seconds < 0.3  # the fixture's 0.3 s of setup is not in it
    assert sample.per_test == {"tests/test_w.py::test_work": sample.seconds}
    assert sample.process.wall_seconds > 0.35  # ...though the process did spend it
    assert run.last == sample and sample.digest
    assert left_over(root) == []


def test_output_digest_is_the_outcomes_and_is_stable(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    assert reference_output(runner(root, "tests/test_w.py::test_work")) is not None


def test_a_failing_selected_test_is_named(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    with pytest.raises(WorkloadError, match=r"tests/test_w.py::test_broken failed"):
        runner(root, "tests/test_w.py::test_work tests/test_w.py::test_broken").seconds()
    assert left_over(root) == []


def test_unknown_node_id_says_not_found(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    with pytest.raises(WorkloadError, match="not found"):
        runner(root, "tests/test_w.py::test_missing").seconds()


def test_collection_error_is_reported(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "tests" / "test_bad.py").write_text(
        "import no_such_module_x\n\ndef test_x():\n    pass\n"
    )
    with pytest.raises(WorkloadError, match=r"cannot collect.*no_such_module_x"):
        runner(root, "tests/test_bad.py::test_x").seconds()


def test_tests_under_one_millisecond_are_refused_as_a_reference(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    instant = runner(root, "tests/test_w.py::test_instant")
    with pytest.raises(WorkloadError, match="under 1 ms in their call phase"):
        reference_output(instant)
    # A candidate that gets there is timed: that is a speedup, not bad input.
    assert instant.seconds() > 0


def test_a_hanging_test_is_a_timeout(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    with pytest.raises(WorkloadError, match=r"timed out after 1.5s"):
        runner(root, "tests/test_w.py::test_hangs", timeout=1.5).seconds()
    assert left_over(root) == []
