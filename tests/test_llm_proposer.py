from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable

from agent.edits import apply_edit
from agent.guards import protected_reason
from agent.ledger import Ledger
from agent.proposers.llm import LLMProposer, parse_header
from agent.proposers.prompts import FOCUSES, Attempt
from agent.proposers.scripted_model import ScriptedChatModel, ScriptedReply
from agent.records import Edit, Feedback, ProposalContext, Target
from profilers.api import Hotspot, LineSamples, Profile

SLOW = """def count_common(xs, ys):
    total = 0
    for x in xs:
        if x in ys:
            total += 1
    return total
"""

GOOD = """TITLE: Use a set for the membership test
RATIONALE: `x in ys` scans the list for every x; a set lookup is O(1).
The count is the same because only membership is asked.

pkg/slow.py
<<<<<<< SEARCH
    total = 0
    for x in xs:
=======
    total = 0
    ys = set(ys)
    for x in xs:
>>>>>>> REPLACE
"""

# The loop line is indented wrongly, as models often get it.
MISMATCH = GOOD.replace("    total = 0\n    for x in xs:\n=", "    total = 0\n  for x in xs:\n=")
MALFORMED = GOOD.replace("=======\n", "")
READ = {
    "tool_calls": [{"name": "read_file", "args": {"path": "pkg/slow.py", "start": 1, "end": 3}}]
}
TOUCHES_TESTS = """TITLE: Make the test lenient
RATIONALE: wrong on purpose.

tests/test_slow.py
<<<<<<< SEARCH
    assert count_common([1], [1]) == 1
=======
    assert True
>>>>>>> REPLACE
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/slow.py").write_text(SLOW)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_slow.py").write_text(
        "from pkg.slow import count_common\n\n\ndef test_count():\n"
        "    assert count_common([1], [1]) == 1\n"
    )
    return tmp_path


@pytest.fixture
def target() -> Target:
    spot = Hotspot(
        function="count_common", file="pkg/slow.py", start_line=1, end_line=6,
        self_samples=90, total_samples=95, self_percent=90.0, total_percent=95.0,
        lines=[LineSamples(line=4, samples=80), LineSamples(line=5, samples=10)], callers=["main"],
    )  # fmt: skip
    return Target(hotspot=spot, source=SLOW)


@pytest.fixture
def context(workspace: Path, target: Target) -> ProposalContext:
    profile = Profile(
        profiler="py-spy", total_samples=100, wall_seconds=1.0, hotspots=[target.hotspot]
    )
    return ProposalContext(
        workspace=workspace, profile=profile, workload="python bench.py", test_command="pytest -q"
    )


def propose(
    replies: list[ScriptedReply], target: Target, context: ProposalContext, samples: int = 1
) -> tuple[LLMProposer, list[Edit]]:
    proposer = LLMProposer(ScriptedChatModel(replies=replies), samples=samples)
    return proposer, proposer.propose(target, context, [])


def test_a_valid_reply_becomes_an_edit_that_applies(
    target: Target, context: ProposalContext
) -> None:
    model = ScriptedChatModel(replies=[GOOD])
    proposer = LLMProposer(model)
    feedback = [Feedback(edit_title="Cache ys", status="rejected", reason="tests failed")]
    [edit] = proposer.propose(target, context, feedback)

    assert proposer.last_error is None
    assert (edit.proposer, edit.rule, edit.file, edit.function) == (
        "llm",
        "llm",
        "pkg/slow.py",
        "count_common",
    )
    assert edit.title == "Use a set for the membership test"
    assert edit.rationale.startswith("`x in ys` scans the list") and edit.rationale.endswith(
        "is asked."
    )
    apply_edit(edit, context.workspace)
    assert "    ys = set(ys)\n    for x in xs:" in (context.workspace / "pkg/slow.py").read_text()

    [messages] = model.received
    prompt = str(messages[1].content)
    assert "    4      80  80.0% |         if x in ys:" in prompt
    assert "'Cache ys': rejected: tests failed" in prompt


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Sure! I would use a set.", "no SEARCH/REPLACE blocks found"),
        ("", "empty reply"),
        ("  \n", "empty reply"),
    ],
)
def test_replies_without_any_block_get_no_fix_turn(
    target: Target, context: ProposalContext, reply: str, reason: str
) -> None:
    proposer, edits = propose([reply, GOOD], target, context)
    assert edits == []
    assert proposer.last_error is not None and reason in proposer.last_error
    assert proposer.last_replies == [reply]  # GOOD is left for the next sample


def test_a_search_that_does_not_match_names_the_nearest_lines(
    target: Target, context: ProposalContext
) -> None:
    proposer, edits = propose([MISMATCH, MISMATCH], target, context)
    assert edits == []
    error = proposer.last_error or ""
    assert error.startswith("block 1 (pkg/slow.py): SEARCH text not found")
    assert "    2|     total = 0\n    3|     for x in xs:" in error
    assert "\nafter the fix turn: block 1 (pkg/slow.py): SEARCH text not found" in error
    assert (context.workspace / "pkg/slow.py").read_text() == SLOW  # nothing written


def test_an_exhausted_script_gives_an_empty_reply(target: Target, context: ProposalContext) -> None:
    proposer = LLMProposer(ScriptedChatModel(replies=[GOOD]))
    assert len(proposer.propose(target, context, [])) == 1
    assert proposer.propose(target, context, []) == []
    assert proposer.last_error == "empty reply"


def test_samples_keep_good_edits_once_and_report_the_bad_ones(
    target: Target, context: ProposalContext
) -> None:
    proposer, edits = propose([GOOD, "nonsense", GOOD], target, context, samples=3)
    assert proposer.ledger.totals().calls == 3
    assert len(edits) == 1
    assert (
        proposer.last_error
        == "sample 2: no SEARCH/REPLACE blocks found (a block starts with <<<<<<< SEARCH)"
    )


def test_header_tolerates_markdown_and_missing_parts() -> None:
    assert parse_header("**TITLE:** Faster loop\n**Rationale:** Fewer calls.\n\npkg/a.py\n") == (
        "Faster loop",
        "Fewer calls.",
    )
    assert parse_header("pkg/a.py\n<<<<<<< SEARCH\n") == ("", "")


@pytest.mark.parametrize(("first", "shown"), [(MALFORMED, "block 1: missing ======= divider"),
                                              (MISMATCH, "    3|     for x in xs:")])  # fmt: skip
def test_a_broken_block_gets_one_fix_turn_with_the_error(
    target: Target, context: ProposalContext, first: str, shown: str
) -> None:
    model = ScriptedChatModel(replies=[first, GOOD, GOOD])
    proposer = LLMProposer(model)
    [edit] = proposer.propose(target, context, [])

    assert proposer.last_error is None and model.remaining == 1
    fix_turn = model.received[1]
    assert isinstance(fix_turn[-2], AIMessage) and fix_turn[-2].content == first
    assert isinstance(fix_turn[-1], HumanMessage)
    assert str(fix_turn[-1].content).startswith("Your edit could not be used: ")
    assert shown in str(fix_turn[-1].content)
    assert [c.turn for c in proposer.ledger.calls] == ["prompt", "fix"]
    assert {c.edit_id for c in proposer.ledger.calls} == {edit.id}
    assert proposer.ledger.summary()["fix_turns"] == 1


def test_a_tool_call_then_an_edit(target: Target, context: ProposalContext) -> None:
    model = ScriptedChatModel(replies=[READ, GOOD])
    proposer = LLMProposer(model)
    [edit] = proposer.propose(target, context, [])

    assert edit.title == "Use a set for the membership test"
    second = model.received[1]
    assert isinstance(second[-2], AIMessage) and second[-2].tool_calls[0]["name"] == "read_file"
    result = second[-1]
    assert isinstance(result, ToolMessage) and result.tool_call_id == "call_1_0"
    assert result.content == (
        "pkg/slow.py lines 1-3 of 6:\n    1| def count_common(xs, ys):\n    2|     total = 0\n"
        "    3|     for x in xs:"
    )
    assert proposer.last_replies[0] == "tool calls: read_file(path='pkg/slow.py', start=1, end=3)"
    assert [(c.turn, c.tool_calls) for c in proposer.ledger.calls] == [("prompt", 1), ("tools", 0)]
    assert "read_file, grep, list_symbols" in str(model.received[0][0].content)


def test_tool_rounds_are_limited(target: Target, context: ProposalContext) -> None:
    model = ScriptedChatModel(replies=[READ, READ, GOOD])
    proposer = LLMProposer(model, max_tool_rounds=1)
    assert proposer.propose(target, context, []) == []
    assert proposer.last_error == "still asking for tools after 1 tool rounds"
    assert str(model.received[1][-1].content).endswith(
        "(no tool rounds left: reply with the edit now)"
    )


def variant(title: str, line: str) -> str:
    return GOOD.replace("Use a set for the membership test", title).replace("ys = set(ys)", line)


def test_one_reply_of_each_kind_in_order(target: Target, context: ProposalContext) -> None:
    """valid; malformed then fixed; a tool call then an edit; an edit of a test file; empty."""
    model = ScriptedChatModel(replies=[
        GOOD,
        MALFORMED, variant("Fixed: frozenset", "ys = frozenset(ys)"),
        READ, variant("After reading: set display", "ys = {*ys}"),
        TOUCHES_TESTS,
        "",
    ])  # fmt: skip
    proposer = LLMProposer(model, samples=5)
    edits = proposer.propose(target, context, [])

    assert model.remaining == 0
    assert proposer.last_error == "sample 5: empty reply"
    assert [e.title for e in edits] == ["Use a set for the membership test", "Fixed: frozenset",
                                        "After reading: set display", "Make the test lenient"]  # fmt: skip
    # The proposer passes the test edit on; the loop's guard is what rejects it.
    assert protected_reason(edits[3].replacements[0].path, "python bench.py")
    assert [c.turn for c in proposer.ledger.calls] == ["prompt", "prompt", "fix", "prompt",
                                                       "tools", "prompt", "prompt"]  # fmt: skip


def test_samples_use_each_focus_and_temperature(target: Target, context: ProposalContext) -> None:
    model = ScriptedChatModel(replies=["no"] * 5)
    LLMProposer(model, samples=5, temperatures=[0.2, 0.8]).propose(target, context, [])
    assert [o.get("temperature") for o in model.received_options] == [0.2, 0.8, 0.2, 0.8, 0.2]
    prompts = [str(call[1].content) for call in model.received]
    assert FOCUSES[1] in prompts[1] and FOCUSES[2] in prompts[2] and FOCUSES[3] in prompts[3]
    assert "Focus:" not in prompts[0] and "Focus:" not in prompts[4]
    default = ScriptedChatModel(replies=[])
    LLMProposer(default).propose(target, context, [])
    assert default.received_options == [{}]  # no temperature given: the model's own


def test_repair_shows_the_failure_and_tags_the_edit(
    target: Target, context: ProposalContext
) -> None:
    model = ScriptedChatModel(replies=[
        {"tool_calls": [{"name": "show_test_output", "args": {"candidate_title": "Cache ys"}}]},
        GOOD])  # fmt: skip
    failed = Attempt(title="Cache ys", diff="-a\n+b", status="rejected",
                     reason="tests failed: exited with status 1", output="E   assert 2 == 1")  # fmt: skip
    proposer = LLMProposer(model)
    [edit] = proposer.repair(target, context, failed)

    assert edit.rule == "llm-repair"
    prompt = str(model.received[0][1].content)
    assert "Task: repair a failed candidate. 'Cache ys' was rejected" in prompt
    assert "E   assert 2 == 1" in prompt
    tool_result = model.received[1][-1]
    assert "E   assert 2 == 1" in str(tool_result.content)
    assert {c.purpose for c in proposer.ledger.calls} == {"repair"}


def test_refine_builds_on_an_accepted_edit(target: Target, context: ProposalContext) -> None:
    model = ScriptedChatModel(replies=[GOOD])
    accepted = Attempt(title="Hoist len", diff="-a\n+b", status="accepted",
                       reason="faster: 1.300x", speedup=1.3)  # fmt: skip
    [edit] = LLMProposer(model).refine(target, context, accepted)
    assert edit.rule == "llm-refine"
    assert "'Hoist len' was accepted (1.300x faster)" in str(model.received[0][1].content)


class NoToolsModel(ScriptedChatModel):
    def bind_tools(self, *args: Any, **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        return BaseChatModel.bind_tools(self, *args, **kwargs)  # raises NotImplementedError


def test_a_model_without_tool_calling_gets_plain_prompts(
    target: Target, context: ProposalContext
) -> None:
    model = NoToolsModel(replies=[GOOD])
    assert len(LLMProposer(model).propose(target, context, [])) == 1
    assert "read_file" not in str(model.received[0][0].content)


def test_a_shared_ledger_counts_every_call(target: Target, context: ProposalContext) -> None:
    ledger = Ledger()
    proposer = LLMProposer(ScriptedChatModel(replies=[READ, GOOD, "no"]), ledger=ledger)
    [edit] = proposer.propose(target, context, [])
    proposer.propose(target, context, [])
    assert proposer.ledger is ledger
    assert ledger.totals().calls == 3 and ledger.totals(edit.id).calls == 2
    assert all(c.model == "scripted" and c.input_tokens > 0 for c in ledger.calls)
    assert ledger.summary(accepted=1)["cost_of_pass_usd"] == 0.0


def test_no_call_is_made_over_budget(target: Target, context: ProposalContext) -> None:
    model = ScriptedChatModel(replies=["no", GOOD, GOOD])
    proposer = LLMProposer(model, samples=3, max_tokens=1)
    assert proposer.propose(target, context, []) == []
    assert model.remaining == 2  # only the first call went out
    assert proposer.last_error is not None
    assert "sample 2: token budget spent (" in proposer.last_error
