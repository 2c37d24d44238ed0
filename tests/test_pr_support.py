"""Builders shared by the tests of `perfsmith pr` (this module holds no tests): a small git
project with a bare remote on disk, and finished run directories written with the real records,
so every test starts from what `perfsmith optimize` leaves behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import typer
from conftest import git, make_repo

from agent.pr.command import pr_command
from agent.records import Candidate, Edit, Replacement, RunState
from agent.report import EditLine, Report
from agent.store import RunStore
from evaluation.records import SpeedVerdict
from profilers.api import Hotspot, Profile

SLOW = """def unique(items):
    seen = []
    for v in items:
        if v not in seen:
            seen.append(v)
    return seen


def total(prices):
    return sum(prices)
"""
FAST = SLOW.replace("    seen = []\n", "    seen = []\n    seen_set = set()\n").replace(
    "        if v not in seen:\n            seen.append(v)\n",
    "        if v not in seen_set:\n            seen_set.add(v)\n            seen.append(v)\n",
)
BENCH = "from shop.core import unique\n\nunique([i % 2500 for i in range(5000)])\n"
TESTS = (
    "from shop.core import unique\n\n\ndef test_unique():\n    assert unique([3, 1, 3]) == [3, 1]\n"
)
TITLE = "Track seen items in a set beside the list"


def pr_app() -> typer.Typer:
    """The `pr` command in an app of its own (agent/cli.py registers it in the real one)."""
    app = typer.Typer()
    app.command("pr")(pr_command)

    @app.callback()
    def _root() -> None:
        """Keeps `pr` a subcommand."""

    return app


def ci_env(**values: str) -> dict[str, str | None]:
    """Environment for a command under test: GitHub's variables unset unless given."""
    names = ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_REPOSITORY",
             "GITHUB_API_URL", "GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_RUN_ID")  # fmt: skip
    return {name: None for name in names} | values


def project(tmp_path: Path, core: str = SLOW) -> Path:
    """The shop project, pushed to a bare repository on disk that is its `origin`."""
    repo = make_repo(tmp_path / "shop", {"shop/__init__.py": "", "shop/core.py": core,
                                         "bench.py": BENCH, "tests/test_core.py": TESTS})  # fmt: skip
    git(repo, "branch", "-M", "main")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main")
    return repo


def fast_patch(repo: Path) -> str:
    """best.patch as the run writes it: the edit against the base commit."""
    core = repo / "shop/core.py"
    before = core.read_text()
    core.write_text(FAST)
    try:
        return git(repo, "diff", "--binary", "HEAD")
    finally:
        core.write_text(before)


def verdict(speedup: float, low: float, high: float) -> SpeedVerdict:
    return SpeedVerdict(outcome="faster", speedup=speedup, ci_low=low, ci_high=high, confidence=0.95,
                        p_value=0.0004, min_effect=0.02, a_samples=[0.2] * 12, b_samples=[0.11] * 12,
                        seconds_spent=9.0)  # fmt: skip


def profile(self_percent: float) -> Profile:
    spots = [Hotspot(function="unique", file="shop/core.py", start_line=1, end_line=6,
                     self_samples=int(self_percent * 10), total_samples=int(self_percent * 10),
                     self_percent=self_percent, total_percent=self_percent),
             Hotspot(function="<module>", file="bench.py", start_line=1, end_line=3, self_samples=5,
                     total_samples=1000, self_percent=0.5, total_percent=100.0)]  # fmt: skip
    return Profile(profiler="py-spy", total_samples=1000, wall_seconds=0.2, hotspots=spots)


def finished_run(repo: Path, run_id: str = "20250101-000000-abcdef", *, speedup: tuple[float, float, float] = (1.8, 1.6, 2.0),
                 rounds: int = 2, extra: dict[str, Any] | None = None) -> Path:  # fmt: skip
    """A finished run with one accepted edit (`unique` gets a seen set) and one rejected."""
    store = RunStore(repo / ".perfsmith" / "runs" / run_id)
    (repo / ".perfsmith" / ".gitignore").write_text("*\n")
    patch = fast_patch(repo)
    base = git(repo, "rev-parse", "HEAD").strip()
    edit = Edit(proposer="rules", rule="seen-set", title=TITLE, file="shop/core.py", function="unique",
                rationale="Testing `v not in seen` on a list scans it: O(n) per item.",
                replacements=[Replacement(path="shop/core.py", search=SLOW, replace=FAST)])  # fmt: skip
    final = verdict(*speedup)
    good = Candidate(id="c1", round=1, edit=edit, parent="baseline", status="accepted",
                     reason=final.summary(), diff=patch, tests_seconds=1.5, verdict=final,
                     notes=["cold-run guard: no files written"])  # fmt: skip
    bad_edit = edit.model_copy(update={"title": "Cache unique", "rule": "llm"})
    bad = Candidate(id="c2", round=1, edit=bad_edit, parent="c1", status="rejected",
                    reason="tests failed: exit 1; AssertionError")  # fmt: skip
    for cand in (good, bad):
        store.save_candidate(cand)
    for number in range(1, rounds + 1):
        store.save_profile(number, profile(80.0 if number == 1 else 20.0))
    store.save_state(RunState(run_id=run_id, repo=repo, base_commit=base, round=rounds, accepted=["c1"],
                              finished=True, stop_reason="round budget spent",
                              config={"bench": "python bench.py", "test": "python -m pytest -q"}))  # fmt: skip
    line = EditLine(candidate="c1", title=TITLE, where="shop/core.py:unique", rule="seen-set",
                    proposer="rules", status="accepted", reason=final.summary(), rationale=edit.rationale,
                    speedup=final.speedup, ci_low=final.ci_low, ci_high=final.ci_high,
                    p_value=final.p_value, verdict=final)  # fmt: skip
    rejected = EditLine(candidate="c2", title="Cache unique", where="shop/core.py:unique", rule="llm",
                        proposer="llm", status="rejected", reason=bad.reason)  # fmt: skip
    report = Report(run_id=run_id, repo=str(repo), base_commit=base, bench="python bench.py",
                    test="python -m pytest -q", proposer="rules", stop_reason="round budget spent",
                    rounds=rounds, elapsed_seconds=42.0, baseline_seconds=0.2, best_seconds=0.11,
                    final=final, accepted=[line], rejected=[rejected],
                    notes=["workload output compared with the baseline's"],
                    patch=str(store.write_text("best.patch", patch)))  # fmt: skip
    raw = report.model_dump(mode="json") | (extra or {})
    store.write_text("report.json", json.dumps(raw, indent=2))
    return store.dir
