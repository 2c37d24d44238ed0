"""Try one edit: apply it to a copy of the best workspace, then let the judges speak.

Order matters for cost: cheap static checks first, then the tests, then the workload's output
against the parent's, and only then the (slow) speed comparison. Every timed run starts from the
workspace's original files (the cold-run guard), so a candidate cannot win by caching to disk.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.edits import EditError, apply_edit
from agent.gaming import review_flags
from agent.guards import protected_reason
from agent.kernel_edits import check_kernel_edit
from agent.records import Candidate, CandidateStatus, Edit
from evaluation.compare import SamplingPolicy
from evaluation.comparison import run_comparison
from evaluation.correctness import run_tests
from evaluation.measure import WorkloadError, WorkloadRunner
from sandbox import workspace
from sandbox.api import Sandbox, Workload
from sandbox.extra_env import ExtraEnv


@dataclass
class Judges:
    """What every candidate of a run is judged with."""

    sandbox: Sandbox
    workload: Workload
    test_command: str
    test_timeout: float
    bench_text: str = ""  # the workload and its files: the gaming review compares literals with it


@dataclass
class Trial:
    candidate: Candidate
    workspace: Path | None  # kept only when accepted


def try_edit(
    edit: Edit,
    *,
    candidate_id: str,
    round_no: int,
    parent: str,
    parent_workspace: Path,
    scratch: Path,
    judges: Judges,
    policy: SamplingPolicy,
    progress: Callable[[str], None] = lambda _: None,
) -> Trial:
    def verdict(status: CandidateStatus, reason: str, **extra: Any) -> Trial:
        if status != "accepted":
            shutil.rmtree(ws, ignore_errors=True)
        cand = Candidate(
            id=candidate_id,
            round=round_no,
            edit=edit,
            parent=parent,
            status=status,
            reason=reason,
            **extra,
        )
        return Trial(cand, ws if status == "accepted" else None)

    ws = scratch / candidate_id
    for rep in edit.replacements:
        if why := protected_reason(rep.path, judges.workload.command):
            return verdict("rejected", f"edit touches a protected file: {why}")
    workspace.clone(parent_workspace, ws)
    try:
        written = apply_edit(edit, ws)
    except EditError as exc:
        return verdict(
            "stale" if parent != "baseline" else "rejected", f"edit does not apply: {exc}"
        )
    if error := _syntax_error(written, ws):
        return verdict("rejected", error)
    diff = workspace.diff(ws)
    if not diff.strip():
        return verdict("rejected", "edit changes nothing")

    flags = [f"review: {flag}" for flag in review_flags(diff, judges.bench_text)]
    sandbox, caveat = judges.sandbox, ""
    if kernel := check_kernel_edit(edit, parent_workspace, ws):  # Triton / load_inline code
        if kernel.violations:
            return verdict("rejected", kernel.reason, diff=diff, notes=flags)
        sandbox, caveat = ExtraEnv(judges.sandbox, kernel.env), kernel.timing_caveat
        flags += kernel.notes
    progress("tests")
    tests = run_tests(sandbox, judges.test_command, ws, judges.test_timeout)
    if not tests.passed:
        return verdict(
            "rejected",
            tests.reason,
            diff=diff,
            tests_seconds=tests.seconds,
            output_tail=tests.output_tail,
            notes=flags,
        )

    progress("output and timing")
    best = WorkloadRunner(sandbox, judges.workload, parent_workspace)
    cand = WorkloadRunner(sandbox, judges.workload, ws)
    try:
        result = run_comparison(best, cand, policy, scratch / f"{candidate_id}-guard")
    except WorkloadError as exc:
        return verdict("rejected", str(exc), diff=diff, tests_seconds=tests.seconds)
    common: dict[str, Any] = {
        "diff": diff,
        "tests_seconds": tests.seconds,
        "notes": flags + result.notes,
    }
    speed = result.verdict
    if speed is None:
        return verdict("rejected", result.output.detail, **common)
    if caveat:  # a GPU kernel timed without a GPU: its correctness is known, its speed is not
        return verdict("rejected", f"{caveat} (here: {speed.summary()})", verdict=speed, **common)
    if speed.outcome != "faster":
        return verdict("rejected", f"not faster ({speed.summary()})", verdict=speed, **common)
    return verdict("accepted", speed.summary(), verdict=speed, **common)


def _syntax_error(paths: list[Path], root: Path) -> str | None:
    for path in paths:
        if path.suffix != ".py":
            continue
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        except SyntaxError as exc:
            return f"edit breaks the syntax: {path.relative_to(root)}:{exc.lineno}: {exc.msg}"
    return None
