"""A deterministic chat model that returns canned replies in order, for tests and demos."""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr


class ScriptedChatModel(BaseChatModel):
    """Answers call k with `replies[k]`; once the replies run out, every further call gets an
    empty reply (so a loop that asks too often sees "no proposal", not a crash).

    The reply never depends on the prompt: tests stay honest about what the model was told.
    Every call's messages are kept in `received`, in order.
    """

    replies: list[str]
    _next: int = PrivateAttr(default=0)
    _received: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def received(self) -> list[list[BaseMessage]]:
        """The messages of each call so far, oldest first."""
        return list(self._received)

    @property
    def remaining(self) -> int:
        return max(0, len(self.replies) - self._next)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:  # keeps the order exact if calls run concurrently
            self._received.append(list(messages))
            reply = self.replies[self._next] if self._next < len(self.replies) else ""
            self._next += 1
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])
