from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.models import ModelConfigError, build_chat_model
from agent.proposers.scripted_model import ScriptedChatModel


@pytest.fixture(autouse=True)
def no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def test_scripted_model_answers_in_order_then_empty_and_records_messages() -> None:
    model = ScriptedChatModel(replies=["one", "two"])
    assert [model.invoke(q).text for q in ("a", "b", "c", "d")] == ["one", "two", "", ""]
    assert model.remaining == 0
    assert [m[0].content for m in model.received] == ["a", "b", "c", "d"]
    assert isinstance(model.received[0][0], HumanMessage)


def test_scripted_spec_loads_replies_from_json(tmp_path: Path) -> None:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(["first"]))
    model = build_chat_model(f"scripted:{path}")
    assert isinstance(model, ScriptedChatModel)
    assert model.invoke("x").text == "first"


def test_scripted_tool_call_replies_become_tool_calls_with_usage(tmp_path: Path) -> None:
    path = tmp_path / "replies.json"
    call = {"name": "read_file", "args": {"path": "pkg/a.py", "start": 2}}
    path.write_text(json.dumps([{"tool_calls": [call]}, "done"]))
    model = build_chat_model(f"scripted:{path}")
    assert model.bind_tools([]) is model  # the script already says which tools are called
    first = model.invoke("x" * 40)
    assert isinstance(first, AIMessage) and first.text == ""
    assert [(c["name"], c["args"], c["id"]) for c in first.tool_calls] == [
        ("read_file", {"path": "pkg/a.py", "start": 2}, "call_1_0")
    ]
    assert first.usage_metadata is not None and first.usage_metadata["input_tokens"] == 10
    assert model.invoke("y", temperature=0.9).text == "done"
    assert isinstance(model, ScriptedChatModel)
    assert model.received_options == [{}, {"temperature": 0.9}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"a": 1}', "must be a JSON list"),
        ("[1, 2]", "must be a JSON list"),
        ("not json", "cannot read scripted replies"),
        ('[{"content": "x"}]', "reply 1: an object reply needs a non-empty 'tool_calls' list"),
        ('["ok", {"tool_calls": [{"args": {}}]}]', "reply 2: each tool call needs a 'name'"),
        ('[{"tool_calls": [{"name": "grep", "args": []}]}]', "'args' of tool call 'grep'"),
    ],
)
def test_scripted_spec_rejects_malformed_replies(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "replies.json"
    path.write_text(content)
    with pytest.raises(ModelConfigError, match=re.escape(message)):
        build_chat_model(f"scripted:{path}")


def test_scripted_spec_with_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelConfigError, match="cannot read scripted replies"):
        build_chat_model(f"scripted:{tmp_path / 'nope.json'}")


@pytest.mark.parametrize(
    ("spec", "name"), [("openai:gpt-x", "gpt-x"), ("gpt-x", "gpt-x"), ("openai:qwen:7b", "qwen:7b")]
)
def test_openai_specs(monkeypatch: pytest.MonkeyPatch, spec: str, name: str) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    model = build_chat_model(spec, temperature=0.5, timeout=7, max_retries=3)
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.temperature, model.request_timeout, model.max_retries) == (
        name,
        0.5,
        7,
        3,
    )
    assert model.streaming is False
    assert "sk-secret-value" not in repr(model) + str(model.model_dump())  # never in logs


def test_streaming_asks_for_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    model = build_chat_model("openai:gpt-x", streaming=True)
    assert isinstance(model, ChatOpenAI)
    assert (model.streaming, model.stream_usage) == (True, True)


def test_base_url_comes_from_the_argument_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    model = build_chat_model("local-model")  # no key: a local server gets a placeholder
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    key = model.openai_api_key
    assert isinstance(key, SecretStr) and key.get_secret_value() == "not-needed"
    explicit = build_chat_model("local-model", base_url="http://127.0.0.1:8/v1")
    assert isinstance(explicit, ChatOpenAI) and explicit.openai_api_base == "http://127.0.0.1:8/v1"


def test_hosted_default_without_a_key_is_a_config_error() -> None:
    with pytest.raises(ModelConfigError, match="OPENAI_API_KEY is not set"):
        build_chat_model("openai:gpt-x")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "anthropic:claude",
            "'anthropic': Initializing ChatAnthropic requires the langchain-anthropic",
        ),
        ("qwen:7b", "unknown model provider 'qwen' in 'qwen:7b' (for a model name containing"),
        ("openai:", "names no model"),
        ("", "names no model"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ModelConfigError, match=re.escape(message)):
        build_chat_model(spec)
