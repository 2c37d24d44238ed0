"""A deterministic chat model that returns canned replies in order, for tests and demos.

A reply is either a string (the model's text) or a tool-call object:

    {"tool_calls": [{"name": "read_file", "args": {"path": "pkg/mod.py"}}], "content": ""}

`args` defaults to {} and `content` to "". The replies file of `--model scripted:PATH` is a
JSON list of such replies, e.g. `[{"tool_calls": [...]}, "TITLE: ...\n<<<<<<< SEARCH ..."]`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolCall
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import PrivateAttr, field_validator

from agent.ledger import estimate_tokens

ScriptedReply = str | dict[str, Any]


class ScriptedChatModel(BaseChatModel):
    """Answers call k with `replies[k]`; once the replies run out, every further call gets an
    empty reply (so a loop that asks too often sees "no proposal", not a crash).

    The reply never depends on the prompt: tests stay honest about what the model was told.
    Every call's messages are kept in `received` and its options (e.g. temperature) in
    `received_options`, in order. Usage is reported as a chars/4 estimate so the cost ledger
    sees tokens, as it would from a real provider.
    """

    replies: list[ScriptedReply]
    model_name: str = "scripted"
    _next: int = PrivateAttr(default=0)
    _received: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _options: list[dict[str, Any]] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @field_validator("replies")
    @classmethod
    def _check_replies(cls, replies: list[ScriptedReply]) -> list[ScriptedReply]:
        for number, reply in enumerate(replies, start=1):
            if isinstance(reply, dict):
                check_tool_reply(reply, number)
        return replies

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def received(self) -> list[list[BaseMessage]]:
        """The messages of each call so far, oldest first."""
        return list(self._received)

    @property
    def received_options(self) -> list[dict[str, Any]]:
        """The keyword options of each call so far (temperature, ...), oldest first."""
        return list(self._options)

    @property
    def remaining(self) -> int:
        return max(0, len(self.replies) - self._next)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        # The script already says which tools are called; binding changes nothing.
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:  # keeps the order exact if calls run concurrently
            number = self._next + 1
            self._received.append(list(messages))
            self._options.append(dict(kwargs))
            reply = self.replies[self._next] if self._next < len(self.replies) else ""
            self._next += 1
        message = _message(reply, number)
        sent = sum(len(m.text) for m in messages)
        got = len(message.text) + sum(len(str(c["args"])) for c in message.tool_calls)
        message.usage_metadata = {
            "input_tokens": estimate_tokens(sent),
            "output_tokens": estimate_tokens(got),
            "total_tokens": estimate_tokens(sent) + estimate_tokens(got),
        }
        message.response_metadata = {"model_name": self.model_name}
        return ChatResult(generations=[ChatGeneration(message=message)])


def check_tool_reply(reply: dict[str, Any], number: int) -> None:
    """Raise ValueError unless `reply` is a well-formed tool-call object."""
    where = f"scripted reply {number}"
    calls = reply.get("tool_calls")
    if not isinstance(calls, list) or not calls:
        raise ValueError(f"{where}: an object reply needs a non-empty 'tool_calls' list")
    if not isinstance(reply.get("content", ""), str):
        raise ValueError(f"{where}: 'content' must be a string")
    for call in calls:
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise ValueError(f"{where}: each tool call needs a 'name' string")
        if not isinstance(call.get("args", {}), dict):
            raise ValueError(f"{where}: 'args' of tool call {call['name']!r} must be an object")


def _message(reply: ScriptedReply, number: int) -> AIMessage:
    if isinstance(reply, str):
        return AIMessage(content=reply)
    calls = [
        ToolCall(name=c["name"], args=dict(c.get("args", {})), id=f"call_{number}_{k}")
        for k, c in enumerate(reply["tool_calls"])
    ]
    return AIMessage(content=reply.get("content", ""), tool_calls=calls)
