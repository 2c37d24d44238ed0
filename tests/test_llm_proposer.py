from __future__ import annotations

from pathlib import Path

import pytest
from helpers.openai_server import OpenAIServer

from agent.edits import apply_edit
from agent.models import build_chat_model
from agent.proposers.llm import LLMProposer, parse_header
from agent.proposers.scripted_model import ScriptedChatModel
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


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/slow.py").write_text(SLOW)
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
    replies: list[str], target: Target, context: ProposalContext, samples: int = 1
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
        (GOOD.replace("=======\n", ""), "block 1: missing ======= divider"),
        ("", "empty reply"),
        ("  \n", "empty reply"),
    ],
)
def test_bad_replies_give_no_edit_and_a_reason(
    target: Target, context: ProposalContext, reply: str, reason: str
) -> None:
    proposer, edits = propose([reply], target, context)
    assert edits == []
    assert proposer.last_error is not None and reason in proposer.last_error
    assert proposer.last_replies == [reply]


def test_a_search_that_does_not_match_names_the_nearest_lines(
    target: Target, context: ProposalContext
) -> None:
    proposer, edits = propose([MISMATCH], target, context)
    assert edits == []
    error = proposer.last_error or ""
    assert error.startswith("block 1 (pkg/slow.py): SEARCH text not found")
    assert "    2|     total = 0\n    3|     for x in xs:" in error
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


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy and no tracing: the only traffic is to the test's own 127.0.0.1 server."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING", "OPENAI_BASE_URL",
                 "OPENAI_API_BASE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")


@pytest.mark.usefixtures("loopback_only")
def test_over_the_wire_with_an_openai_compatible_server(
    target: Target, context: ProposalContext
) -> None:
    with OpenAIServer(replies=[GOOD]) as server:
        model = build_chat_model("openai:test-model", base_url=server.base_url)
        proposer = LLMProposer(model)
        [edit] = proposer.propose(target, context, [])

    assert proposer.last_error is None
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-dummy"
    assert request.body["model"] == "test-model"
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
    assert "        if x in ys:" in request.message_text()
    assert "Hot function: count_common in pkg/slow.py" in request.message_text()
    assert edit.title == "Use a set for the membership test"
    apply_edit(edit, context.workspace)
    assert "ys = set(ys)" in (context.workspace / "pkg/slow.py").read_text()


@pytest.mark.usefixtures("loopback_only")
def test_a_failing_server_gives_no_edit_and_a_reason(
    target: Target, context: ProposalContext
) -> None:
    with OpenAIServer(replies=[GOOD], failures={1: 500}) as server:
        proposer = LLMProposer(
            build_chat_model("test-model", base_url=server.base_url, max_retries=0)
        )
        assert proposer.propose(target, context, []) == []
    assert proposer.last_error is not None
    assert proposer.last_error.startswith("model call failed: ")
    assert "500" in proposer.last_error
    assert "sk-test-dummy" not in proposer.last_error


@pytest.mark.usefixtures("loopback_only")
def test_a_rate_limited_request_is_retried_by_the_client(
    target: Target, context: ProposalContext
) -> None:
    with OpenAIServer(replies=[GOOD], failures={1: 429}) as server:
        proposer = LLMProposer(
            build_chat_model("test-model", base_url=server.base_url, max_retries=1)
        )
        assert len(proposer.propose(target, context, [])) == 1
    assert [r.number for r in server.requests] == [1, 2]
