"""The `llm` proposer: ask a chat model for SEARCH/REPLACE edits of one hot function.

One sample is a short conversation: the prompt; then, while the reply asks for tools and
tool rounds are left, the tool results and another call; then, if the reply's blocks are
malformed or do not match the files, ONE fix-the-block turn with the error. Every call is
counted in the ledger; the calls of a sample that became an edit are attributed to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from agent.ledger import CHARS_PER_TOKEN, CallRecord, Ledger
from agent.proposers.code_context import gather_context
from agent.proposers.kernel_prompt import focuses_for
from agent.proposers.prompts import (
    DEFAULT_PROMPT_TOKENS,
    RATIONALE_LABEL,
    TITLE_LABEL,
    Attempt,
    build_messages,
    fix_message,
    refine_task,
    repair_task,
)
from agent.proposers.search_replace import (
    MARKERS,
    BlockFormatError,
    BlockMatchError,
    check_replacements,
    parse_blocks,
)
from agent.proposers.tools import make_tools, run_tool_call
from agent.records import Edit, Feedback, ProposalContext, Replacement, Target

MAX_TITLE_CHARS = 120
MAX_ERROR_CHARS = 500
DEFAULT_TOOL_ROUNDS = 3
RULES = {"propose": "llm", "repair": "llm-repair", "refine": "llm-refine"}


class ReplyError(Exception):
    """One sample gave no usable edit; the message says why."""


class FixableReply(ReplyError):
    """The reply tried to give blocks but got them wrong: worth one fix-the-block turn."""


@dataclass
class _Conversation:
    """One sample's messages, options and what it has cost so far."""

    chat: Runnable[LanguageModelInput, BaseMessage]
    tools: dict[str, BaseTool]
    messages: list[BaseMessage]
    options: dict[str, Any]  # per-call model options, e.g. temperature
    rounds_left: int
    calls: list[CallRecord] = field(default_factory=list)


class LLMProposer:
    """Asks `model` for `samples` edits per target; sample k uses prompt focus FOCUSES[k] (after
    the kernel variant for a torch-dominated target, see kernel_prompt.py) and,
    when given, temperature temperatures[k] (both cycle). Every call is recorded in `ledger`
    (shared when given), and no call is made once it is over `max_cost` or `max_tokens`.
    Never raises for bad replies or failed calls: it returns what it has and leaves the
    reasons in `last_error`."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        name: str = "llm",
        samples: int = 1,
        temperatures: list[float] | None = None,
        max_prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
        max_tool_rounds: int = DEFAULT_TOOL_ROUNDS,
        ledger: Ledger | None = None,
        max_cost: float | None = None,
        max_tokens: int | None = None,
    ) -> None:
        if samples < 1:
            raise ValueError(f"samples must be at least 1, got {samples}")
        self.model, self.name, self.samples = model, name, samples
        self.temperatures = list(temperatures or [])
        self.max_prompt_chars = max_prompt_tokens * CHARS_PER_TOKEN
        self.max_tool_rounds = max_tool_rounds
        self.ledger = ledger if ledger is not None else Ledger()
        self.max_cost, self.max_tokens = max_cost, max_tokens  # checked before every call
        names = (getattr(model, "model_name", None), getattr(model, "model", None))
        self.model_name = str(next((n for n in names if isinstance(n, str)), model._llm_type))
        self.last_error: str | None = None  # why some sample of the last call gave no edit
        self.last_replies: list[str] = []  # raw replies of the last call, for the run's records

    # --- the three requests -------------------------------------------------------------
    def propose(
        self, target: Target, context: ProposalContext, feedback: list[Feedback]
    ) -> list[Edit]:
        return self._run("propose", target, context, feedback)

    def repair(self, target: Target, context: ProposalContext, failed: Attempt) -> list[Edit]:
        """Edits that fix a candidate the judges rejected. `context.workspace` is the state
        the failed candidate was applied to (it does not contain the candidate)."""
        return self._run("repair", target, context, [], repair_task(failed), failed)

    def refine(self, target: Target, context: ProposalContext, accepted: Attempt) -> list[Edit]:
        """Edits that build on an accepted candidate. `context` is the new best state: its
        workspace contains the candidate and its profile was measured after it."""
        return self._run("refine", target, context, [], refine_task(accepted), accepted)

    # --- one request: several samples ---------------------------------------------------
    def _run(
        self,
        purpose: str,
        target: Target,
        context: ProposalContext,
        feedback: list[Feedback],
        task: str = "",
        attempt: Attempt | None = None,
    ) -> list[Edit]:
        self.last_error, self.last_replies = None, []
        spot = target.hotspot
        code = gather_context(
            context.workspace, spot.file, spot.function, target.source, context.workload
        )
        outputs = {f.edit_title: f"{f.status}: {f.reason}" for f in feedback}
        if attempt is not None:
            outputs[attempt.title] = f"{attempt.status}: {attempt.reason}\n{attempt.output}"
        tools = make_tools(context.workspace, context.profile, outputs)
        chat, rounds = self._bind(tools)
        edits: dict[str, Edit] = {}  # by id: identical replies count once
        errors: list[str] = []
        focuses = focuses_for(target)  # a kernel variant first when the target is torch's
        for k in range(self.samples):
            messages = build_messages(target, context, feedback, self.max_prompt_chars, code=code,
                                      focus=focuses[k % len(focuses)], task=task,
                                      tool_rounds=rounds)  # fmt: skip
            options = self._options(k)
            conv = _Conversation(chat, {t.name: t for t in tools}, messages, options, rounds)
            try:
                edit = self._sample(conv, purpose, target, context)
            except ReplyError as exc:
                errors.append(str(exc) if self.samples == 1 else f"sample {k + 1}: {exc}")
                continue
            edits.setdefault(edit.id, edit)
        self.last_error = "\n".join(errors) or None
        return list(edits.values())

    def _options(self, sample: int) -> dict[str, Any]:
        if not self.temperatures:
            return {}  # the model's own temperature
        return {"temperature": self.temperatures[sample % len(self.temperatures)]}

    def _bind(self, tools: list[BaseTool]) -> tuple[Runnable[LanguageModelInput, BaseMessage], int]:
        if self.max_tool_rounds <= 0:
            return self.model, 0
        try:
            return self.model.bind_tools(tools), self.max_tool_rounds
        except NotImplementedError:  # a model class without tool calling: plain prompts
            return self.model, 0

    def _sample(
        self, conv: _Conversation, purpose: str, target: Target, context: ProposalContext
    ) -> Edit:
        reply = self._ask(conv, purpose, target, "prompt")
        try:
            replacements = _replacements(reply, context)
        except FixableReply as first:
            conv.messages += [
                AIMessage(content=reply),
                HumanMessage(content=fix_message(str(first))),
            ]
            reply = self._ask(conv, purpose, target, "fix")
            try:
                replacements = _replacements(reply, context)
            except ReplyError as second:
                raise ReplyError(f"{first}\nafter the fix turn: {second}") from None
        title, rationale = parse_header(reply)
        edit = Edit(
            proposer=self.name,
            rule=RULES[purpose],
            title=title or f"LLM edit of {target.hotspot.function}",
            rationale=rationale,
            file=target.hotspot.file,
            function=target.hotspot.function,
            replacements=replacements,
        )
        self.ledger.attribute(conv.calls, edit.id)
        return edit

    def _ask(self, conv: _Conversation, purpose: str, target: Target, turn: str) -> str:
        """Call the model until it answers with text, running the tools it asks for."""
        while True:
            if spent := self.ledger.over_budget(self.max_cost, self.max_tokens):
                raise ReplyError(spent)  # stop asking; the loop sees the same reason and stops
            sent = sum(len(m.text) for m in conv.messages)
            try:
                reply = conv.chat.invoke(conv.messages, **conv.options)
            except Exception as exc:  # a provider failure is a lost proposal, not a crashed run
                raise ReplyError(
                    f"model call failed: {type(exc).__name__}: {_one_line(exc)}"
                ) from exc
            conv.calls.append(self.ledger.record(reply, model=self.model_name, purpose=purpose,
                                                 turn=turn, target=target.hotspot.key,
                                                 prompt_chars=sent))  # fmt: skip
            calls: list[ToolCall] = list(getattr(reply, "tool_calls", None) or [])
            if not calls:
                self.last_replies.append(str(reply.text))
                return str(reply.text)
            self.last_replies.append(describe_calls(calls))
            if conv.rounds_left <= 0:
                raise ReplyError(f"still asking for tools after {self.max_tool_rounds} tool rounds")
            conv.rounds_left -= 1
            results = [run_tool_call(conv.tools, call) for call in calls]
            if conv.rounds_left == 0:
                last = results[-1]
                last.content = f"{last.content}\n\n(no tool rounds left: reply with the edit now)"
            conv.messages += [reply, *results]
            turn = "tools"


def _replacements(reply: str, context: ProposalContext) -> list[Replacement]:
    if not reply.strip():
        raise ReplyError("empty reply")
    try:
        replacements = parse_blocks(reply)
    except BlockFormatError as exc:
        # A reply with no block at all declined to edit; a second ask is a new sample's job.
        if any(marker in reply for marker in MARKERS):
            raise FixableReply(str(exc)) from None
        raise ReplyError(str(exc)) from None
    try:
        check_replacements(replacements, context.workspace)
    except BlockMatchError as exc:
        raise FixableReply(str(exc)) from None
    return replacements


def describe_calls(calls: list[ToolCall]) -> str:
    """How a tool-call reply appears in `last_replies`."""
    shown = [f"{c['name']}({', '.join(f'{k}={v!r}' for k, v in c['args'].items())})" for c in calls]
    return "tool calls: " + "; ".join(shown)


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
