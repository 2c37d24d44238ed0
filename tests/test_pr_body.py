"""The PR's title, body and branch name, rendered from a finished run."""

from __future__ import annotations

from pathlib import Path

from test_pr_support import TITLE, finished_run, project

from agent.pr.body import pr_body, pr_title
from agent.pr.finished import load_run
from agent.pr.flow import proposal_state
from agent.pr.gitops import branch_name, slug_from_url
from agent.pr.state import read


def test_body_says_what_how_much_how_measured_and_what_to_check(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = load_run(finished_run(repo, extra={"cost": {"cost_usd": 0.0123, "input_tokens": 9000,
                                                      "output_tokens": 1000}, "model": "openai:gpt-4o-mini"}))  # fmt: skip
    state = proposal_state(repo, run)
    body = pr_body(run, state, min_effect=0.05)
    # the speedup, its interval and how it was measured
    assert "## 1.80x faster on `python bench.py`" in body
    assert "95.0% interval **1.60x - 2.00x**" in body and "12 + 12 runs" in body
    assert "interleaved (ABBA order) in fresh processes" in body and "clears 1.05x" in body
    # one row per accepted edit: what, where, why, speedup
    assert (
        f"| {TITLE} | `shop/core.py` `unique` | Testing 'v not in seen' on a list scans it" in body
    )
    assert "| 1.80x (1.60-2.00) |" in body
    assert "Cache unique" not in body.split("## Tests")[0]  # a rejected candidate is no edit
    # tests and their result
    assert (
        "`python -m pytest -q` passed at the base commit and after each of the 1 accepted edit(s)"
        in body
    )
    assert "1 other candidate(s) were rejected, 1 of them by the tests." in body
    # profile before and after
    before, after = body.split("Before (round 1):")[1].split("After the edits of round 1")
    assert "| `unique` | shop/core.py:1 | 80.0 |" in before
    assert "| `unique` | shop/core.py:1 | 20.0 |" in after
    # model, cost and reviewer notes
    assert "model `openai:gpt-4o-mini`; cost $0.0123, 10,000 tokens" in body
    assert "- workload output compared with the baseline's" in body
    assert f"- {TITLE}: cold-run guard: no files written" in body
    # the hidden state, read back as written
    assert read(body) == state
    assert state.targets == ["shop/core.py::unique"] and len(state.code) == 1


def test_a_one_round_offline_run_says_what_it_lacks(tmp_path: Path) -> None:
    run = load_run(finished_run(project(tmp_path), rounds=1))
    body = pr_body(run, proposal_state(run.dir.parents[2], run), min_effect=0.05)
    assert "No profile after the edits: the run ended after its first round." in body
    assert "No model: the `rules` proposer works offline." in body


def test_title_and_branch_name_come_from_the_edits(tmp_path: Path) -> None:
    run = load_run(finished_run(project(tmp_path)))
    assert pr_title(run) == f"perfsmith: 1.80x faster: {TITLE}"
    assert (
        branch_name([TITLE], "0123456789ab")
        == "perfsmith/track-seen-items-in-a-set-beside-the-012345"
    )
    assert (
        branch_name(["A `x in list` scan", "Other"], "ffffff")
        == "perfsmith/a-x-in-list-scan-and-1-more-ffffff"
    )
    assert branch_name([], "abcdef") == "perfsmith/speedup-abcdef"


def test_the_repository_slug_comes_from_the_remote_url() -> None:
    assert slug_from_url("https://github.com/acme/shop.git") == "acme/shop"
    assert slug_from_url("https://ghe.example.com/acme/shop") == "acme/shop"
    assert slug_from_url("git@github.com:acme/shop.git") == "acme/shop"
    assert slug_from_url("ssh://git@ghe.example.com:2222/acme/shop.git") == "acme/shop"
    assert slug_from_url("/tmp/origin.git") is None
