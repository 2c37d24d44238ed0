"""`perfsmith` command line. The only module that knows every part."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from agent.bench_command import bench_command
from agent.compare_command import compare_commands, compare_refs, print_comparison
from agent.config import ConfigError, OptimizeConfig, load_config
from agent.deliver import DeliveryError, apply_patch, commit_on_branch
from agent.loop import Optimizer
from agent.pr.command import pr_command
from agent.records import RunState
from agent.registry import UnknownComponent
from agent.report import build_report, write_outputs
from agent.setup import build_ledger, build_profiler, build_proposer, build_sandbox
from agent.store import RunStore, default_runs_dir, new_run_id
from agent.view import ConsoleView, print_summary
from evaluation.compare import SamplingPolicy
from evaluation.measure import WorkloadError
from sandbox import workspace
from sandbox.workspace import RepoError, RepoInfo, inspect_repo

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Make Python code faster, and prove it: profile, propose, verify, keep.",
)
console = Console(stderr=True)

USAGE_ERROR = 2


class Refusal(Exception):
    """A usage or set-up problem: printed as one line, exit status 2."""


@app.callback()
def _root() -> None:
    """perfsmith: profile-guided, verified optimization of Python repositories."""


@app.command()
def optimize(
    path: Annotated[Path, typer.Argument(help="The repository to optimize.")] = Path("."),
    bench: Annotated[
        str | None,
        typer.Option(
            help="Workload to make faster: a shell command, pytest node ids, or module:function[@module:setup]."
        ),
    ] = None,
    test: Annotated[
        str | None, typer.Option(help="Correctness command (default: python -m pytest -q).")
    ] = None,
    budget: Annotated[
        str | None, typer.Option(help="rounds=N,candidates=N,minutes=M (any subset) or minutes.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="Chat model, e.g. openai:gpt-4o-mini or scripted:replies.json."),
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")] = None,
    proposer: Annotated[
        str | None,
        typer.Option(help="rules, llm, or module:Class (default: llm if --model, else rules)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Run directory root (default: PATH/.perfsmith/runs).")
    ] = None,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Snapshot uncommitted changes too.")
    ] = False,
    resume: Annotated[str | None, typer.Option(help="Continue the run with this id.")] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Apply the best patch to the (clean) working tree.")
    ] = False,
    branch: Annotated[
        str | None, typer.Option(help="Commit the best patch on this new branch.")
    ] = None,
    min_effect: Annotated[
        float | None, typer.Option(help="Smallest speedup worth keeping (0.02 = 2%).")
    ] = None,
    samples: Annotated[
        int | None, typer.Option(help="llm: candidates per hotspot per round.")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option(help="llm: stop cleanly past this many USD.")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help="llm: stop cleanly past this many tokens.")
    ] = None,
    sandbox: Annotated[
        str | None,
        typer.Option(help="Isolation backend: local (default), docker, or module:Class."),
    ] = None,
) -> None:
    """Profile the workload, propose edits to its hotspots, keep those proven correct and faster."""
    overrides: dict[str, Any] = {
        "bench": bench,
        "test": test,
        "budget": budget,
        "model": model,
        "base_url": base_url,
        "proposer": proposer,
        "min_effect": min_effect,
        "samples": samples,
        "max_cost": max_cost,
        "max_tokens": max_tokens,
        "sandbox": sandbox,
    }
    try:
        code = _optimize(path, overrides, out, allow_dirty, resume, apply, branch)
    except (Refusal, RepoError, ConfigError, UnknownComponent, DeliveryError) as exc:
        typer.secho(f"perfsmith: {exc}", err=True, fg="red")  # one line, never wrapped
        raise typer.Exit(USAGE_ERROR) from None
    raise typer.Exit(code)


def _optimize(
    path: Path,
    overrides: dict[str, Any],
    out: Path | None,
    allow_dirty: bool,
    resume: str | None,
    apply: bool,
    branch: str | None,
) -> int:
    repo = inspect_repo(path)
    runs = out.resolve() if out else default_runs_dir(repo.root)
    if resume:
        store = RunStore(runs / resume)
        if not (store.dir / "run.json").exists():
            raise Refusal(f"no run {resume!r} under {runs}")
        state = store.load_state()
        config = OptimizeConfig.model_validate(state.config)
        allow_dirty = bool(state.dirty_patch)
    else:
        if repo.dirty and not allow_dirty:
            raise Refusal(f"{repo.root} has uncommitted changes; commit them or pass --allow-dirty")
        config = load_config(repo.root, overrides)
        run_id = new_run_id()
        store = RunStore(runs / run_id)
        state = RunState(
            run_id=run_id,
            repo=repo.root,
            base_commit=repo.head,
            config=config.model_dump(mode="json"),
            started_at=time.time(),
            dirty_patch="uncommitted changes included" if allow_dirty else "",
        )
    if state.finished:
        raise Refusal(f"run {state.run_id} has already finished; its report is in {store.dir}")
    sandbox = build_sandbox(config.sandbox)
    profiler = build_profiler(config.profiler)
    ledger = build_ledger(config)
    proposer = build_proposer(config, ledger)
    view = ConsoleView(console)
    scratch = workspace.new_scratch_dir()
    console.print(
        f"perfsmith run {state.run_id}: {repo.root} (records in {store.dir})", highlight=False
    )
    try:
        baseline = _baseline(repo, state, scratch, allow_dirty)
        store.save_state(state)
        optimizer = Optimizer(
            config, state, store, sandbox, profiler, proposer, scratch, view, ledger
        )
        outcome = optimizer.run(baseline)
        view.close()
        patch = (
            workspace.diff(outcome.best_workspace)
            if state.accepted and outcome.best_workspace
            else ""
        )
        report = write_outputs(build_report(outcome, store, proposer.name, ledger), patch, store)
    finally:
        view.close()
        sandbox.close()
        shutil.rmtree(scratch, ignore_errors=True)
    print_summary(report, console)
    console.print(f"report: {store.dir / 'report.md'}", highlight=False)
    if report.patch:
        console.print(f"patch:  {report.patch}", highlight=False)
        if apply:
            apply_patch(repo.root, Path(report.patch))
            console.print("applied the patch to the working tree")
        if branch:
            sha = commit_on_branch(
                repo.root,
                Path(report.patch),
                branch,
                state.base_commit,
                f"perfsmith: {len(report.accepted)} verified speed edit(s)",
            )
            console.print(f"committed on branch {branch} ({sha[:10]})")
    if not state.accepted and state.round == 0:
        return USAGE_ERROR  # stopped before optimizing: baseline tests or workload fail
    return 0


def _baseline(repo: RepoInfo, state: RunState, scratch: Path, allow_dirty: bool) -> Path:
    """The snapshot every candidate descends from; on --resume it must match the original."""
    source = RepoInfo(repo.root, state.base_commit, repo.dirty)
    baseline = workspace.snapshot(source, scratch / "baseline", include_uncommitted=allow_dirty)
    tree = workspace.tree_id(baseline)
    if state.baseline_tree and state.baseline_tree != tree:
        raise Refusal("the working tree changed since this run started; it cannot be resumed")
    state.baseline_tree = tree
    return baseline


@app.command("compare")
def compare_cmd(
    refs: Annotated[
        list[str] | None, typer.Argument(help="BASE HEAD: two git refs of --repo.")
    ] = None,
    a: Annotated[str | None, typer.Option("--a", help="Command A (the reference).")] = None,
    b: Annotated[str | None, typer.Option("--b", help="Command B (the challenger).")] = None,
    repo: Annotated[Path, typer.Option(help="Repository for BASE HEAD mode.")] = Path("."),
    bench: Annotated[
        str | None, typer.Option(help="Workload for BASE HEAD mode (default: [tool.perfsmith]).")
    ] = None,
    min_effect: Annotated[
        float, typer.Option(help="Smallest speedup that counts (0.02 = 2%).")
    ] = 0.02,
    seconds: Annotated[float, typer.Option(help="Time budget for sampling.")] = 60.0,
    instructions: Annotated[
        bool, typer.Option("--instructions", help="Also count instructions (callgrind; slow).")
    ] = False,
    paired: Annotated[
        bool,
        typer.Option(
            "--paired/--two-sample",
            help="Judge the ABBA pairs as pairs (median pair ratio, signed-rank test), or A and B "
            "as two samples (ratio of medians, Mann-Whitney); see docs/measurement.md.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Is B faster than A? Interleaved fresh-process runs, a significance test and an interval."""
    policy = SamplingPolicy(min_effect=min_effect, time_budget_seconds=seconds, paired=paired)
    try:
        sandbox = build_sandbox("local")
        if a and b and not refs:
            result = compare_commands(sandbox, a, b, Path.cwd(), policy, instructions)
            labels = ("A", "B")
        elif refs and len(refs) == 2 and not (a or b):
            result = compare_refs(sandbox, repo, refs[0], refs[1], bench, policy, instructions)
            labels = (refs[0], refs[1])
        else:
            raise Refusal("give either --a CMD --b CMD, or two refs: perfsmith compare BASE HEAD")
    except (Refusal, RepoError, ConfigError, WorkloadError) as exc:
        typer.secho(f"perfsmith: {exc}", err=True, fg="red")
        raise typer.Exit(USAGE_ERROR) from None
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        print_comparison(result, Console(), labels)


app.command("pr")(pr_command)
app.command("bench")(bench_command)


def main() -> None:
    app()
