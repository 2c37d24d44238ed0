"""Build a chat model from a short spec: "scripted:PATH", "openai:NAME" or a bare "NAME".

API keys come only from the environment and are never logged or put in messages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agent.proposers.scripted_model import ScriptedChatModel

DEFAULT_PROVIDER = "openai"
# Local OpenAI-compatible servers ignore the key, but the client refuses to start without one.
LOCAL_SERVER_KEY = "not-needed"
DEFAULT_MAX_RETRIES = 2


class ModelConfigError(Exception):
    """The model spec or its environment is unusable; the message says why, in one line."""


def build_chat_model(
    spec: str,
    base_url: str | None = None,
    temperature: float = 0.2,
    timeout: float = 60,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> BaseChatModel:
    provider, sep, name = spec.partition(":")
    if not sep:  # a bare name means the default provider
        provider, name = DEFAULT_PROVIDER, spec
    builder = _PROVIDERS.get(provider)
    if builder is None:
        known = ", ".join(f"{p}:..." for p in _PROVIDERS)
        raise ModelConfigError(
            f"unknown model provider {provider!r} in {spec!r} (known: {known}; "
            f"for a model name containing ':' write openai:NAME)"
        )
    if not name.strip():
        raise ModelConfigError(f"model spec {spec!r} names no model")
    return builder(name, base_url, temperature, timeout, max_retries)


def _scripted(path: str, *_: object) -> BaseChatModel:
    """Replies come from a JSON file holding a list of strings."""
    try:
        replies = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelConfigError(f"cannot read scripted replies from {path}: {exc}") from None
    if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
        raise ModelConfigError(f"scripted replies in {path} must be a JSON list of strings")
    return ScriptedChatModel(replies=replies)


def _openai(
    name: str, base_url: str | None, temperature: float, timeout: float, max_retries: int
) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # imported here: only this provider needs it

    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    api_key = os.environ.get("OPENAI_API_KEY") or None
    if api_key is None:
        if base_url is None:
            raise ModelConfigError(
                "OPENAI_API_KEY is not set; export it, or give a base URL of a local "
                "OpenAI-compatible server"
            )
        api_key = LOCAL_SERVER_KEY
    return ChatOpenAI(
        model=name,
        base_url=base_url,
        api_key=SecretStr(api_key),
        temperature=temperature,
        timeout=timeout,
        max_retries=max_retries,
    )


_Builder = Callable[[str, str | None, float, float, int], BaseChatModel]
_PROVIDERS: dict[str, _Builder] = {"openai": _openai, "scripted": _scripted}
