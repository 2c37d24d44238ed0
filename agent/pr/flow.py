"""What `perfsmith pr` does, top to bottom: check the CI context, get a finished run (run
optimize, or read the given one), ask the quiet rules, then commit, push and open the PR, or
post a review on an existing PR (`--comment`). `--dry-run` stops before the network."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.pr import PrError
from agent.pr.body import pr_body, pr_title
from agent.pr.changed import changed_functions, function_hash, git, pr_hunks
from agent.pr.finished import FinishedRun, load_run
from agent.pr.flames import Assets, flamegraphs
from agent.pr.github_api import DEFAULT_API_URL, GitHubClient
from agent.pr.gitops import (
    COMMIT_MARKER,
    branch_name,
    commit_patch,
    head_message,
    push,
    remote_url,
    slug_from_url,
)
from agent.pr.quiet import Proposal, QuietPolicy, decide, evidence_problem, history_problems
from agent.pr.review import build_review
from agent.pr.safety import CiContext, ci_context, is_own_commit, refuse_unsafe
from agent.pr.state import ProposalState
from agent.records import content_hash
from sandbox.workspace import inspect_repo

Say = Callable[[str], None]
# Runs `perfsmith optimize` on the repository with these config overrides; returns the run directory.
Optimize = Callable[[Path, dict[str, Any]], Path]


@dataclass(frozen=True)
class PrOptions:
    path: Path = Path(".")
    runs: list[str] = field(default_factory=list)  # finished run ids or directories
    # optimize settings (bench, budget, ...); None means "as configured"
    overrides: dict[str, Any] = field(default_factory=dict)
    remote: str = "origin"
    slug: str | None = None
    api_url: str = DEFAULT_API_URL
    base_branch: str | None = None
    label: str = "perfsmith"
    policy: QuietPolicy = field(default_factory=QuietPolicy)
    dry_run: bool = False
    output: Path | None = None
    comment: bool = False
    pr_number: int | None = None
    base_ref: str | None = None  # the PR's base, for --comment --dry-run
    assets: Assets | None = None  # where before/after flamegraphs go; None: none are made


def run_pr(opts: PrOptions, env: Mapping[str, str], optimize: Optimize, say: Say) -> int:
    root = inspect_repo(opts.path).root
    ctx = ci_context(env)
    refuse_unsafe(ctx)
    if is_own_commit(head_message(root)):
        say(f"skipped: HEAD is perfsmith's own commit ({COMMIT_MARKER})")
        return 0
    if opts.comment:
        return comment_on_pr(root, opts, ctx, env, optimize, say)
    if ctx.fork:
        raise PrError("a fork's code cannot open PRs; use --comment (it writes to the job summary)")
    return open_prs(root, opts, env, optimize, say)


def open_prs(
    root: Path, opts: PrOptions, env: Mapping[str, str], optimize: Optimize, say: Say
) -> int:
    paths = [find_run(root, r) for r in opts.runs] or [optimize(root, opts.overrides)]
    client = None if opts.dry_run else connect(root, opts, env)
    history = client.past_proposals(opts.label) if client else []
    if client is None:
        say("dry run: nothing is pushed and GitHub is not asked about open perfsmith PRs")
    proposals = [Proposal(run, proposal_state(root, run)) for run in map(load_run, paths)]
    for decision in decide(proposals, history, opts.policy):
        if decision.go:
            open_one(root, decision.proposal, opts, client, say)
        else:
            say(f"quiet: run {decision.proposal.run.run_id}: " + "; ".join(decision.reasons))
    return 0


def open_one(
    root: Path, proposal: Proposal, opts: PrOptions, client: GitHubClient | None, say: Say
) -> None:
    """Commit the run's patch on its branch, write the body; unless a dry run, push and open."""
    run, state = proposal.run, proposal.state
    branch = branch_name([line.title for line, _ in run.accepted()], state.patch)
    summary = run.report.final.summary() if run.report.final else ""
    message = f"{pr_title(run)} {COMMIT_MARKER}\n\nperfsmith run {run.run_id}: {summary}\n"
    sha = commit_patch(root, run.patch_text, branch, run.report.base_commit, message)
    flames = flamegraphs(root, run, opts.assets) if opts.assets else None
    if flames:
        made = ", ".join(str(flames.assets.directory / name) for name in flames.files)
        say(f"no flamegraphs: {flames.problem}" if flames.problem else f"flamegraphs: {made}")
    body = pr_body(run, state, opts.policy.min_effect, flames)
    body_file = write_text(opts.output or run.dir / "pr-body.md", body)
    if client is None:
        say(f"dry run: committed branch {branch} ({sha[:10]}) locally; PR body in {body_file}")
        return
    push(root, opts.remote, branch)
    base = opts.base_branch or client.default_branch
    url = client.open_pull(
        title=pr_title(run), body=body, head=branch, base=base, labels=[opts.label]
    )
    say(f"opened {url} from branch {branch}")


def comment_on_pr(
    root: Path,
    opts: PrOptions,
    ctx: CiContext,
    env: Mapping[str, str],
    optimize: Optimize,
    say: Say,
) -> int:
    number = opts.pr_number or ctx.pr_number
    if number is None:
        raise PrError("--comment needs --pr NUMBER")
    head = git(root, "rev-parse", "HEAD").strip()
    client = None if opts.dry_run else connect(root, opts, env)
    base, fork = pr_base(opts, client, number, head, ctx.fork)
    changed = changed_functions(root, base)
    if not changed:
        say(f"quiet: PR #{number} changes no Python function")
        return 0
    say(f"PR #{number} changes {len(changed)} function(s): {', '.join(sorted(changed))}")
    if opts.runs:
        run = load_run(find_run(root, opts.runs[0]))
    else:
        run = load_run(optimize(root, comment_overrides(opts.overrides, changed, fork)))
    state = proposal_state(root, run)
    problems = [p for p in [evidence_problem(run, opts.policy.min_effect)] if p]
    if outside := [t for t in run.targets() if t not in changed]:
        problems.append(f"the run changed functions this PR did not: {', '.join(outside)}")
    problems += history_problems(state, client.past_reviews(number) if client else [])
    if problems:
        say(f"quiet: PR #{number}: " + "; ".join(problems))
        return 0
    hunks = pr_hunks(root, base, "HEAD", context=3)  # GitHub's diff view: 3 lines of context
    review = build_review(run, hunks, state, opts.policy.min_effect)
    out = write_text(opts.output or run.dir / "review.md", review.body)
    write_text(out.with_suffix(".json"), json.dumps({"comments": review.comments}, indent=2))
    if client is None or fork:
        if fork and (summary := env.get("GITHUB_STEP_SUMMARY")):
            with Path(summary).open("a") as handle:
                handle.write(review.body)
        why = "dry run" if client is None else "a fork's PR (its token cannot post)"
        say(f"{why}: review for PR #{number} written to {out}, not posted")
        return 0
    client.post_review(number, head, review.body, review.comments)
    say(f"posted a review on PR #{number} with {len(review.comments)} suggestion(s)")
    return 0


def pr_base(
    opts: PrOptions, client: GitHubClient | None, number: int, head: str, fork: bool
) -> tuple[str, bool]:
    """The PR's base commit, and whether its code comes from a fork (the event or the API say so)."""
    if client is None:
        if not opts.base_ref:
            raise PrError(
                "--comment --dry-run needs --base REF: without the API the base is unknown"
            )
        return opts.base_ref, fork
    info = client.pull_info(number)
    if info.head_sha != head:
        # Suggestions name line numbers of the PR's head: any other checkout would misplace them.
        raise PrError(
            f"the checkout is at {head[:10]} but PR #{number}'s head is {info.head_sha[:10]}"
        )
    return opts.base_ref or info.base_sha, fork or info.fork


def comment_overrides(overrides: dict[str, Any], changed: set[str], fork: bool) -> dict[str, Any]:
    """The optimize settings for --comment: only the PR's functions; offline for a fork."""
    found = {**overrides, "only_functions": sorted(changed)}
    if fork:  # no secrets and no model calls for code from a fork, whatever the config says
        found.update(proposer="rules", model=None)
    return found


def proposal_state(root: Path, run: FinishedRun) -> ProposalState:
    code = [
        function_hash(root, run.report.base_commit, *key.split("::", 1)) for key in run.targets()
    ]
    return ProposalState(run_id=run.run_id, targets=run.targets(), code=code,
                         patch=content_hash(run.patch_text))  # fmt: skip


def connect(root: Path, opts: PrOptions, env: Mapping[str, str]) -> GitHubClient:
    token = env.get("GITHUB_TOKEN")
    if not token:
        raise PrError("GITHUB_TOKEN is not set (needed to talk to GitHub; --dry-run needs none)")
    slug = (
        opts.slug
        or env.get("GITHUB_REPOSITORY")
        or slug_from_url(remote_url(root, opts.remote) or "")
    )
    if not slug:
        raise PrError(
            f"cannot tell the GitHub repository from remote {opts.remote!r}; pass --repo OWNER/NAME"
        )
    return GitHubClient(slug, token, opts.api_url)


def find_run(root: Path, run: str) -> Path:
    as_path = Path(run)
    found = as_path if as_path.is_dir() else root / ".perfsmith" / "runs" / run
    if not (found / "report.json").is_file():
        raise PrError(f"no finished run {run!r} (looked in {found})")
    return found


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
