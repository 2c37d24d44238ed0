"""The one real run: `perfsmith pr --dry-run` optimizes a tiny project (a list used as a seen
set, which the offline rules proposer fixes), then commits the verified patch on a local
perfsmith/ branch and writes the PR body. Nothing is pushed and no API is called."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git
from test_pr_support import ci_env, pr_app, project
from typer.testing import CliRunner

from agent.pr.finished import load_run
from agent.pr.state import read

pytestmark = pytest.mark.e2e
BENCH = "from shop.core import unique\n\nunique([i % 4000 for i in range(8000)])\n"


def test_pr_dry_run_optimizes_commits_and_writes_the_body(tmp_path: Path) -> None:
    repo = project(tmp_path)
    (repo / "bench.py").write_text(BENCH)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "a bigger workload")
    args = ["pr", str(repo), "--dry-run", "--proposer", "rules", "--bench", "python bench.py",
            "--test", "python -m pytest -q -p no:cacheprovider", "--budget", "rounds=1,minutes=8"]  # fmt: skip
    done = CliRunner().invoke(pr_app(), args, env=ci_env())
    assert done.exit_code == 0, done.output
    (run_dir,) = (repo / ".perfsmith" / "runs").iterdir()
    run = load_run(run_dir)
    assert run.report.accepted, run.report.rejected
    assert run.report.final is not None and run.report.final.ci_low > 1.05
    (branch,) = git(repo, "branch", "--list", "perfsmith/*", "--format=%(refname:short)").split()
    changed = git(repo, "diff", "--name-only", f"main...{branch}").split()
    assert changed == ["shop/core.py"]
    body = (run_dir / "pr-body.md").read_text()
    state = read(body)
    assert state is not None and state.targets == ["shop/core.py::unique"]
    assert "## Edits" in body and "`shop/core.py` `unique`" in body
    assert "Before (round 1):" in body
    assert git(repo, "status", "--porcelain") == ""  # the checkout is untouched
    assert git(tmp_path / "origin.git", "branch", "--list", "perfsmith/*") == ""
