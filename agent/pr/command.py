"""The `perfsmith pr` command: flags in, `agent.pr.flow.run_pr` does the work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agent.config import ConfigError
from agent.pr import PrError
from agent.pr.flames import Assets, workflow_run_link
from agent.pr.flow import PrOptions, run_pr
from agent.pr.github_api import DEFAULT_API_URL
from agent.pr.quiet import QuietPolicy
from agent.registry import UnknownComponent
from agent.store import default_runs_dir
from sandbox.workspace import RepoError

console = Console(stderr=True)
USAGE_ERROR = 2


def pr_command(
    path: Annotated[Path, typer.Argument(help="The repository (a clean checkout).")] = Path("."),
    run: Annotated[
        list[str] | None,
        typer.Option(
            "--run",
            help="Use this finished run (id or directory) instead of optimizing; repeat for several.",
        ),
    ] = None,
    bench: Annotated[
        str | None, typer.Option(help="Workload for the optimize run (default: [tool.perfsmith]).")
    ] = None,
    test: Annotated[
        str | None, typer.Option(help="Correctness command for the optimize run.")
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(help="Budget of the optimize run: rounds=N,candidates=N,minutes=M."),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Chat model of the optimize run.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
    proposer: Annotated[str | None, typer.Option(help="rules, llm, or module:Class.")] = None,
    remote: Annotated[str, typer.Option(help="Git remote that receives the branch.")] = "origin",
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            envvar="GITHUB_REPOSITORY",
            help="OWNER/NAME on GitHub (default: from the remote's URL).",
        ),
    ] = None,
    api_url: Annotated[
        str,
        typer.Option(
            envvar="GITHUB_API_URL", help="GitHub API base URL (Enterprise: https://HOST/api/v3)."
        ),
    ] = DEFAULT_API_URL,
    base_branch: Annotated[
        str | None,
        typer.Option(help="Branch the PR targets (default: the repository's default branch)."),
    ] = None,
    label: Annotated[
        str, typer.Option(help="Label of perfsmith's PRs; its PRs are read back to stay quiet.")
    ] = "perfsmith",
    min_effect: Annotated[
        float,
        typer.Option(help="Open a PR only if the speedup interval's lower bound exceeds 1 + this."),
    ] = 0.05,
    max_prs: Annotated[int, typer.Option(help="At most this many PRs per invocation.")] = 1,
    comment: Annotated[
        bool,
        typer.Option(
            "--comment",
            help="Review an existing PR (--pr N) instead of opening one; optimizes only the functions it changed.",
        ),
    ] = False,
    pr_number: Annotated[
        int | None,
        typer.Option("--pr", help="The PR to review with --comment (default: the triggering PR)."),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(help="The PR's base ref for --comment (default: asked from GitHub)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Commit the branch locally and write the PR body to a file; no push, no API call.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write the PR body or review (default: in the run directory)."),
    ] = None,
    assets_dir: Annotated[
        Path | None,
        typer.Option(
            help="Write before/after flamegraph SVGs to DIR/<run id>/ and mention them in the PR body."
        ),
    ] = None,
    assets_url: Annotated[
        str | None,
        typer.Option(help="Public URL DIR is served from: the PR body embeds the SVGs from it."),
    ] = None,
    assets_artifact: Annotated[
        str | None,
        typer.Option(help="Name of the workflow artifact DIR is uploaded as, for the PR body."),
    ] = None,
) -> None:
    """Open a pull request with perfsmith's verified speedup, or review an existing one."""
    if (assets_url or assets_artifact) and assets_dir is None:
        typer.secho(
            "perfsmith: --assets-url and --assets-artifact need --assets-dir", err=True, fg="red"
        )
        raise typer.Exit(USAGE_ERROR)
    assets = (
        Assets(assets_dir, assets_url, assets_artifact, workflow_run_link(os.environ))
        if assets_dir
        else None
    )
    overrides: dict[str, Any] = {"bench": bench, "test": test, "budget": budget, "model": model,
                                 "base_url": base_url, "proposer": proposer}  # fmt: skip
    options = PrOptions(path=path, runs=run or [], overrides=overrides, remote=remote, slug=repo,
                        api_url=api_url, base_branch=base_branch, label=label,
                        policy=QuietPolicy(min_effect=min_effect, max_prs=max_prs), dry_run=dry_run,
                        output=output, comment=comment, pr_number=pr_number, base_ref=base,
                        assets=assets)  # fmt: skip
    try:
        code = run_pr(
            options,
            os.environ,
            optimize_run,
            lambda text: console.print(text, highlight=False, soft_wrap=True),
        )
    except (PrError, RepoError, ConfigError, UnknownComponent) as exc:
        typer.secho(f"perfsmith: {exc}", err=True, fg="red")  # one line, never wrapped
        raise typer.Exit(USAGE_ERROR) from None
    raise typer.Exit(code)


def optimize_run(root: Path, overrides: dict[str, Any]) -> Path:
    """`perfsmith optimize` in this process; returns the new run's directory."""
    from agent import cli  # imported here: cli imports this module to register the command

    if "only_functions" in overrides and "only_functions" not in cli.OptimizeConfig.model_fields:
        raise PrError("--comment needs the optimize loop's target filter (OptimizeConfig.only_functions); "
                      "pass a finished run with --run instead")  # fmt: skip
    runs = default_runs_dir(root)
    before = {p.name for p in runs.iterdir()}
    try:
        cli._optimize(root, overrides, None, False, None, False, None)
    except cli.Refusal as exc:
        raise PrError(str(exc)) from None
    new = sorted(
        p for p in runs.iterdir() if p.name not in before and (p / "report.json").is_file()
    )
    if not new:
        raise PrError(f"the optimize run wrote no report under {runs}")
    return new[-1]
