"""Build a chat model from a short spec: "scripted:PATH", "PROVIDER:NAME" or a bare "NAME"
(the openai provider).

Providers go through LangChain's `init_chat_model`, so any provider it knows works once its
integration package is installed (anthropic needs langchain-anthropic, and so on). API keys
come only from the environment, where each integration looks for its own variable: they are
never passed as arguments here, written to disk, logged or put in messages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr, ValidationError

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
    streaming: bool = False,
    max_output_tokens: int | None = None,
) -> BaseChatModel:
    """`max_retries` is the client's own retry count for 429, 5xx, timeouts and connection
    errors, with its exponential backoff (the openai client honours Retry-After).
    `max_output_tokens` caps each reply (cost, and small local models that ramble)."""
    provider, sep, name = spec.partition(":")
    if not sep:  # a bare name means the default provider
        provider, name = DEFAULT_PROVIDER, spec
    if not name.strip():
        raise ModelConfigError(f"model spec {spec!r} names no model")
    if provider == "scripted":
        return _scripted(name)
    options: dict[str, Any] = {"temperature": temperature, "timeout": timeout,
                               "max_retries": max_retries}  # fmt: skip
    if max_output_tokens is not None:
        options["max_tokens"] = max_output_tokens
    if provider == "openai":
        options |= _openai_options(base_url, streaming, max_output_tokens)
    elif base_url:
        options["base_url"] = base_url
    try:
        return init_chat_model(name, model_provider=provider, **options)
    except ImportError as exc:  # the provider's integration package is not installed
        raise ModelConfigError(f"model provider {provider!r}: {first_line(exc)}") from None
    except ValueError as exc:
        if "Unsupported" in str(exc):
            raise ModelConfigError(
                f"unknown model provider {provider!r} in {spec!r} (for a model name "
                f"containing ':' write openai:NAME)"
            ) from None
        raise ModelConfigError(f"cannot build model {spec!r}: {first_line(exc)}") from None


def _openai_options(
    base_url: str | None, streaming: bool, max_output_tokens: int | None
) -> dict[str, Any]:
    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    api_key = os.environ.get("OPENAI_API_KEY") or None
    if api_key is None:
        if base_url is None:
            raise ModelConfigError(
                "OPENAI_API_KEY is not set; export it, or give a base URL of a local "
                "OpenAI-compatible server"
            )
        api_key = LOCAL_SERVER_KEY
    # stream_usage asks the server for token counts at the end of a stream (for the ledger).
    options: dict[str, Any] = {"base_url": base_url, "api_key": SecretStr(api_key)}
    if base_url and max_output_tokens is not None:
        # langchain-openai sends the cap as max_completion_tokens; servers such as llama.cpp's
        # read only the older max_tokens, so a compatible server gets both.
        options["extra_body"] = {"max_tokens": max_output_tokens}
    return options | ({"streaming": True, "stream_usage": True} if streaming else {})


def _scripted(path: str) -> BaseChatModel:
    """Replies come from a JSON list of strings and tool-call objects (see scripted_model)."""
    try:
        replies = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelConfigError(f"cannot read scripted replies from {path}: {exc}") from None
    if not isinstance(replies, list) or not all(isinstance(r, str | dict) for r in replies):
        raise ModelConfigError(
            f"scripted replies in {path} must be a JSON list of strings and tool-call objects"
        )
    try:
        return ScriptedChatModel(replies=replies)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ModelConfigError(f"scripted replies in {path}: {reason}") from None


def first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
