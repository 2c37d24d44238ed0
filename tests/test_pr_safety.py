"""Fork safety: never run a fork's code with secrets, run fork PRs offline and post nothing from
them, skip the bot's own commits, and read the CI context from GitHub's event payload."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import git
from test_pr_support import ci_env, finished_run, pr_app, project
from typer.testing import CliRunner

from agent.pr import PrError
from agent.pr.flow import comment_overrides
from agent.pr.safety import ci_context, is_own_commit, refuse_unsafe


def event(tmp_path: Path, payload: Mapping[str, object]) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return str(path)


def pull(head_repo: str | None, number: int = 5) -> dict[str, object]:
    head = {"repo": {"full_name": head_repo} if head_repo else None}
    return {
        "pull_request": {
            "number": number,
            "head": head,
            "base": {"repo": {"full_name": "acme/shop"}},
        }
    }


def test_a_pr_from_a_branch_of_the_same_repository_is_trusted(tmp_path: Path) -> None:
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": "acme/shop",
           "GITHUB_EVENT_PATH": event(tmp_path, pull("acme/shop"))}  # fmt: skip
    ctx = ci_context(env)
    assert (ctx.event, ctx.fork, ctx.pr_number, ctx.may_use_secrets) == (
        "pull_request",
        False,
        5,
        True,
    )
    refuse_unsafe(ctx)


@pytest.mark.parametrize("head_repo", ["mallory/shop", None])  # None: the fork was deleted
def test_a_pr_from_a_fork_gets_no_secrets(tmp_path: Path, head_repo: str | None) -> None:
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": "acme/shop",
           "GITHUB_EVENT_PATH": event(tmp_path, pull(head_repo))}  # fmt: skip
    ctx = ci_context(env)
    assert ctx.fork and not ctx.may_use_secrets
    refuse_unsafe(ctx)  # pull_request itself is safe: GitHub gives forks no secrets there


def test_pull_request_target_is_refused_even_for_a_same_repo_branch(tmp_path: Path) -> None:
    env = {"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_REPOSITORY": "acme/shop",
           "GITHUB_EVENT_PATH": event(tmp_path, pull("acme/shop"))}  # fmt: skip
    with pytest.raises(PrError, match="pull_request_target"):
        refuse_unsafe(ci_context(env))


def test_workflow_run_from_a_fork_is_refused(tmp_path: Path) -> None:
    payload = {"workflow_run": {"head_repository": {"full_name": "mallory/shop"}}}
    env = {"GITHUB_EVENT_NAME": "workflow_run", "GITHUB_REPOSITORY": "acme/shop",
           "GITHUB_EVENT_PATH": event(tmp_path, payload)}  # fmt: skip
    with pytest.raises(PrError, match="fork"):
        refuse_unsafe(ci_context(env))


def test_outside_ci_and_on_schedule_nothing_is_a_fork(tmp_path: Path) -> None:
    assert not ci_context({}).fork
    env = {
        "GITHUB_EVENT_NAME": "schedule",
        "GITHUB_EVENT_PATH": event(tmp_path, {"schedule": "0 4 * * 1"}),
    }
    assert ci_context(env).event == "schedule" and not ci_context(env).fork
    assert not ci_context({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}).fork


def test_a_fork_run_is_offline_whatever_the_config_says() -> None:
    found = comment_overrides(
        {"model": "openai:gpt-4o", "proposer": "llm", "bench": "b"}, {"a.py::f"}, fork=True
    )
    assert found == {
        "model": None,
        "proposer": "rules",
        "bench": "b",
        "only_functions": ["a.py::f"],
    }
    trusted = comment_overrides({"model": "openai:gpt-4o"}, {"a.py::f"}, fork=False)
    assert trusted["model"] == "openai:gpt-4o" and "proposer" not in trusted


def test_the_command_refuses_pull_request_target_before_doing_anything(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    env = ci_env(GITHUB_EVENT_NAME="pull_request_target", GITHUB_TOKEN="t0ken",
                 GITHUB_EVENT_PATH=event(tmp_path, pull("acme/shop")))  # fmt: skip
    done = CliRunner().invoke(pr_app(), ["pr", str(repo), "--run", str(run), "--dry-run"], env=env)
    assert done.exit_code == 2
    assert "pull_request_target" in done.output
    assert "perfsmith/" not in git(repo, "branch", "--list")


def test_the_bots_own_commit_is_skipped(tmp_path: Path) -> None:
    repo = project(tmp_path)
    run = finished_run(repo)
    git(repo, "-c", "user.name=p", "-c", "user.email=p@p", "commit", "-q", "--allow-empty",
        "-m", "perfsmith: 1.80x faster [perfsmith]")  # fmt: skip
    assert is_own_commit(git(repo, "log", "-1", "--format=%B"))
    done = CliRunner().invoke(
        pr_app(), ["pr", str(repo), "--run", str(run), "--dry-run"], env=ci_env()
    )
    assert done.exit_code == 0, done.output
    assert "perfsmith's own commit" in done.output
    assert "perfsmith/" not in git(repo, "branch", "--list")
