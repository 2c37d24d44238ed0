"""The Proposer interface: turn a hot function into candidate edits."""

from __future__ import annotations

from typing import Protocol

from agent.records import Edit, Feedback, ProposalContext, Target


class Proposer(Protocol):
    name: str

    def propose(
        self, target: Target, context: ProposalContext, feedback: list[Feedback]
    ) -> list[Edit]:
        """Return zero or more edits. Must not raise for bad model output: return [] instead
        and let the caller record why via `last_error`."""
        ...
