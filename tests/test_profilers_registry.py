from __future__ import annotations

from pathlib import Path

import pytest

from profilers import (
    AutoProfiler,
    CProfileProfiler,
    Profile,
    ProfilerUnavailable,
    PySpyProfiler,
    WorkloadFailed,
    get_profiler,
)
from sandbox.api import Sandbox, Workload
from sandbox.local import LocalSandbox

WORKLOAD = Workload(command="python bench.py")


class Scripted:
    """A profiler that raises or returns what it is given, and counts its calls."""

    def __init__(self, name: str, outcome: Profile | Exception) -> None:
        self.name = name
        self.outcome = outcome
        self.calls = 0

    def profile(self, workload: Workload, workspace: Path, sandbox: Sandbox) -> Profile:
        self.calls += 1
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


CANNED = Profile(profiler="cprofile", total_samples=1, wall_seconds=0.1, hotspots=[], notes=["own"])


@pytest.mark.parametrize(
    ("name", "kind"),
    [("py-spy", PySpyProfiler), ("cprofile", CProfileProfiler), ("auto", AutoProfiler)],
)
def test_profilers_by_name(name: str, kind: type) -> None:
    profiler = get_profiler(name)
    assert isinstance(profiler, kind) and profiler.name == name


def test_profilers_by_import_path() -> None:
    assert isinstance(get_profiler("profilers.cprofile:CProfileProfiler"), CProfileProfiler)


def test_unknown_profiler_names_the_choices() -> None:
    with pytest.raises(ValueError, match="py-spy"):
        get_profiler("perf")


def test_auto_prefers_its_primary(tmp_path: Path) -> None:
    primary = Scripted("py-spy", CANNED.model_copy(update={"profiler": "py-spy"}))
    fallback = Scripted("cprofile", CANNED)
    profile = AutoProfiler(primary, fallback).profile(WORKLOAD, tmp_path, LocalSandbox())
    assert (profile.profiler, profile.notes, fallback.calls) == ("py-spy", ["own"], 0)


def test_auto_falls_back_and_says_why(tmp_path: Path) -> None:
    primary = Scripted("py-spy", ProfilerUnavailable("no samples"))
    profile = AutoProfiler(primary, Scripted("cprofile", CANNED)).profile(
        WORKLOAD, tmp_path, LocalSandbox()
    )
    assert profile.notes == ["py-spy could not run (no samples); fell back to cprofile", "own"]


def test_auto_does_not_retry_a_failing_workload(tmp_path: Path) -> None:
    fallback = Scripted("cprofile", CANNED)
    auto = AutoProfiler(Scripted("py-spy", WorkloadFailed("exited with status 2")), fallback)
    with pytest.raises(WorkloadFailed):
        auto.profile(WORKLOAD, tmp_path, LocalSandbox())
    assert fallback.calls == 0
