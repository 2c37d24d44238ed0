"""Attribution rules, checked on hand-written speedscope documents over a small repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from profilers.api import Hotspot, LineSamples, Profile
from profilers.attribution import profile_from_speedscope, samples_from_speedscope
from profilers.cprofile import Stats, profile_from_pstats

CORE = """\
import json


class Catalog:
    def lookup(self, items, key):
        for item in items:
            if item == key:
                return item
        return None


def outer():
    def inner():
        return json.dumps([1, 2])

    return inner()


def walk(n):
    if n:
        return walk(n - 1)
    return 0
"""
MAIN = """\
from app.core import Catalog, outer

outer()
Catalog().lookup([1, 2], 2)
"""

# Frames as py-spy reports them: (name, file, line); files relative to the repository are
# made absolute by `frames_in`.
JSON_DUMPS = ("dumps", "/usr/lib/python3.11/json/__init__.py", 231)
ENCODE = ("JSONEncoder.encode", "/usr/lib/python3.11/json/encoder.py", 200)
PROCESS = ('process 12:"python main.py"', "", 0)
STARTUP = ("_find_and_load", "<frozen importlib._bootstrap>", 1176)

Stack = list[tuple[str, str, int]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "core.py").write_text(CORE)
    (root / "main.py").write_text(MAIN)
    return root


def speedscope(*threads: list[tuple[Stack, float]]) -> dict[str, Any]:
    """A py-spy-like document: one sampled profile per thread, stacks outermost first."""
    frames: list[dict[str, Any]] = []
    index: dict[tuple[str, str, int], int] = {}
    profiles = []
    for number, samples in enumerate(threads):
        stacks = []
        for stack, _ in samples:
            for frame in stack:
                if frame not in index:
                    index[frame] = len(frames)
                    name, file, line = frame
                    frames.append({"name": name, "file": file, "line": line, "col": None})
            stacks.append([index[frame] for frame in stack])
        profiles.append(
            {
                "type": "sampled",
                "name": f"Thread {number}",
                "unit": "seconds",
                "startValue": 0.0,
                "endValue": sum(w for _, w in samples),
                "samples": stacks,
                "weights": [w for _, w in samples],
            }
        )
    return {"profiles": profiles, "shared": {"frames": frames}, "exporter": "py-spy@0.4.3"}


def frames_in(root: Path, *frames: tuple[str, str, int]) -> Stack:
    """Repository-relative files made absolute, as the profiled process saw them."""
    return [
        (n, str(root / f) if f.endswith(".py") and not f.startswith("/") else f, line)
        for n, f, line in frames
    ]


def attribute(repo: Path, *samples: tuple[Stack, float]) -> Profile:
    return profile_from_speedscope(speedscope(list(samples)), repo, wall_seconds=1.5)


def by_key(profile: Profile) -> dict[str, Hotspot]:
    return {h.key: h for h in profile.hotspots}


MAIN_OUTER = (("<module>", "main.py", 3), ("outer", "app/core.py", 16))
INNER_DUMPS = (("inner", "app/core.py", 14), JSON_DUMPS, ENCODE)
LOOKUP = ("<module>", "main.py", 4), ("lookup", "app/core.py", 7)


def test_library_time_is_charged_to_the_repo_line_that_called_it(repo: Path) -> None:
    profile = attribute(repo, (frames_in(repo, PROCESS, *MAIN_OUTER, *INNER_DUMPS), 0.005))
    inner = by_key(profile)["app/core.py::outer.<locals>.inner"]
    assert (inner.self_samples, inner.total_samples, inner.lines) == (
        1,
        1,
        [LineSamples(line=14, samples=1)],
    )
    assert (inner.start_line, inner.end_line) == (13, 14)
    assert [h.function for h in profile.hotspots] == ["outer.<locals>.inner", "outer", "<module>"]
    assert by_key(profile)["app/core.py::outer"].self_samples == 0


def test_total_is_counted_once_per_sample_and_lines_come_from_the_innermost_occurrence(
    repo: Path,
) -> None:
    recursion = (
        [("<module>", "main.py", 3)]
        + [("walk", "app/core.py", 21)] * 3
        + [("walk", "app/core.py", 22)]
    )
    profile = attribute(repo, (frames_in(repo, *recursion), 0.005))
    walk = by_key(profile)["app/core.py::walk"]
    assert (walk.self_samples, walk.total_samples) == (1, 1)
    assert walk.lines == [LineSamples(line=22, samples=1)]
    assert walk.callers == ["main.py::<module>"] and walk.callees == []  # recursion is no edge


def test_weights_count_as_whole_samples(repo: Path) -> None:
    profile = attribute(
        repo,
        (frames_in(repo, *LOOKUP), 0.005),
        (frames_in(repo, *LOOKUP), 0.015),
        (frames_in(repo, *MAIN_OUTER), 0.01),
    )
    assert profile.total_samples == 6
    lookup = by_key(profile)["app/core.py::Catalog.lookup"]
    assert (lookup.self_samples, lookup.total_samples) == (4, 4)
    assert lookup.self_percent == pytest.approx(100 * 4 / 6)


def test_samples_without_repo_frames_count_only_in_the_total(repo: Path) -> None:
    profile = attribute(
        repo,
        (frames_in(repo, *LOOKUP), 0.005),
        ([PROCESS, STARTUP], 0.005),
        ([PROCESS, JSON_DUMPS], 0.005),
        ([PROCESS], 0.005),
    )
    assert profile.total_samples == 4 and profile.wall_seconds == 1.5
    lookup = by_key(profile)["app/core.py::Catalog.lookup"]
    assert (lookup.self_percent, lookup.total_percent) == (25.0, 25.0)
    assert {h.file for h in profile.hotspots} == {"main.py", "app/core.py"}


def test_names_and_spans_come_from_the_source_not_the_profiler(repo: Path) -> None:
    profile = attribute(
        repo, (frames_in(repo, ("<module>", "main.py", 4), ("lookup", "app/core.py", 8)), 0.005)
    )
    lookup = profile.hotspots[0]
    assert (lookup.function, lookup.file, lookup.start_line, lookup.end_line) == (
        "Catalog.lookup",
        "app/core.py",
        5,
        9,
    )
    assert lookup.key == "app/core.py::Catalog.lookup"
    module = by_key(profile)["main.py::<module>"]
    assert (module.start_line, module.end_line) == (1, 4)


def test_per_line_samples_split_a_function_by_line(repo: Path) -> None:
    profile = attribute(
        repo,
        *[(frames_in(repo, ("<module>", "main.py", 4), ("lookup", "app/core.py", 6)), 0.005)] * 2,
        *[(frames_in(repo, ("<module>", "main.py", 4), ("lookup", "app/core.py", 7)), 0.005)] * 3,
    )
    lookup = by_key(profile)["app/core.py::Catalog.lookup"]
    assert lookup.lines == [LineSamples(line=6, samples=2), LineSamples(line=7, samples=3)]
    module = by_key(profile)["main.py::<module>"]
    assert module.lines == [LineSamples(line=4, samples=5)]  # the line charged for time below it


def test_callers_and_callees_link_adjacent_repo_frames_across_library_frames(repo: Path) -> None:
    # outer -> (library callback machinery) -> inner: outer still calls inner.
    stack = frames_in(
        repo, ("<module>", "main.py", 3), ("outer", "app/core.py", 16), JSON_DUMPS, *INNER_DUMPS
    )
    hotspots = by_key(attribute(repo, (stack, 0.005)))
    assert hotspots["app/core.py::outer"].callers == ["main.py::<module>"]
    assert hotspots["app/core.py::outer"].callees == ["app/core.py::outer.<locals>.inner"]
    assert hotspots["app/core.py::outer.<locals>.inner"].callers == ["app/core.py::outer"]
    assert hotspots["main.py::<module>"].callees == ["app/core.py::outer"]


def test_ranking_is_by_self_then_total(repo: Path) -> None:
    profile = attribute(
        repo,
        *[(frames_in(repo, *MAIN_OUTER, *INNER_DUMPS), 0.005)] * 3,
        *[(frames_in(repo, *LOOKUP), 0.005)] * 3,
        (frames_in(repo, *MAIN_OUTER), 0.005),
    )
    ranked = [(h.function, h.self_samples, h.total_samples) for h in profile.hotspots]
    assert ranked == [
        ("Catalog.lookup", 3, 3),  # same self, same total: the key breaks the tie
        ("outer.<locals>.inner", 3, 3),
        ("outer", 1, 4),
        ("<module>", 0, 7),
    ]


def test_relative_paths_are_relative_to_the_workspace(repo: Path) -> None:
    profile = attribute(repo, ([("<module>", "main.py", 4), ("lookup", "./app/core.py", 7)], 0.005))
    assert {h.key for h in profile.hotspots} == {"main.py::<module>", "app/core.py::Catalog.lookup"}


def test_a_workspace_reached_through_a_symlink_matches_real_paths(
    repo: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link"
    link.symlink_to(repo)
    profile = attribute(link, (frames_in(repo, *LOOKUP), 0.005))
    assert [h.key for h in profile.hotspots] == ["app/core.py::Catalog.lookup", "main.py::<module>"]


@pytest.mark.parametrize(
    "folder",
    [
        ".venv/lib/python3.11/site-packages",
        "vendor/site-packages",
        "build/dist-packages",
        "myenv/lib/python3.11",
        ".tox/py311/lib",
    ],
)
def test_installed_code_inside_the_workspace_is_not_repo_code(repo: Path, folder: str) -> None:
    (repo / "myenv").mkdir()
    (repo / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a virtualenv of any name
    (repo / folder).mkdir(parents=True)
    (repo / folder / "lib.py").write_text("def helper():\n    return 1\n")
    stack = frames_in(repo, *LOOKUP, ("helper", f"{folder}/lib.py", 2))
    profile = attribute(repo, (stack, 0.005))
    assert {h.key for h in profile.hotspots} == {"main.py::<module>", "app/core.py::Catalog.lookup"}
    assert profile.hotspots[0].key == "app/core.py::Catalog.lookup"  # charged with the library time


def test_files_outside_the_workspace_or_missing_are_not_repo_code(
    repo: Path, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere.py").write_text("def f():\n    pass\n")
    stack = [
        ("f", str(tmp_path / "elsewhere.py"), 2),
        ("gone", str(repo / "deleted.py"), 1),
        ("<module>", "<string>", 1),
    ]
    profile = attribute(repo, (stack, 0.005))
    assert profile.hotspots == [] and profile.total_samples == 1


def test_samples_inside_perfsmiths_harness_are_dropped(repo: Path) -> None:
    harness = ("<module>", str(repo / ".perfsmith-scratch" / "run-1" / "launch.py"), 5)
    (repo / ".perfsmith-scratch" / "run-1").mkdir(parents=True)
    (repo / ".perfsmith-scratch" / "run-1" / "launch.py").write_text("pass\n")
    profile = attribute(
        repo,
        ([PROCESS, harness, ("call", "/usr/lib/python3.11/subprocess.py", 391)], 0.005),
        (frames_in(repo, PROCESS, *LOOKUP), 0.005),
    )
    assert profile.total_samples == 1
    assert profile.hotspots[0].self_percent == 100.0


def test_an_unparseable_repo_file_keeps_the_profilers_name(repo: Path) -> None:
    (repo / "legacy.py").write_text("print 'python 2'\n")
    profile = attribute(repo, (frames_in(repo, ("<module>", "legacy.py", 1)), 0.005))
    assert [(h.function, h.start_line, h.end_line) for h in profile.hotspots] == [
        ("<module>", 1, 1)
    ]


def test_threads_and_processes_are_all_counted(repo: Path) -> None:
    doc = speedscope(
        [(frames_in(repo, *LOOKUP), 0.005)],
        [(frames_in(repo, *MAIN_OUTER), 0.005), (frames_in(repo, *MAIN_OUTER), 0.005)],
    )
    profile = profile_from_speedscope(doc, repo)
    assert profile.total_samples == 3 and profile.profiler == "py-spy"
    assert by_key(profile)["main.py::<module>"].total_samples == 3


def test_documents_without_weights_count_each_sample_once(repo: Path) -> None:
    doc = speedscope([(frames_in(repo, *LOOKUP), 0.0)] * 2)
    for profile in doc["profiles"]:
        del profile["weights"]
    assert [s.weight for s in samples_from_speedscope(doc)] == [1, 1]


def test_evented_profiles_are_refused(repo: Path) -> None:
    doc = speedscope([(frames_in(repo, *LOOKUP), 0.005)])
    doc["profiles"][0]["type"] = "evented"
    with pytest.raises(ValueError, match="sampled"):
        samples_from_speedscope(doc)


def test_empty_profile_has_no_hotspots(repo: Path) -> None:
    profile = profile_from_speedscope(speedscope([]), repo)
    assert (profile.total_samples, profile.hotspots) == (0, [])


# cProfile's pstats, mapped with the same rules: one "sample" is a microsecond.
EXEC = ("~", 0, "<built-in method builtins.exec>")
SORTED = ("~", 0, "<built-in method builtins.sorted>")
LIB_A = ("/usr/lib/python3.11/lib_a.py", 1, "a")
LIB_B = ("/usr/lib/python3.11/lib_b.py", 1, "b")


def pstats_of(
    repo: Path, calls: dict[tuple[str, int, str], tuple[float, dict[tuple[str, int, str], float]]]
) -> Stats:
    """pstats entries from {function: (tottime, {caller: cumtime of its calls})}; cumtime
    is the sum over callers (or the tottime for a root)."""

    def key(k: tuple[str, int, str]) -> tuple[str, int, str]:
        return (
            (str(repo / k[0]), k[1], k[2])
            if k[0].endswith(".py") and not k[0].startswith("/")
            else k
        )

    stats: Stats = {}
    for function, (tottime, callers) in calls.items():
        cumtime = sum(callers.values()) or tottime
        stats[key(function)] = (
            1,
            1,
            tottime,
            cumtime,
            {key(c): (1, 1, 0.0, t) for c, t in callers.items()},
        )
    return stats


MODULE_KEY = ("main.py", 1, "<module>")
LOOKUP_KEY = ("app/core.py", 5, "lookup")
LISTCOMP_KEY = ("app/core.py", 6, "<listcomp>")
OUTER_KEY = ("app/core.py", 12, "outer")


def test_pstats_self_time_takes_in_library_time_shared_by_callers(repo: Path) -> None:
    stats = pstats_of(
        repo,
        {
            EXEC: (0.0, {}),
            MODULE_KEY: (0.01, {EXEC: 1.0}),
            LOOKUP_KEY: (0.3, {MODULE_KEY: 0.5}),
            OUTER_KEY: (0.1, {MODULE_KEY: 0.15}),
            SORTED: (0.2, {LOOKUP_KEY: 0.15, OUTER_KEY: 0.05}),
        },
    )
    profile = profile_from_pstats(stats, repo, wall_seconds=2.0)
    assert profile.profiler == "cprofile" and profile.total_samples == 610_000
    ranked = [(h.function, h.self_samples, h.total_samples, h.lines) for h in profile.hotspots]
    assert ranked == [
        ("Catalog.lookup", 450_000, 500_000, []),
        ("outer", 150_000, 150_000, []),
        ("<module>", 10_000, 1_000_000, []),
    ]
    assert by_key(profile)["main.py::<module>"].callees == [
        "app/core.py::Catalog.lookup",
        "app/core.py::outer",
    ]
    assert by_key(profile)["app/core.py::outer"].callers == ["main.py::<module>"]


def test_pstats_code_inside_a_function_counts_once_in_its_total(repo: Path) -> None:
    stats = pstats_of(
        repo,
        {
            MODULE_KEY: (0.0, {}),
            LOOKUP_KEY: (0.1, {MODULE_KEY: 0.5}),
            LISTCOMP_KEY: (0.4, {LOOKUP_KEY: 0.4}),  # a comprehension is its own code object
        },
    )
    lookup = by_key(profile_from_pstats(stats, repo))["app/core.py::Catalog.lookup"]
    assert (lookup.self_samples, lookup.total_samples, lookup.callers) == (
        500_000,
        500_000,
        ["main.py::<module>"],
    )


def test_pstats_cycles_among_library_functions_end(repo: Path) -> None:
    stats = pstats_of(
        repo,
        {
            MODULE_KEY: (0.0, {}),
            LOOKUP_KEY: (0.1, {MODULE_KEY: 0.4}),
            LIB_A: (0.1, {LOOKUP_KEY: 0.3, LIB_B: 0.1}),
            LIB_B: (0.2, {LIB_A: 0.2}),
        },
    )
    lookup = by_key(profile_from_pstats(stats, repo))["app/core.py::Catalog.lookup"]
    assert lookup.self_samples == 400_000
