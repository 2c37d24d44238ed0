"""Flamegraphs of a finished run, before and after its patch, for the pull request.

The stacks are sampled once per run (the base commit, then the base commit with `best.patch`
applied, each in a fresh workspace, through the run's own sandbox) and kept in the run
directory as `flames/before.json` and `flames/after.json`; a later `perfsmith pr` renders them
again without running anything. The SVGs go to `ASSETS/<run id>/before.svg` and `after.svg`:
one folder per run, so a URL in an old pull request keeps pointing at its own images.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from agent.config import OptimizeConfig
from agent.pr.finished import FinishedRun
from agent.pr.stacks import Sampled, sample_stacks
from agent.setup import build_sandbox
from agent.store import RunStore
from evaluation.workloads import workload_from_bench
from profilers.errors import ProfilerUnavailable, WorkloadFailed
from profilers.flamegraph import render_svg
from sandbox.workspace import RepoError, RepoInfo, clone, snapshot

SIDES = ("before", "after")


@dataclass(frozen=True)
class Assets:
    """Where the SVGs go, and how the PR body can point at them."""

    directory: Path
    url: str | None = None  # public base URL the directory's contents are served from
    artifact: str | None = None  # name of the workflow artifact the directory is uploaded as
    run_link: str | None = None  # the workflow run's page, which lists its artifacts


@dataclass(frozen=True)
class Flamegraphs:
    assets: Assets
    files: tuple[str, ...] = ()  # relative to the assets directory: "<run id>/before.svg", ...
    problem: str = ""  # why there are none, in one line


def workflow_run_link(env: Mapping[str, str]) -> str | None:
    """The page of the GitHub Actions run perfsmith is part of (it lists the run's artifacts)."""
    names = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    server, repo, run_id = (env.get(name) for name in names)
    return (
        f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None
    )


def flamegraphs(root: Path, run: FinishedRun, assets: Assets) -> Flamegraphs:
    """Render the run's before/after flamegraphs into the assets directory, sampling the stacks
    first when the run directory does not hold them yet."""
    try:
        sampled = stored_or_sampled(root, run)
    except (ProfilerUnavailable, WorkloadFailed, RepoError) as exc:
        # The speedup is proven without them: a PR loses its pictures, not its evidence.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Flamegraphs(assets, problem=f"sampling the workload failed: {reason}")
    folder = assets.directory / run.run_id
    folder.mkdir(parents=True, exist_ok=True)
    what = {"before": f"base commit {run.report.base_commit[:10]}", "after": "with this patch"}
    for side, record in sampled.items():
        runs = f"{record.runs} runs" if record.runs > 1 else "one run"
        subtitle = (f"py-spy, {sum(record.stacks.values())} samples at {record.rate} Hz, "
                    f"{runs} of `{run.report.bench}` ({record.wall_seconds:.2f} s)")  # fmt: skip
        svg = render_svg(record.stacks, f"{side}: {what[side]}", subtitle)
        (folder / f"{side}.svg").write_text(svg)
    return Flamegraphs(assets, files=tuple(f"{run.run_id}/{side}.svg" for side in SIDES))


def stored_or_sampled(root: Path, run: FinishedRun) -> dict[str, Sampled]:
    names = {side: f"flames/{side}.json" for side in SIDES}
    if not all((run.dir / name).is_file() for name in names.values()):
        sampled = sample_run(root, run)
        (run.dir / "flames").mkdir(exist_ok=True)
        store = RunStore(run.dir)  # atomic writes: a kill leaves no half record to read back
        for side, record in sampled.items():
            store.write_text(names[side], record.model_dump_json(indent=2))
    return {side: Sampled.model_validate_json((run.dir / name).read_text())
            for side, name in names.items()}  # fmt: skip


def sample_run(root: Path, run: FinishedRun) -> dict[str, Sampled]:
    """Sample the workload at the base commit and with the patch, as the run configured it."""
    config = OptimizeConfig.model_validate(run.state.config)
    workload = workload_from_bench(config.bench, config.bench_timeout)
    with tempfile.TemporaryDirectory(prefix="perfsmith-flames-") as tmp:
        base = RepoInfo(root, run.report.base_commit, False)
        before = snapshot(base, Path(tmp) / "before", include_uncommitted=False)
        after = clone(before, Path(tmp) / "after")
        apply_patch(after, run.patch_text)
        sandbox = build_sandbox(config.sandbox)
        try:
            return {side: sample_stacks(workload, ws, sandbox)
                    for side, ws in zip(SIDES, (before, after), strict=True)}  # fmt: skip
        finally:
            sandbox.close()


def apply_patch(workspace: Path, patch: str) -> None:
    done = subprocess.run(["git", "-C", str(workspace), "apply", "--whitespace=nowarn", "-"],
                          input=patch, capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RepoError(
            f"best.patch does not apply to the base commit: {done.stderr.strip()[:200]}"
        )
