"""The `llm` proposer: ask a chat model for SEARCH/REPLACE edits of one hot function."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from agent.proposers.prompts import (
    DEFAULT_PROMPT_CHARS,
    RATIONALE_LABEL,
    TITLE_LABEL,
    build_messages,
)
from agent.proposers.search_replace import (
    MARKERS,
    BlockFormatError,
    BlockMatchError,
    check_replacements,
    parse_blocks,
)
from agent.records import Edit, Feedback, ProposalContext, Target

MAX_TITLE_CHARS = 120
MAX_ERROR_CHARS = 500


class ReplyError(Exception):
    """One model reply gave no usable edit; the message says why."""


class LLMProposer:
    """Asks `model` for `samples` replies per target; each well-formed reply whose blocks
    match the workspace becomes one Edit. Never raises for bad replies or failed calls:
    it returns what it has and leaves the reasons in `last_error`."""

    def __init__(
        self,
        model: BaseChatModel,
        name: str = "llm",
        samples: int = 1,
        max_prompt_chars: int = DEFAULT_PROMPT_CHARS,
    ) -> None:
        if samples < 1:
            raise ValueError(f"samples must be at least 1, got {samples}")
        self.model = model
        self.name = name
        self.samples = samples
        self.max_prompt_chars = max_prompt_chars
        self.last_error: str | None = None  # why some reply of the last call gave no edit
        self.last_replies: list[str] = []  # raw replies of the last call, for the run's records

    def propose(
        self, target: Target, context: ProposalContext, feedback: list[Feedback]
    ) -> list[Edit]:
        self.last_error, self.last_replies = None, []
        messages = build_messages(target, context, feedback, self.max_prompt_chars)
        edits: dict[str, Edit] = {}  # by id: identical replies count once
        errors: list[str] = []
        for number in range(1, self.samples + 1):
            try:
                edit = self._edit_from_model(messages, target, context)
            except ReplyError as exc:
                errors.append(str(exc) if self.samples == 1 else f"sample {number}: {exc}")
                continue
            edits.setdefault(edit.id, edit)
        self.last_error = "\n".join(errors) or None
        return list(edits.values())

    def _edit_from_model(
        self, messages: list[BaseMessage], target: Target, context: ProposalContext
    ) -> Edit:
        try:
            reply = str(self.model.invoke(messages).text)
        except Exception as exc:  # a provider failure is a lost proposal, not a crashed run
            raise ReplyError(f"model call failed: {type(exc).__name__}: {_one_line(exc)}") from exc
        self.last_replies.append(reply)
        if not reply.strip():
            raise ReplyError("empty reply")
        try:
            replacements = parse_blocks(reply)
            check_replacements(replacements, context.workspace)
        except (BlockFormatError, BlockMatchError) as exc:
            raise ReplyError(str(exc)) from exc
        title, rationale = parse_header(reply)
        return Edit(
            proposer=self.name,
            rule="llm",
            title=title or f"LLM edit of {target.hotspot.function}",
            rationale=rationale,
            file=target.hotspot.file,
            function=target.hotspot.function,
            replacements=replacements,
        )


def parse_header(reply: str) -> tuple[str, str]:
    """The reply's TITLE line and RATIONALE paragraph ("" when missing). Tolerates markdown
    emphasis around the labels, which models add often; the rationale ends at a blank line,
    a fence or a block marker."""
    title, in_rationale = "", False
    rationale: list[str] = []
    for line in reply.splitlines():
        bare = line.strip().lstrip("#*").strip()
        label = bare.upper()
        if label.startswith(TITLE_LABEL) and not title:
            title, in_rationale = bare[len(TITLE_LABEL) :].strip(" *"), False
        elif label.startswith(RATIONALE_LABEL) and not rationale:
            rationale, in_rationale = [bare[len(RATIONALE_LABEL) :].strip(" *")], True
        elif in_rationale:
            if not bare or bare.startswith("```") or bare in MARKERS:
                in_rationale = False
            else:
                rationale.append(bare)
    return title[:MAX_TITLE_CHARS], " ".join(part for part in rationale if part)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."
