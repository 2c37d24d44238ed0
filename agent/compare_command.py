"""`perfsmith compare`: the measurement engine on its own, for people and scripts.

Two commands (`--a CMD --b CMD`, run in the current directory, like hyperfine but with a
significance test), or two git refs of a repository on its workload, each checked out into a
private workspace."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from statistics import median

from rich.console import Console

from agent.config import load_config, workload_from_bench
from evaluation.compare import SamplingPolicy
from evaluation.comparison import Comparison, run_comparison
from evaluation.measure import WorkloadRunner
from sandbox import workspace
from sandbox.api import Sandbox, Workload
from sandbox.workspace import RepoError, RepoInfo, inspect_repo


def compare_commands(
    sandbox: Sandbox, a: str, b: str, cwd: Path, policy: SamplingPolicy, instructions: bool
) -> Comparison:
    scratch = workspace.new_scratch_dir("perfsmith-compare-")
    return run_comparison(
        WorkloadRunner(sandbox, Workload(command=a), cwd),
        WorkloadRunner(sandbox, Workload(command=b), cwd),
        policy,
        scratch,
        instructions=instructions,
        cold_run=False,
    )


def compare_refs(
    sandbox: Sandbox,
    repo_path: Path,
    base: str,
    head: str,
    bench: str | None,
    policy: SamplingPolicy,
    instructions: bool,
) -> Comparison:
    repo = inspect_repo(repo_path)
    config = load_config(repo.root, {"bench": bench})
    workload = workload_from_bench(config.bench, config.bench_timeout)
    scratch = workspace.new_scratch_dir("perfsmith-compare-")
    try:
        spaces = [
            workspace.snapshot(
                RepoInfo(repo.root, _resolve(repo.root, ref), False),
                scratch / name,
                include_uncommitted=False,
            )
            for name, ref in (("base", base), ("head", head))
        ]
        return run_comparison(
            WorkloadRunner(sandbox, workload, spaces[0]),
            WorkloadRunner(sandbox, workload, spaces[1]),
            policy,
            scratch / "guards",
            instructions=instructions,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def print_comparison(result: Comparison, console: Console, labels: tuple[str, str]) -> None:
    v = result.verdict
    if v is None:
        console.print(f"[red]outputs differ: {result.output.detail}[/] — no speed verdict")
        return
    a_med, b_med = median(v.a_samples), median(v.b_samples)
    console.print(
        f"[bold]{v.outcome}[/]: {labels[1]} is {v.speedup:.3f}x the speed of {labels[0]} "
        f"({v.confidence:.1%} CI {v.ci_low:.3f}-{v.ci_high:.3f}, one-sided {v.test_name} p={v.p_value:.2g})",
        highlight=False,
    )
    console.print(
        f"median {a_med * 1000:.1f} ms vs {b_med * 1000:.1f} ms; samples {len(v.a_samples)}/"
        f"{len(v.b_samples)}; {v.seconds_spent:.1f}s spent; minimum effect {v.min_effect:.0%}",
        highlight=False,
    )
    if result.instructions_a and result.instructions_b:
        ia, ib = result.instructions_a.instructions, result.instructions_b.instructions
        text = (
            f"{ia:,} vs {ib:,} ({ia / ib:.3f}x)"
            if ia and ib
            else f"unavailable ({result.instructions_a.note or result.instructions_b.note})"
        )
        console.print(f"instructions (callgrind): {text}", highlight=False)
    for note in [*v.notes, *result.notes]:
        console.print(f"- {note}", highlight=False)


def _resolve(root: Path, ref: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RepoError(f"{ref!r} is not a commit of {root}")
    return done.stdout.strip()
