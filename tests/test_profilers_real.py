"""Real profiles of a tiny repository, through the real local sandbox (bubblewrap when installed)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from profilers import (
    AutoProfiler,
    CProfileProfiler,
    Hotspot,
    Profile,
    Profiler,
    ProfilerUnavailable,
    PySpyProfiler,
    WorkloadFailed,
)
from sandbox.api import Workload
from sandbox.local import LocalSandbox

HOTMOD = """\
def slow_sum(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def quick():
    return sorted(range(1000))
"""
LOOP_LINES = {3, 4}
# About half a second of work: a hundred py-spy samples at 200 Hz.
BENCH = """\
from hotmod import quick, slow_sum

for _ in range(5):
    slow_sum(1_000_000)
quick()
"""
BENCH_WORKLOAD = Workload(command="python bench.py", timeout_seconds=60)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "hotmod.py").write_text(HOTMOD)
    (root / "bench.py").write_text(BENCH)
    before = snapshot(root)
    yield root
    # The workspace is left exactly as it was (bytecode caches are the workload's own).
    assert snapshot(root) == before


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under root with its content (None for folders), bytecode caches aside."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in root.rglob("*")
        if "__pycache__" not in p.parts
    }


@pytest.fixture
def sandbox() -> LocalSandbox:
    sandbox = LocalSandbox()
    assert sandbox.isolate == bool(shutil.which("bwrap"))
    return sandbox


def assert_hot_function_first(profile: Profile) -> Hotspot:
    hot = profile.hotspots[0]
    assert (hot.key, hot.start_line, hot.end_line) == ("hotmod.py::slow_sum", 1, 5)
    assert hot.self_percent > 80
    assert hot.callers == ["bench.py::<module>"]
    return hot


def test_pyspy_ranks_the_hot_function_first(repo: Path, sandbox: LocalSandbox) -> None:
    profile = PySpyProfiler().profile(BENCH_WORKLOAD, repo, sandbox)
    assert profile.profiler == "py-spy" and profile.total_samples > 20
    hot = assert_hot_function_first(profile)
    assert sum(line.samples for line in hot.lines) == hot.total_samples
    busiest = max(hot.lines, key=lambda line: line.samples)
    assert busiest.line in LOOP_LINES
    assert all(hot.start_line <= line.line <= hot.end_line for line in hot.lines)


def test_pyspy_finds_python_started_late_by_a_shell(repo: Path, sandbox: LocalSandbox) -> None:
    # Plain `py-spy record --subprocesses -- sh -c CMD` gives up when no Python process
    # appears within about 1.5 s; the launcher keeps py-spy watching.
    workload = Workload(command="sleep 2 && cd . && python bench.py", timeout_seconds=60)
    profile = PySpyProfiler().profile(workload, repo, sandbox)
    assert_hot_function_first(profile)


def test_cprofile_ranks_the_hot_function_first_across_processes(
    repo: Path, sandbox: LocalSandbox
) -> None:
    workload = Workload(command="python bench.py && python -c 'import hotmod; hotmod.quick()'")
    profile = CProfileProfiler().profile(workload, repo, sandbox)
    assert profile.profiler == "cprofile"
    hot = assert_hot_function_first(profile)
    assert hot.lines == []
    quick = {h.key: h for h in profile.hotspots}["hotmod.py::quick"]
    # Called from bench.py and from the second process's `-c` code (not repository code).
    assert quick.callers == ["bench.py::<module>"] and quick.self_samples > 0


@pytest.mark.parametrize("profiler", [PySpyProfiler(), CProfileProfiler()], ids=lambda p: p.name)
def test_a_failing_workload_raises_workload_failed(
    repo: Path, sandbox: LocalSandbox, profiler: Profiler
) -> None:
    workload = Workload(command="python -c 'import sys; sys.exit(\"broken bench\")'")
    with pytest.raises(WorkloadFailed, match=r"(?s)status 1.*broken bench"):
        profiler.profile(workload, repo, sandbox)


def test_missing_pyspy_is_unavailable(repo: Path, sandbox: LocalSandbox) -> None:
    with pytest.raises(ProfilerUnavailable, match="/nonexistent"):
        PySpyProfiler(executable="/nonexistent").profile(BENCH_WORKLOAD, repo, sandbox)


def test_auto_falls_back_to_cprofile_when_pyspy_cannot_run(
    repo: Path, sandbox: LocalSandbox
) -> None:
    auto = AutoProfiler(primary=PySpyProfiler(executable="/nonexistent"))
    profile = auto.profile(BENCH_WORKLOAD, repo, sandbox)
    assert profile.profiler == "cprofile"
    assert profile.notes[0].startswith("py-spy could not run (py-spy executable not found")
    assert profile.notes[0].endswith("fell back to cprofile")
    assert_hot_function_first(profile)
