from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
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


@pytest.mark.parametrize("content", ['{"a": 1}', "[1, 2]", "not json"])
def test_scripted_spec_rejects_anything_but_a_list_of_strings(tmp_path: Path, content: str) -> None:
    path = tmp_path / "replies.json"
    path.write_text(content)
    with pytest.raises(ModelConfigError, match="replies"):
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
    assert "sk-secret-value" not in repr(model)  # the key never shows up in logs


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
        ("anthropic:claude", "unknown model provider 'anthropic'"),
        ("openai:", "names no model"),
        ("", "names no model"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ModelConfigError, match=message):
        build_chat_model(spec)
