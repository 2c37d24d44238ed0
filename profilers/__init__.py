"""Turn a workload into a ranked table of the repository's hottest functions."""

from profilers.api import Hotspot, LineSamples, Profile, Profiler
from profilers.cprofile import CProfileProfiler
from profilers.errors import ProfilerUnavailable, WorkloadFailed
from profilers.pyspy import PySpyProfiler
from profilers.registry import AutoProfiler, get_profiler

__all__ = [
    "AutoProfiler",
    "CProfileProfiler",
    "Hotspot",
    "LineSamples",
    "Profile",
    "Profiler",
    "ProfilerUnavailable",
    "PySpyProfiler",
    "WorkloadFailed",
    "get_profiler",
]
