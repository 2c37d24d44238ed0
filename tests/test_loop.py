"""The real loop on a tiny repository, with a Proposer written for the test that returns
fixed edits: one good, the rest each broken in a different way."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import make_repo

from agent.config import OptimizeConfig
from agent.loop import Optimizer
from agent.records import Edit, Feedback, ProposalContext, Replacement, RunState, Target
from agent.store import RunStore
from profilers import get_profiler
from sandbox import workspace
from sandbox.local import LocalSandbox
from sandbox.workspace import inspect_repo

SLOW = """def total(n):
    acc = 0
    for i in range(n):
        acc += i * i
    return acc
"""
FAST = """def total(n):
    return (n - 1) * n * (2 * n - 1) // 6
"""
FILES = {
    "calc.py": SLOW,
    "bench.py": "from calc import total\nfor _ in range(6):\n    x = total(300_000)\nprint(x)\n",
    "tests/test_calc.py": "from calc import total\n\ndef test_total():\n    assert total(4) == 14\n    assert total(0) == 0\n",
    "pyproject.toml": '[tool.perfsmith]\nbench = "python bench.py"\n',
}


def rep(search: str, replace: str, path: str = "calc.py") -> list[Replacement]:
    return [Replacement(path=path, search=search, replace=replace)]


class FixedProposer:
    name = "fixed"

    def __init__(self) -> None:
        self.calls = 0

    def propose(
        self, target: Target, context: ProposalContext, feedback: list[Feedback]
    ) -> list[Edit]:
        self.calls += 1
        assert target.hotspot.function == "total" and "acc += i * i" in target.source

        def make(rule: str, reps: list[Replacement]) -> Edit:
            return Edit(
                proposer="fixed",
                rule=rule,
                title=rule,
                rationale="test",
                file="calc.py",
                function="total",
                replacements=reps,
            )

        return [
            make("syntax", rep("acc = 0", "acc = (")),
            make("tests-fail", rep("acc += i * i", "acc += i")),
            make("output-changes", rep("    return acc", "    return acc + (n > 1000)")),
            make("does-not-apply", rep("no such text", "x")),
            make("touches-tests", rep("assert total(4) == 14", "pass", path="tests/test_calc.py")),
            make("closed-form", rep(SLOW, FAST)),
            make("same-speed", rep("acc = 0", "acc = 0  # noop comment")),
        ]


def run_loop(
    tmp_path: Path, proposer: FixedProposer, rounds: int = 1
) -> tuple[Optimizer, RunStore, object]:
    repo = make_repo(tmp_path / "repo", FILES)
    info = inspect_repo(repo)
    config = OptimizeConfig(
        bench="python bench.py",
        test="python -m pytest -q -p no:cacheprovider",
        budget={"rounds": rounds, "minutes": 5},
        measure_seconds=20,
        hotspots=1,
    )
    store = RunStore(tmp_path / "run")
    state = RunState(
        run_id="t",
        repo=repo,
        base_commit=info.head,
        config=config.model_dump(mode="json"),
        started_at=time.time(),
    )
    baseline = workspace.snapshot(
        info, tmp_path / "scratch" / "baseline", include_uncommitted=False
    )
    optimizer = Optimizer(
        config,
        state,
        store,
        LocalSandbox(),
        get_profiler("auto"),
        proposer,
        tmp_path / "scratch",
        lambda kind, msg: None,
    )
    return optimizer, store, optimizer.run(baseline)


def test_each_judge_rejects_its_kind_of_bad_edit_and_the_good_one_is_kept(tmp_path: Path) -> None:
    optimizer, store, outcome = run_loop(tmp_path, FixedProposer())
    by_rule = {c.edit.rule: c for c in store.candidates()}
    assert "syntax" in by_rule["syntax"].reason
    assert by_rule["tests-fail"].reason.startswith("tests failed")
    assert by_rule["output-changes"].reason == "workload output changed"
    assert "does not apply" in by_rule["does-not-apply"].reason
    assert "protected" in by_rule["touches-tests"].reason
    assert by_rule["closed-form"].status == "accepted"
    good = by_rule["closed-form"].verdict
    assert good is not None and good.outcome == "faster" and good.ci_low > 1.02
    # Tried after the accepted edit, on top of it: its search text is gone, so it is stale.
    assert by_rule["same-speed"].status == "stale"
    assert outcome.final is not None and outcome.final.ci_low > 1  # type: ignore[attr-defined]
    assert optimizer.state.accepted == [by_rule["closed-form"].id]
    assert (store.dir / "profiles" / "round-1.json").exists()


def test_failing_baseline_tests_stop_the_run(tmp_path: Path) -> None:
    files = dict(FILES)
    files["tests/test_calc.py"] = "def test_broken():\n    assert False\n"
    repo = make_repo(tmp_path / "repo", files)
    info = inspect_repo(repo)
    config = OptimizeConfig(bench="python bench.py")
    store = RunStore(tmp_path / "run")
    state = RunState(run_id="t", repo=repo, base_commit=info.head)
    baseline = workspace.snapshot(info, tmp_path / "s" / "baseline", include_uncommitted=False)
    proposer = FixedProposer()
    outcome = Optimizer(
        config,
        state,
        store,
        LocalSandbox(),
        get_profiler("auto"),
        proposer,
        tmp_path / "s",
        lambda k, m: None,
    ).run(baseline)
    assert "baseline tests do not pass" in outcome.state.stop_reason
    assert proposer.calls == 0 and outcome.candidates == []
