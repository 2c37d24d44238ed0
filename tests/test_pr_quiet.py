"""Staying quiet: minimum effect on the interval's lower bound, one open PR per function, never
the same code twice, a cap per run; and the state marker the rules read back."""

from __future__ import annotations

from pathlib import Path

from test_pr_support import finished_run, project

from agent.pr.finished import load_run
from agent.pr.flow import proposal_state
from agent.pr.quiet import Proposal, QuietPolicy, decide
from agent.pr.state import PastProposal, ProposalState, embed, read

KEY = "shop/core.py::unique"


def state(**changes: object) -> ProposalState:
    base = {"run_id": "r", "targets": [KEY], "code": ["c0de"], "patch": "pa7c"}
    return ProposalState.model_validate(base | changes)


def proposal(tmp_path: Path, run_id: str = "20250101-000000-abcdef", **kwargs: object) -> Proposal:
    repo = tmp_path / "shop" if (tmp_path / "shop").exists() else project(tmp_path)
    run = load_run(finished_run(repo, run_id, **kwargs))  # type: ignore[arg-type]
    return Proposal(run, proposal_state(repo, run))


def test_marker_round_trips_and_cannot_close_the_comment_early() -> None:
    tricky = state(targets=["a-->b.py::f"])
    text = f"Some body\n\n{embed(tricky)}\n"
    assert text.count("-->") == 1
    assert read(text) == tricky
    assert read("no marker here") is None
    assert read("<!-- perfsmith-state {not json} -->") is None
    assert read('<!-- perfsmith-state {"run_id": 1} -->') is None  # a field is missing


def test_a_strong_new_result_goes(tmp_path: Path) -> None:
    (decision,) = decide([proposal(tmp_path)], [], QuietPolicy())
    assert decision.go, decision.reasons


def test_the_lower_bound_must_clear_the_minimum_effect(tmp_path: Path) -> None:
    weak = proposal(tmp_path, speedup=(1.2, 1.04, 1.4))  # median well above 5%, bound below it
    (decision,) = decide([weak], [], QuietPolicy(min_effect=0.05))
    assert not decision.go
    assert "lower bound 1.040x" in decision.reasons[0]
    (lenient,) = decide([weak], [], QuietPolicy(min_effect=0.02))
    assert lenient.go


def test_an_open_pr_on_the_same_function_keeps_it_quiet(tmp_path: Path) -> None:
    mine = proposal(tmp_path)
    other = PastProposal(7, True, state(code=["other"], patch="other"))
    (decision,) = decide([mine], [other], QuietPolicy())
    assert decision.reasons == [f"{KEY} already has an open perfsmith PR (#7)"]
    closed = PastProposal(7, False, state(code=["other"], patch="other"))
    assert decide([mine], [closed], QuietPolicy())[0].go  # closed on other code: try again


def test_code_proposed_before_is_never_proposed_again(tmp_path: Path) -> None:
    mine = proposal(tmp_path)
    closed = PastProposal(3, False, state(targets=[], code=mine.state.code, patch="older"))
    (decision,) = decide([mine], [closed], QuietPolicy())
    assert decision.reasons == ["this code was proposed before (#3); it has not changed since"]


def test_the_same_patch_is_not_proposed_twice(tmp_path: Path) -> None:
    mine = proposal(tmp_path)
    closed = PastProposal(4, False, state(targets=[], code=["changed"], patch=mine.state.patch))
    assert decide([mine], [closed], QuietPolicy())[0].reasons == [
        "the same patch was proposed before (#4)"
    ]


def test_the_cap_keeps_the_strongest_and_one_run_never_repeats_itself(tmp_path: Path) -> None:
    weaker = proposal(tmp_path, "run-weaker", speedup=(1.5, 1.3, 1.7))
    stronger = proposal(tmp_path, "run-stronger", speedup=(2.5, 2.2, 2.8))
    first, second = decide([weaker, stronger], [], QuietPolicy(max_prs=1))
    assert first.proposal is stronger and first.go
    # Same function and code: the first PR of this run already claims them.
    assert any("open perfsmith PR" in r for r in second.reasons)
    assert any("proposed before" in r for r in second.reasons)


def test_the_cap_counts_prs(tmp_path: Path) -> None:
    runs = [proposal(tmp_path, f"run-{k}") for k in range(2)]
    distinct = [Proposal(p.run, state(run_id=p.run.run_id, targets=[f"f{k}"], code=[f"c{k}"], patch=f"p{k}"))
                for k, p in enumerate(runs)]  # fmt: skip
    decisions = decide(distinct, [], QuietPolicy(max_prs=1))
    assert [d.go for d in decisions] == [True, False]
    assert decisions[1].reasons == ["the cap of 1 PR(s) per run is reached"]
    assert all(d.go for d in decide(distinct, [], QuietPolicy(max_prs=2)))


def test_a_run_without_a_verified_patch_is_quiet(tmp_path: Path) -> None:
    mine = proposal(tmp_path)
    report = mine.run.report.model_copy(update={"accepted": [], "final": None})
    empty = Proposal(type(mine.run)(**{**mine.run.__dict__, "report": report}), mine.state)
    (decision,) = decide([empty], [], QuietPolicy())
    assert decision.reasons == [f"run {report.run_id} has no verified patch"]
