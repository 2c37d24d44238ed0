"""Pick the functions worth optimizing from a profile and read their current source."""

from __future__ import annotations

from pathlib import Path

from agent.guards import protected_reason
from agent.records import Candidate, Feedback, Target
from profilers.api import Hotspot, Profile

MIN_SELF_PERCENT = 1.0  # below this an edit cannot move the workload measurably
# A hotspot whose self time is at least this share PyTorch's (py-spy native frames or cProfile
# built-ins below it) is "torch-dominated": a Python edit can reach at most the rest, so the
# LLM proposer also asks for a Triton / CUDA kernel of the hot region.
TORCH_DOMINATED_SHARE = 0.5


def pick_targets(
    profile: Profile,
    workspace: Path,
    count: int,
    bench_command: str,
    only: frozenset[str] | None = None,
) -> list[Target]:
    """The `count` hottest functions an edit may change (tests and the workload itself are off limits)."""
    targets: list[Target] = []
    for spot in profile.hotspots:
        if len(targets) == count:
            break
        if spot.self_percent < MIN_SELF_PERCENT or spot.function == "<module>":
            continue
        if protected_reason(spot.file, bench_command):
            continue
        if only is not None and spot.key not in only:
            continue
        source = _source(workspace / spot.file, spot)
        if source:
            dominated = spot.torch_share >= TORCH_DOMINATED_SHARE
            targets.append(Target(hotspot=spot, source=source, torch_dominated=dominated))
    return targets


def feedback_for(target: Target, history: list[Candidate]) -> list[Feedback]:
    return [
        Feedback(edit_title=c.edit.title, status=c.status, reason=c.reason)
        for c in history
        if c.edit.file == target.hotspot.file and c.edit.function == target.hotspot.function
    ]


def _source(path: Path, spot: Hotspot) -> str:
    if not path.is_file():
        return ""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    return "".join(lines[spot.start_line - 1 : spot.end_line])
