"""Typed records that flow through the optimize loop; each is saved as it is produced."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluation.records import SpeedVerdict
from profilers.api import Hotspot, Profile


class Replacement(BaseModel):
    """Replace the one exact occurrence of `search` in `path` by `replace`.
    An empty `search` on a file that does not exist creates it."""

    model_config = ConfigDict(frozen=True)

    path: str
    search: str
    replace: str


class Edit(BaseModel):
    """A proposed change: what it does, where, why, and the exact text replacements."""

    model_config = ConfigDict(frozen=True)

    proposer: str  # "rules", "llm", ...
    rule: str  # short machine name, e.g. "membership-set" or "llm"
    title: str  # one line for humans
    rationale: str
    file: str
    function: str
    replacements: list[Replacement]

    @property
    def id(self) -> str:
        body = "\n".join(f"{r.path}\0{r.search}\0{r.replace}" for r in self.replacements)
        return hashlib.sha256(body.encode()).hexdigest()[:12]


class Target(BaseModel):
    """A hotspot handed to a proposer, with the function's current source. `torch_dominated`:
    most of its time is PyTorch's (see agent/targets.py), so a kernel may pay off."""

    model_config = ConfigDict(frozen=True)

    hotspot: Hotspot
    source: str
    torch_dominated: bool = False


class Feedback(BaseModel):
    """What happened to an earlier candidate for the same target."""

    model_config = ConfigDict(frozen=True)

    edit_title: str
    status: str
    reason: str


class ProposalContext(BaseModel):
    """Everything a proposer may read besides the target."""

    model_config = ConfigDict(frozen=True)

    workspace: Path
    profile: Profile
    workload: str
    test_command: str


CandidateStatus = Literal["accepted", "rejected", "stale"]


class Candidate(BaseModel):
    """One edit tried against the best state of its round, and what the judges said."""

    id: str
    round: int
    edit: Edit
    parent: str  # id of the accepted candidate it was applied on, or "baseline"
    status: CandidateStatus
    reason: str
    diff: str = ""
    tests_seconds: float = 0.0
    verdict: SpeedVerdict | None = None
    notes: list[str] = Field(default_factory=list)  # review flags and measurement notes
    output_tail: str = ""  # the failing tests' output, shown to a repairing proposer
    cost_usd: float = 0.0  # model calls that produced this edit (llm proposers)
    tokens: int = 0


class RunState(BaseModel):
    """The run's configuration and progress; rewritten after every step so --resume works."""

    run_id: str
    repo: Path
    base_commit: str
    dirty_patch: str = ""
    baseline_tree: str = ""
    config: dict[str, object] = Field(default_factory=dict)
    round: int = 0
    accepted: list[str] = Field(default_factory=list)  # candidate ids, in order
    finished: bool = False
    stop_reason: str = ""
    started_at: float = 0.0
    elapsed_seconds: float = 0.0


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def relative_posix(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
