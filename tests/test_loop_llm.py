"""The real loop with the LLM proposer and the scripted model: duplicates are measured once,
a candidate that breaks the tests gets one repair turn with their output, and the cost
ledger stops a run cleanly."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import make_repo
from test_loop import FAST, FILES, SLOW

from agent.config import OptimizeConfig
from agent.ledger import Ledger
from agent.loop import Optimizer
from agent.proposers.llm import LLMProposer
from agent.proposers.scripted_model import ScriptedChatModel
from agent.records import RunState
from agent.store import RunStore
from profilers import get_profiler
from sandbox import workspace
from sandbox.local import LocalSandbox
from sandbox.workspace import inspect_repo


def reply(title: str, search: str, replace: str) -> str:
    return (
        f"TITLE: {title}\nRATIONALE: test\n\ncalc.py\n<<<<<<< SEARCH\n{search}=======\n"
        f"{replace}>>>>>>> REPLACE\n"
    )


BROKEN = reply("Add less", "        acc += i * i\n", "        acc += i\n")
BROKEN_AGAIN = reply(
    "Add less, commented", "        acc += i * i\n", "        acc += i  # same program\n"
)
REPAIRED = reply("Closed form", SLOW, FAST)


def run(
    tmp_path: Path, replies: list[str], **config: object
) -> tuple[Optimizer, RunStore, ScriptedChatModel]:
    repo = make_repo(tmp_path / "repo", FILES)
    info = inspect_repo(repo)
    settings = OptimizeConfig(
        bench="python bench.py",
        budget={"rounds": 1, "minutes": 5},
        measure_seconds=20,
        hotspots=1,
        model="scripted:x",
        **config,
    )  # type: ignore[arg-type]
    store = RunStore(tmp_path / "run")
    state = RunState(run_id="t", repo=repo, base_commit=info.head, started_at=time.time())
    baseline = workspace.snapshot(info, tmp_path / "s" / "baseline", include_uncommitted=False)
    model = ScriptedChatModel(replies=replies)
    ledger = Ledger()
    proposer = LLMProposer(model, samples=settings.samples, ledger=ledger)
    optimizer = Optimizer(
        settings,
        state,
        store,
        LocalSandbox(),
        get_profiler("auto"),
        proposer,
        tmp_path / "s",
        lambda k, m: None,
        ledger,
    )
    optimizer.run(baseline)
    return optimizer, store, model


def test_a_second_edit_producing_the_same_program_is_not_measured(tmp_path: Path) -> None:
    _, store, _ = run(tmp_path, [BROKEN, BROKEN_AGAIN, "no idea"], samples=2)
    assert [c.edit.title for c in store.candidates()] == ["Add less"]
    events = [json.loads(line) for line in (store.dir / "events.jsonl").read_text().splitlines()]
    assert [e["message"] for e in events if e["kind"] == "duplicate"] == [
        "Add less, commented: same program as an edit already judged"
    ]


def test_a_broken_edit_gets_one_repair_with_the_failing_output(tmp_path: Path) -> None:
    _, store, model = run(tmp_path, [BROKEN, REPAIRED])
    by_title = {c.edit.title: c for c in store.candidates()}
    assert by_title["Add less"].reason.startswith("tests failed")
    assert (
        by_title["Closed form"].status == "accepted"
        and by_title["Closed form"].edit.rule == "llm-repair"
    )
    repair_prompt = "\n".join(str(m.content) for m in model.received[-1])
    assert (
        "test_total" in repair_prompt and "assert" in repair_prompt
    )  # the failing output was shown
    ledger = json.loads((store.dir / "ledger.json").read_text())
    assert ledger["summary"]["calls"] == 2
    assert (
        by_title["Closed form"].tokens > 0 and by_title["Add less"].tokens > 0
    )  # cost in the tree


def test_token_budget_stops_the_run_cleanly(tmp_path: Path) -> None:
    optimizer, store, _ = run(tmp_path, [REPAIRED], max_tokens=1)
    assert "token" in optimizer.state.stop_reason
    assert optimizer.state.finished and store.candidates() == []
