"""`perfsmith pr` end to end, offline: the branch lands in a real git remote (a bare repository
on disk) and the GitHub API is a loopback server (tests/helpers/github_server.py) whose recorded
requests are the assertions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git
from helpers.github_server import GitHubServer
from test_pr_support import FAST, SLOW, TITLE, ci_env, finished_run, pr_app, project
from typer.testing import CliRunner

from agent.config import OptimizeConfig
from agent.pr.state import embed, read

TOKEN = "t0ken-for-tests"


def invoke(repo: Path, server: GitHubServer | None, *args: str, **env: str) -> tuple[int, str]:
    api = ["--api-url", server.api_url] if server else []
    extra = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "acme/shop"} | env
    done = CliRunner().invoke(pr_app(), ["pr", str(repo), *api, *args], env=ci_env(**extra))
    return done.exit_code, done.output


def remote_branches(tmp_path: Path) -> list[str]:
    return git(
        tmp_path / "origin.git", "for-each-ref", "--format=%(refname:short)", "refs/heads"
    ).split()


def test_opens_a_labelled_pr_from_a_branch_pushed_to_the_remote(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    base = git(repo, "rev-parse", "HEAD").strip()
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run))
    assert code == 0, out
    (branch,) = [b for b in remote_branches(tmp_path) if b.startswith("perfsmith/")]
    assert branch.startswith("perfsmith/track-seen-items-in-a-set-")
    bare = tmp_path / "origin.git"
    assert git(bare, "show", f"{branch}:shop/core.py") == FAST
    assert git(bare, "rev-parse", f"{branch}^").strip() == base
    assert "[perfsmith]" in git(bare, "log", "-1", "--format=%B", branch)
    # The API calls: read the bot's PRs first, then open one, then label it.
    (listing,) = gh.calls("GET", "/repos/acme/shop/issues")
    assert listing.query["labels"] == "perfsmith" and listing.query["state"] == "all"
    (created,) = gh.calls("POST", "/repos/acme/shop/pulls")
    assert gh.requests.index(listing) < gh.requests.index(created)
    payload = created.body
    assert payload["head"] == branch and payload["base"] == "main"
    assert payload["title"] == f"perfsmith: 1.80x faster: {TITLE}"
    assert "95.0% interval **1.60x - 2.00x**" in payload["body"]
    assert read(payload["body"]) is not None
    (labels,) = gh.calls("POST", "/repos/acme/shop/issues/1/labels")
    assert labels.body == ["perfsmith"]
    assert all(r.headers["authorization"] == f"token {TOKEN}" for r in gh.requests)
    assert "opened https://github.example/acme/shop/pull/1" in out
    # The user's checkout is as it was.
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(repo, "status", "--porcelain") == ""


def test_a_second_invocation_reads_its_own_pr_back_and_stays_quiet(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        assert invoke(repo, gh, "--run", str(run))[0] == 0
        code, out = invoke(repo, gh, "--run", str(run))
    assert code == 0, out
    assert len(gh.calls("POST", "/repos/acme/shop/pulls")) == 1
    assert "quiet: run" in out and "already has an open perfsmith PR (#1)" in out


def test_code_proposed_in_a_closed_pr_is_not_proposed_again(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        assert invoke(repo, gh, "--run", str(run), "--dry-run")[0] == 0
        body = (run / "pr-body.md").read_text()
        gh.add_pull(head="perfsmith/old", body=body, state="closed", labels=("perfsmith",))
        git(repo, "branch", "-D", git(repo, "branch", "--list", "perfsmith/*").strip())
        code, out = invoke(repo, gh, "--run", str(run))
    assert code == 0, out
    assert "this code was proposed before (#1)" in out
    assert not gh.calls("POST", "/repos/acme/shop/pulls")
    assert not [b for b in remote_branches(tmp_path) if b.startswith("perfsmith/")]


def test_a_small_effect_opens_nothing_and_pushes_nothing(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo, speedup=(1.09, 1.03, 1.15))
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run))
    assert code == 0, out
    assert "does not clear the minimum effect of 5%" in out
    assert not gh.calls("POST", "/repos/acme/shop/pulls")
    assert remote_branches(tmp_path) == ["main"]


def test_dry_run_commits_locally_writes_the_body_and_makes_no_call(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    body_file = tmp_path / "out" / "body.md"
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run), "--dry-run", "--output", str(body_file))
    assert code == 0, out
    assert gh.requests == []
    assert remote_branches(tmp_path) == ["main"]
    (branch,) = git(repo, "branch", "--list", "perfsmith/*", "--format=%(refname:short)").split()
    assert git(repo, "show", f"{branch}:shop/core.py") == FAST
    assert "## 1.80x faster" in body_file.read_text()


def test_enterprise_slug_from_the_remote_url_and_no_token(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    # Fetch from a GitHub Enterprise address (never contacted), push to the bare repository.
    git(repo, "remote", "set-url", "origin", "https://ghe.example.com/acme/shop.git")
    git(repo, "remote", "set-url", "--push", "origin", str(tmp_path / "origin.git"))
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run), GITHUB_TOKEN="", GITHUB_REPOSITORY="")
        assert code == 2 and "GITHUB_TOKEN is not set" in out
        code, out = invoke(repo, gh, "--run", str(run), GITHUB_REPOSITORY="")
    assert code == 0, out
    assert gh.calls("POST", "/repos/acme/shop/pulls")


OLD = SLOW.replace("    return seen\n", "    return list(seen)\n", 1)  # main, before the PR


def pr_checkout(tmp_path: Path) -> tuple[Path, str, str]:
    """A PR that changed `unique` (main has OLD, the PR branch has SLOW), checked out at its head."""
    repo = project(tmp_path, core=OLD)
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-qb", "feature")
    (repo / "shop/core.py").write_text(SLOW)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "simplify unique")
    return repo, base, git(repo, "rev-parse", "HEAD").strip()


def test_comment_mode_posts_a_review_with_suggestions(tmp_path: Path) -> None:
    repo, base, head = pr_checkout(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        gh.add_pull(head="feature", head_sha=head, base_sha=base)
        code, out = invoke(repo, gh, "--comment", "--pr", "1", "--run", str(run))
        assert code == 0, out
        (posted,) = gh.calls("POST", "/repos/acme/shop/pulls/1/reviews")
        review = posted.body
        assert review["event"] == "COMMENT" and review["commit_id"] == head
        assert "### perfsmith: 1.80x faster" in review["body"] and read(review["body"]) is not None
        (comment,) = review["comments"]
        assert (comment["path"], comment["start_line"], comment["line"], comment["side"]) == (
            "shop/core.py",
            3,
            4,
            "RIGHT",
        )
        assert comment["body"].endswith("```suggestion\n    seen_set = set()\n    for v in items:\n"
                                        "        if v not in seen_set:\n            seen_set.add(v)\n```")  # fmt: skip
        assert not gh.calls("POST", "/repos/acme/shop/pulls")
        # The next push of the PR re-runs the bot: same code, same result, no second review.
        code, out = invoke(repo, gh, "--comment", "--pr", "1", "--run", str(run))
    assert code == 0 and "this code was proposed before (#1)" in out
    assert len(gh.reviews[1]) == 1


def test_comment_mode_on_a_fork_writes_the_job_summary_and_posts_nothing(tmp_path: Path) -> None:
    repo, base, head = pr_checkout(tmp_path)
    run = finished_run(repo)
    summary = tmp_path / "summary.md"
    with GitHubServer() as gh:
        gh.add_pull(head="feature", head_sha=head, base_sha=base, head_repo="mallory/shop")
        code, out = invoke(repo, gh, "--comment", "--pr", "1", "--run", str(run),
                           GITHUB_STEP_SUMMARY=str(summary))  # fmt: skip
    assert code == 0, out
    assert not gh.calls("POST", r"/repos/acme/shop/pulls/1/reviews")
    assert "### perfsmith: 1.80x faster" in summary.read_text()
    assert "a fork's PR" in out


def test_comment_mode_refuses_a_checkout_that_is_not_the_prs_head(tmp_path: Path) -> None:
    repo, base, _ = pr_checkout(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        gh.add_pull(head="feature", head_sha="f" * 40, base_sha=base)
        code, out = invoke(repo, gh, "--comment", "--pr", "1", "--run", str(run))
    assert code == 2 and "PR #1's head is ffffffffff" in out


def test_comment_dry_run_writes_the_review_and_makes_no_call(tmp_path: Path) -> None:
    repo, base, _ = pr_checkout(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        code, out = invoke(
            repo, gh, "--comment", "--pr", "1", "--run", str(run), "--dry-run", "--base", base
        )
    assert code == 0, out
    assert gh.requests == []
    assert "Only the functions this PR changed were optimized" in (run / "review.md").read_text()
    comments = json.loads((run / "review.json").read_text())["comments"]
    assert comments[0]["path"] == "shop/core.py"


def test_comment_mode_stays_quiet_when_the_run_changed_other_functions(tmp_path: Path) -> None:
    repo = project(tmp_path)
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-qb", "feature")
    (repo / "shop/core.py").write_text(SLOW.replace("return sum(prices)", "return sum(prices, 0)"))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "touch total only")
    run = finished_run(repo)  # its edit is to `unique`, which this PR did not change
    code, out = invoke(
        repo, None, "--comment", "--pr", "1", "--run", str(run), "--dry-run", "--base", base
    )
    assert code == 0, out
    assert "PR #1 changes 1 function(s): shop/core.py::total" in out
    assert "quiet: PR #1: the run changed functions this PR did not: shop/core.py::unique" in out
    assert not (run / "review.md").exists()


@pytest.mark.skipif(
    "only_functions" in OptimizeConfig.model_fields, reason="the loop's target filter is wired"
)
def test_comment_mode_without_a_run_needs_the_loops_target_filter(tmp_path: Path) -> None:
    repo, base, _ = pr_checkout(tmp_path)
    code, out = invoke(
        repo,
        None,
        "--comment",
        "--pr",
        "1",
        "--dry-run",
        "--base",
        base,
        "--bench",
        "python bench.py",
    )
    assert code == 2 and "OptimizeConfig.only_functions" in out


def test_state_marker_of_a_foreign_pr_is_ignored_without_the_label(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        assert invoke(repo, gh, "--run", str(run), "--dry-run")[0] == 0
        state = read((run / "pr-body.md").read_text())
        assert state is not None
        gh.add_pull(
            head="someone/else", body=embed(state), labels=()
        )  # not labelled: not the bot's
        git(repo, "branch", "-D", git(repo, "branch", "--list", "perfsmith/*").strip())
        code, out = invoke(repo, gh, "--run", str(run))
    assert code == 0, out
    assert len(gh.calls("POST", "/repos/acme/shop/pulls")) == 1


def test_a_wrong_repository_is_one_line_and_pushes_nothing(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    with GitHubServer() as gh:
        code, out = invoke(repo, gh, "--run", str(run), "--repo", "acme/nope")
    assert code == 2
    assert out.strip() == "perfsmith: GitHub API, repository acme/nope: HTTP 404 Not Found"
    assert remote_branches(tmp_path) == ["main"]
