"""When to stay quiet. Reviewers' time is the scarce resource: a PR is opened only for a
large, proven effect on code nobody has been offered an edit for before.

The rules, in order: the run has a verified patch; the final interval's lower bound clears
the minimum effect; no open perfsmith PR already targets one of its functions; none of its
functions' current source was proposed before (open or closed PR: a closed one means "no");
the patch itself is new; and at most `max_prs` PRs per invocation, strongest evidence first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from agent.pr.finished import FinishedRun
from agent.pr.state import PastProposal, ProposalState


class QuietPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    min_effect: float = Field(default=0.05, ge=0)  # 0.05: the lower bound must exceed 1.05x
    max_prs: int = Field(default=1, ge=0)


@dataclass(frozen=True)
class Proposal:
    run: FinishedRun
    state: ProposalState

    @property
    def lower_bound(self) -> float:
        final = self.run.report.final
        return final.ci_low if final else 0.0


@dataclass
class Decision:
    proposal: Proposal
    reasons: list[str] = field(default_factory=list)  # why not; empty means go

    @property
    def go(self) -> bool:
        return not self.reasons


def evidence_problem(run: FinishedRun, min_effect: float) -> str | None:
    """Why the run's result is not worth proposing, or None when it is."""
    report = run.report
    if not report.accepted or not run.patch_text.strip():
        return f"run {report.run_id} has no verified patch"
    final = report.final
    if final is None or final.outcome != "faster":
        return f"run {report.run_id} has no final 'faster' verdict"
    if final.ci_low <= 1.0 + min_effect:
        return (f"the interval's lower bound {final.ci_low:.3f}x does not clear the minimum effect "
                f"of {min_effect:.0%} ({1 + min_effect:.2f}x)")  # fmt: skip
    return None


def history_problems(state: ProposalState, history: list[PastProposal]) -> list[str]:
    """Why this proposal repeats an earlier one (targets, code or patch), if it does."""
    reasons = []
    for past in history:
        if past.open:
            reasons += [f"{t} already has an open perfsmith PR (#{past.number})"
                        for t in state.targets if t in past.state.targets]  # fmt: skip
        if set(state.code) & set(past.state.code):
            reasons.append(
                f"this code was proposed before (#{past.number}); it has not changed since"
            )
        elif state.patch == past.state.patch:
            reasons.append(f"the same patch was proposed before (#{past.number})")
    return list(dict.fromkeys(reasons))


def decide(
    proposals: list[Proposal], history: list[PastProposal], policy: QuietPolicy
) -> list[Decision]:
    """One decision per proposal, strongest evidence first. Each one that goes counts as
    history for the next, so one invocation never proposes the same function twice."""
    decisions = []
    history = list(history)
    opened = 0
    for proposal in sorted(proposals, key=lambda p: p.lower_bound, reverse=True):
        decision = Decision(proposal)
        if problem := evidence_problem(proposal.run, policy.min_effect):
            decision.reasons.append(problem)
        decision.reasons += history_problems(proposal.state, history)
        if decision.go and opened >= policy.max_prs:
            decision.reasons.append(f"the cap of {policy.max_prs} PR(s) per run is reached")
        if decision.go:
            opened += 1
            history.append(PastProposal(0, True, proposal.state))
        decisions.append(decision)
    return decisions
