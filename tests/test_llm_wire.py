"""The llm proposer over the wire, against the loopback OpenAI-compatible server: plain and
streamed replies, tool calls, retries, usage, and the API key staying in its header."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.openai_server import OpenAIServer

from agent.edits import apply_edit
from agent.models import build_chat_model
from agent.proposers.llm import LLMProposer
from agent.records import ProposalContext, Target
from profilers.api import Hotspot, LineSamples, Profile

KEY = "sk-test-very-secret-4242"
SLOW = "def count_common(xs, ys):\n    total = 0\n    for x in xs:\n        if x in ys:\n            total += 1\n    return total\n"  # fmt: skip
GOOD = """TITLE: Use a set for the membership test
RATIONALE: a set lookup is O(1).

pkg/slow.py
<<<<<<< SEARCH
    total = 0
=======
    total = 0
    ys = set(ys)
>>>>>>> REPLACE
"""
READ = {"tool_calls": [{"name": "read_file", "args": {"path": "pkg/slow.py", "end": 2}}]}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy, tracing or gateway: the only traffic is to the test's own 127.0.0.1 server."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING", "LANGSMITH_GATEWAY",
                 "OPENAI_BASE_URL", "OPENAI_API_BASE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


@pytest.fixture
def target() -> Target:
    spot = Hotspot(function="count_common", file="pkg/slow.py", start_line=1, end_line=6,
                   self_samples=90, total_samples=95, self_percent=90.0, total_percent=95.0,
                   lines=[LineSamples(line=4, samples=80)])  # fmt: skip
    return Target(hotspot=spot, source=SLOW)


@pytest.fixture
def context(tmp_path: Path, target: Target) -> ProposalContext:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/slow.py").write_text(SLOW)
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={KEY}\n")  # must never be read
    profile = Profile(profiler="py-spy", total_samples=100, wall_seconds=1.0,
                      hotspots=[target.hotspot])  # fmt: skip
    return ProposalContext(workspace=tmp_path, profile=profile, workload="python bench.py",
                           test_command="pytest -q")  # fmt: skip


def proposer_for(server: OpenAIServer, **options: object) -> LLMProposer:
    model = build_chat_model("openai:test-model", base_url=server.base_url, **options)  # type: ignore[arg-type]
    return LLMProposer(model)


@pytest.mark.parametrize("streaming", [False, True])
def test_an_edit_over_the_wire_with_usage(
    target: Target, context: ProposalContext, streaming: bool
) -> None:
    with OpenAIServer(replies=[GOOD]) as server:
        proposer = proposer_for(server, streaming=streaming)
        [edit] = proposer.propose(target, context, [])

    assert proposer.last_error is None
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "test-model"
    assert bool(request.body.get("stream")) is streaming
    if streaming:
        assert request.body["stream_options"] == {"include_usage": True}
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
    assert "Hot function: count_common in pkg/slow.py" in request.message_text()
    assert [t["function"]["name"] for t in request.body["tools"]] == [
        "read_file", "grep", "list_symbols", "show_profile", "show_test_output"]  # fmt: skip
    apply_edit(edit, context.workspace)
    assert "ys = set(ys)" in (context.workspace / "pkg/slow.py").read_text()
    [call] = proposer.ledger.calls
    sent = -(-len(request.message_text()) // 4)
    assert (call.input_tokens, call.output_tokens, call.estimated) == (
        sent,
        -(-len(GOOD) // 4),
        False,
    )
    assert call.model == "test-model" and call.edit_id == edit.id


@pytest.mark.parametrize("streaming", [False, True])
def test_tool_calls_over_the_wire(
    target: Target, context: ProposalContext, streaming: bool
) -> None:
    env_read = {"tool_calls": [{"name": "read_file", "args": {"path": ".env"}}]}
    with OpenAIServer(replies=[READ, env_read, GOOD]) as server:
        proposer = proposer_for(server, streaming=streaming)
        [edit] = proposer.propose(target, context, [])

    assert edit.title == "Use a set for the membership test"
    second = server.requests[1].body["messages"]
    assistant, tool = second[-2], second[-1]
    assert assistant["role"] == "assistant"
    assert assistant["tool_calls"][0]["id"] == "call_1_0"
    assert (
        json.loads(assistant["tool_calls"][0]["function"]["arguments"])
        == READ["tool_calls"][0]["args"]
    )  # type: ignore[index]
    assert tool == {"role": "tool", "tool_call_id": "call_1_0",
                    "content": "pkg/slow.py lines 1-2 of 6:\n    1| def count_common(xs, ys):\n"
                               "    2|     total = 0"}  # fmt: skip
    refused = server.requests[2].body["messages"][-1]
    assert refused["content"].startswith("error: .env: not readable")
    assert [c.turn for c in proposer.ledger.calls] == ["prompt", "tools", "tools"]


def test_429_then_500_are_retried_with_backoff(target: Target, context: ProposalContext) -> None:
    with OpenAIServer(replies=[GOOD], failures={1: 429, 2: 500}) as server:
        proposer = proposer_for(server, max_retries=2)
        assert len(proposer.propose(target, context, [])) == 1
    first, second, third = server.requests
    assert third.body == first.body  # the same request, sent again
    # 429 said "retry after 10 ms"; 500 said nothing, so the client's own exponential backoff
    # applied: at least 0.5 s less 25% jitter. A lower bound only, so never flaky.
    assert third.arrived - second.arrived >= 0.37
    assert [c.turn for c in proposer.ledger.calls] == ["prompt"]  # retries are the client's


def test_a_timeout_is_retried(target: Target, context: ProposalContext) -> None:
    with OpenAIServer(replies=["", GOOD], delays={1: 1.0}) as server:
        proposer = proposer_for(server, timeout=0.3, max_retries=1)
        assert len(proposer.propose(target, context, [])) == 1
    assert len(server.requests) == 2


def test_a_failing_server_gives_no_edit_and_a_reason(
    target: Target, context: ProposalContext
) -> None:
    with OpenAIServer(replies=[GOOD], failures={1: 500}) as server:
        proposer = proposer_for(server, max_retries=0)
        assert proposer.propose(target, context, []) == []
    assert proposer.last_error is not None
    assert proposer.last_error.startswith("model call failed: ")
    assert "Error code: 500" in proposer.last_error


def test_the_key_only_ever_travels_in_its_header(target: Target, context: ProposalContext) -> None:
    grep_all = {"tool_calls": [{"name": "grep", "args": {"pattern": "sk-", "path_glob": "*"}}]}
    with OpenAIServer(replies=[grep_all, READ, "garbage <<<<<<< SEARCH", GOOD]) as server:
        proposer = proposer_for(server)
        [edit] = proposer.propose(target, context, [])

    assert len(server.requests) == 4
    for request in server.requests:
        assert KEY.encode() not in request.raw
        assert request.headers["authorization"] == f"Bearer {KEY}"
    recorded = [repr(proposer.model), str(proposer.model.model_dump()), repr(proposer.__dict__),
                json.dumps([c.model_dump() for c in proposer.ledger.calls]), edit.model_dump_json(),
                "\n".join(proposer.last_replies)]  # fmt: skip
    assert not [text for text in recorded if KEY in text]


def test_the_key_never_reaches_the_sandbox() -> None:
    from sandbox.environment import sandbox_env

    env = sandbox_env(base={"PATH": "/bin", "OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY})
    assert KEY not in "".join(env.values())


def test_the_reply_cap_reaches_a_compatible_server(
    target: Target, context: ProposalContext
) -> None:
    with OpenAIServer(replies=[GOOD]) as server:
        assert len(proposer_for(server, max_output_tokens=77).propose(target, context, [])) == 1
    body = server.requests[0].body
    assert (body["max_completion_tokens"], body["max_tokens"]) == (77, 77)
