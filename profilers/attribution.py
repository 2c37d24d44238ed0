"""Sampled stacks (speedscope JSON) -> a ranked table of the repository's own functions.

Functions of the profile and of the workspace's source files, which they only read. The rules:

- A frame is in the repository when its file resolves inside the workspace root and not under a
  virtualenv, site-packages or perfsmith's scratch folder there. Relative paths are taken
  relative to the workspace root (the workload's working directory).
- Each sample charges its innermost repository frame with self time: time in libraries, the
  standard library or C below it belongs to the repository line that called them.
- Every distinct repository function on the stack gets total time once per sample, and its
  per-line count goes to the line its innermost occurrence was executing.
- Callers and callees link adjacent repository frames (library frames between them skipped).
- Percentages are of all samples of the workload, including those with no repository frame.
- A sample whose frames below the innermost repository frame include PyTorch's (Python or
  native, see torch_frames.py) also counts as that function's `torch_samples`.
- Samples taken inside perfsmith's own harness (files in the scratch folder) are not the
  workload's and are dropped entirely.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import pairwise
from pathlib import Path
from typing import Any

from profilers.api import Hotspot, LineSamples, Profile
from profilers.source_map import Scope, SourceMap
from profilers.torch_frames import is_torch_frame
from sandbox.workspace import SCRATCH_DIR

# Folders inside a workspace whose code is installed, not written, by the project.
NOT_REPO_DIRS = frozenset(
    {"site-packages", "dist-packages", ".venv", "venv", ".tox", ".nox", "__pypackages__", ".eggs"}
)


@dataclass(frozen=True)
class Frame:
    name: str
    file: str
    line: int


@dataclass(frozen=True)
class Sample:
    frames: tuple[Frame, ...]  # outermost first
    weight: int


class Place(Enum):
    REPO = "repo"
    HARNESS = "harness"
    OUTSIDE = "outside"


class RepoFiles:
    """Decides where a file a profiler reported lives; answers are cached per path string."""

    def __init__(self, workspace: Path) -> None:
        self.root = workspace.resolve()
        self._places: dict[str, tuple[Place, str]] = {}
        self._venvs: dict[Path, bool] = {}

    def place(self, file: str) -> tuple[Place, str]:
        """Where `file` is, and its POSIX path relative to the root when it is in the repo."""
        if file not in self._places:
            self._places[file] = self._classify(file)
        return self._places[file]

    def _classify(self, file: str) -> tuple[Place, str]:
        # "<string>", "<frozen importlib._bootstrap>", and py-spy's process frames ("").
        if not file or file.startswith("<"):
            return Place.OUTSIDE, ""
        path = Path(file)
        path = (path if path.is_absolute() else self.root / path).resolve()
        if not path.is_relative_to(self.root):
            return Place.OUTSIDE, ""
        rel = path.relative_to(self.root)
        if rel.parts[:1] == (SCRATCH_DIR,):
            return Place.HARNESS, ""
        folders = rel.parts[:-1]
        if NOT_REPO_DIRS.intersection(folders) or self._under_virtualenv(rel):
            return Place.OUTSIDE, ""
        if not path.is_file():
            return Place.OUTSIDE, ""
        return Place.REPO, rel.as_posix()

    def _under_virtualenv(self, rel: Path) -> bool:
        """A virtualenv of any name is recognised by the pyvenv.cfg at its top."""
        for parent in rel.parents:
            folder = self.root / parent
            if folder not in self._venvs:
                self._venvs[folder] = parent != Path(".") and (folder / "pyvenv.cfg").is_file()
            if self._venvs[folder]:
                return True
        return False


@dataclass
class Tally:
    """What has been counted so far for one repository function."""

    function: str
    file: str
    start_line: int
    end_line: int
    self_samples: int = 0
    total_samples: int = 0
    torch_samples: int = 0
    lines: Counter[int] = field(default_factory=Counter)
    callers: set[str] = field(default_factory=set)
    callees: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.file}::{self.function}"

    def hotspot(self, workload_samples: int) -> Hotspot:
        def percent(n: int) -> float:
            return 100.0 * n / workload_samples if workload_samples else 0.0

        return Hotspot(
            function=self.function,
            file=self.file,
            start_line=self.start_line,
            end_line=self.end_line,
            self_samples=self.self_samples,
            total_samples=self.total_samples,
            self_percent=percent(self.self_samples),
            total_percent=percent(self.total_samples),
            lines=[LineSamples(line=n, samples=c) for n, c in sorted(self.lines.items())],
            callers=sorted(self.callers),
            callees=sorted(self.callees),
            torch_samples=self.torch_samples,
        )


def rank(tallies: Iterable[Tally], workload_samples: int) -> list[Hotspot]:
    """Hotspots by self samples, then total samples, highest first (key breaks ties)."""
    hotspots = [t.hotspot(workload_samples) for t in tallies]
    return sorted(hotspots, key=lambda h: (-h.self_samples, -h.total_samples, h.key))


class Functions:
    """Repository code locations -> their function's Tally, named and spanned from the source."""

    def __init__(self, workspace: Path, source_map: SourceMap | None = None) -> None:
        self.files = RepoFiles(workspace)
        self.source_map = source_map or SourceMap()
        self.tallies: dict[tuple[str, str], Tally] = {}
        self._found: dict[tuple[str, int, str], Tally | None] = {}

    def in_harness(self, file: str) -> bool:
        return self.files.place(file)[0] is Place.HARNESS

    def tally(self, file: str, line: int, reported_name: str) -> Tally | None:
        """The Tally of the function holding `file:line`; None outside the repository.

        `reported_name` (the profiler's own name) is used only when the file cannot be parsed."""
        where = (file, line, reported_name)
        if where not in self._found:
            self._found[where] = self._lookup(file, line, reported_name)
        return self._found[where]

    def _lookup(self, file: str, line: int, reported_name: str) -> Tally | None:
        place, rel = self.files.place(file)
        if place is not Place.REPO:
            return None
        scope = self.source_map.locate(self.files.root / rel, line)
        scope = scope or Scope(reported_name, line, line)
        if (rel, scope.name) not in self.tallies:
            self.tallies[rel, scope.name] = Tally(scope.name, rel, scope.start_line, scope.end_line)
        return self.tallies[rel, scope.name]


def attribute(
    samples: Iterable[Sample], workspace: Path, source_map: SourceMap | None = None
) -> tuple[list[Hotspot], int]:
    """Ranked hotspots and the workload's sample count (see the module rules)."""
    functions = Functions(workspace, source_map)
    workload_samples = 0
    for sample in samples:
        if any(functions.in_harness(frame.file) for frame in sample.frames):
            continue
        workload_samples += sample.weight
        stack = [(functions.tally(f.file, f.line, f.name), f.line) for f in sample.frames]
        _charge([(tally, line) for tally, line in stack if tally], sample.weight)
        _charge_torch(sample, [tally for tally, _ in stack])
    return rank(functions.tallies.values(), workload_samples), workload_samples


def _charge(repo: Sequence[tuple[Tally, int]], weight: int) -> None:
    """Count one sample's repository frames (outermost first) into their tallies."""
    if not repo:
        return
    repo[-1][0].self_samples += weight
    innermost_line = {tally.key: (tally, line) for tally, line in repo}  # inner frames win
    for tally, line in innermost_line.values():
        tally.total_samples += weight
        tally.lines[line] += weight
    for (outer, _), (inner, _) in pairwise(repo):
        if outer is not inner:
            outer.callees.add(inner.key)
            inner.callers.add(outer.key)


def _charge_torch(sample: Sample, tallies: Sequence[Tally | None]) -> None:
    """Count the sample as torch time of its innermost repository function when any frame
    below that function is PyTorch's."""
    inner = max((i for i, tally in enumerate(tallies) if tally is not None), default=None)
    if inner is None:
        return
    if any(is_torch_frame(f.file, f.name) for f in sample.frames[inner + 1 :]):
        tally = tallies[inner]
        assert tally is not None
        tally.torch_samples += sample.weight


def samples_from_speedscope(doc: Mapping[str, Any]) -> list[Sample]:
    """The samples of every profile (thread, process) in a speedscope "sampled" document.

    Weights become whole sample counts in units of the smallest weight in the file: py-spy
    writes 1/rate seconds per sample, other exporters may write counts."""
    frames = [
        Frame(str(f.get("name", "?")), str(f.get("file") or ""), int(f.get("line") or 0))
        for f in doc["shared"]["frames"]
    ]
    profiles = doc["profiles"]
    for profile in profiles:
        if profile.get("type") != "sampled":
            raise ValueError(
                f"only sampled speedscope profiles are supported, not {profile.get('type')!r}"
            )
    unit = min((w for p in profiles for w in p.get("weights", []) if w > 0), default=1.0)
    samples = []
    for profile in profiles:
        stacks = profile["samples"]
        weights = profile.get("weights") or [unit] * len(stacks)
        for stack, weight in zip(stacks, weights, strict=True):
            count = round(weight / unit)
            if count:
                samples.append(Sample(tuple(frames[i] for i in stack), count))
    return samples


def profile_from_speedscope(
    doc: Mapping[str, Any],
    workspace: Path,
    *,
    profiler: str = "py-spy",
    wall_seconds: float = 0.0,
    notes: Sequence[str] = (),
    source_map: SourceMap | None = None,
) -> Profile:
    hotspots, total = attribute(samples_from_speedscope(doc), workspace, source_map)
    return Profile(
        profiler=profiler,
        total_samples=total,
        wall_seconds=wall_seconds,
        hotspots=hotspots,
        notes=list(notes),
    )
