"""Profilers by name, and "auto": py-spy, falling back to cProfile when py-spy cannot run."""

from __future__ import annotations

import importlib
from pathlib import Path

from profilers.api import Profile, Profiler
from profilers.cprofile import CProfileProfiler
from profilers.errors import ProfilerUnavailable
from profilers.pyspy import PySpyProfiler
from sandbox.api import Sandbox, Workload


class AutoProfiler:
    """Samples with py-spy; when py-spy is missing or produces no profile, uses cProfile and
    says so in the profile's notes. A failing workload is not retried."""

    name = "auto"

    def __init__(self, primary: Profiler | None = None, fallback: Profiler | None = None) -> None:
        self.primary = primary or PySpyProfiler()
        self.fallback = fallback or CProfileProfiler()

    def profile(self, workload: Workload, workspace: Path, sandbox: Sandbox) -> Profile:
        try:
            return self.primary.profile(workload, workspace, sandbox)
        except ProfilerUnavailable as exc:
            note = f"{self.primary.name} could not run ({exc.reason}); fell back to {self.fallback.name}"
        profile = self.fallback.profile(workload, workspace, sandbox)
        return profile.model_copy(update={"notes": [note, *profile.notes]})


PROFILERS: dict[str, type[Profiler]] = {
    "py-spy": PySpyProfiler,
    "cprofile": CProfileProfiler,
    "auto": AutoProfiler,
}


def get_profiler(name: str) -> Profiler:
    """A profiler by short name ("py-spy", "cprofile", "auto") or import path "pkg.mod:Class"."""
    if name in PROFILERS:
        return PROFILERS[name]()
    if ":" not in name:
        raise ValueError(
            f"unknown profiler {name!r}: use one of {sorted(PROFILERS)} or 'pkg.mod:Class'"
        )
    module, _, attribute = name.partition(":")
    factory = getattr(importlib.import_module(module), attribute)
    profiler: Profiler = factory()
    return profiler
