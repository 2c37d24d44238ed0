"""The chat messages that ask a model for one speed edit of one hot function.

The user message is made of sections; when the prompt is over its budget, the least important
sections lose items first (other hotspots, tests, the workload's code, definitions, callers
and callees, imports, then the oldest feedback), and only then is the function's source cut
around its hottest line. The budget is in characters; DEFAULT_PROMPT_TOKENS is turned into
characters at CHARS_PER_TOKEN (4) characters a token, the usual rough ratio for code.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict

from agent.ledger import CHARS_PER_TOKEN
from agent.proposers.code_context import CodeContext, gather_context
from agent.proposers.search_replace import BLOCK_EXAMPLE, DIVIDER, REPLACE, SEARCH
from agent.proposers.tools import TOOL_NAMES, annotate
from agent.records import Candidate, Edit, Feedback, ProposalContext, Target
from profilers.api import Hotspot, Profile

DEFAULT_PROMPT_TOKENS = 6_000
DEFAULT_PROMPT_CHARS = DEFAULT_PROMPT_TOKENS * CHARS_PER_TOKEN
OTHER_HOTSPOTS = 8
FEEDBACK_REASON_CHARS = 300
ATTEMPT_DIFF_CHARS = 6_000
ATTEMPT_OUTPUT_CHARS = 3_000

TITLE_LABEL = "TITLE:"
RATIONALE_LABEL = "RATIONALE:"

SYSTEM_PROMPT = f"""You are a performance engineer. You make one hot function of a Python \
repository faster without changing what the program does.

Rules:
- Keep behaviour identical: same results, output, exceptions and side effects, for every input.
- Do not edit tests, benchmarks or the workload; change only the repository's own code.
- Do not add dependencies. Prefer one focused change over many small ones.
- Do not repeat a change that earlier candidates already tried.

Reply in exactly this format and nothing else:

{TITLE_LABEL} <one line, under 80 characters, saying what the change does>
{RATIONALE_LABEL} <one to three sentences: why it is faster and why behaviour is unchanged>

{BLOCK_EXAMPLE}

Block rules:
- The file path, relative to the repository root, goes on the line directly before {SEARCH}.
- SEARCH copies existing lines exactly, indentation included, and must match exactly once.
- SEARCH may only use lines you were shown; you see the hot function, not the whole file.
- The source below has a gutter (line number, samples, share | ); never copy the gutter.
- Use several blocks for several places; an empty SEARCH creates a new file."""


# Sample k of a target uses FOCUSES[k % len(FOCUSES)]: diverse prompts give diverse edits.
FOCUSES = [
    "",
    "Focus: look for an algorithmic change first: a better data structure, fewer passes "
    "over the data, no repeated work inside loops.",
    "Focus: keep the algorithm and cut constant factors on the hottest lines: hoist "
    "invariant work out of loops, use builtins and comprehensions, fewer attribute lookups.",
    "Focus: make the smallest change that removes most of the hottest line's cost.",
]


def system_prompt(tool_rounds: int = 0) -> str:
    if tool_rounds <= 0:
        return SYSTEM_PROMPT
    return (
        f"{SYSTEM_PROMPT}\n\nBefore replying you may call the read-only tools "
        f"({', '.join(TOOL_NAMES)}) to see more code, at most {tool_rounds} rounds; "
        "then reply in the format above."
    )


class Attempt(BaseModel):
    """An earlier candidate shown back to the model: a failure to repair, or an accepted
    edit to build on. `output` is the failing tests' output; `speedup` the measured ratio."""

    model_config = ConfigDict(frozen=True)

    title: str
    diff: str
    status: str
    reason: str
    output: str = ""
    speedup: float | None = None

    @classmethod
    def from_candidate(cls, candidate: Candidate, output: str = "") -> Attempt:
        verdict = candidate.verdict
        return cls(
            title=candidate.edit.title,
            diff=candidate.diff or edit_as_blocks(candidate.edit),
            status=candidate.status,
            reason=candidate.reason,
            output=output,
            speedup=verdict.speedup if verdict else None,
        )


def edit_as_blocks(edit: Edit) -> str:
    """An edit in the reply format (for candidates rejected before a diff existed)."""
    return "\n".join(
        f"{r.path}\n{SEARCH}\n{r.search}{DIVIDER}\n{r.replace}{REPLACE}" for r in edit.replacements
    )


def repair_task(attempt: Attempt) -> str:
    output = attempt.output.strip()
    if len(output) > ATTEMPT_OUTPUT_CHARS:
        output = "...\n" + output[-ATTEMPT_OUTPUT_CHARS:]
    return "\n".join([
        f"Task: repair a failed candidate. {attempt.title!r} was {attempt.status}: "
        f"{_one_line(attempt.reason)}",
        "Its change, NOT applied to the files shown here:",
        f"```diff\n{_cut(attempt.diff, ATTEMPT_DIFF_CHARS)}\n```",
        *([f"Output of the failing tests (last part):\n```\n{output}\n```"] if output else []),
        "Reply with a corrected edit that keeps the speed idea and keeps the tests passing. "
        "Its SEARCH text must match the current files shown here, not the failed version.",
    ])  # fmt: skip


def refine_task(attempt: Attempt) -> str:
    speed = f" ({attempt.speedup:.3f}x faster)" if attempt.speedup else ""
    return "\n".join([
        f"Task: go further. {attempt.title!r} was accepted{speed}: {_one_line(attempt.reason)}",
        "It is already applied to the files shown here; the profile below was measured after it.",
        f"```diff\n{_cut(attempt.diff, ATTEMPT_DIFF_CHARS)}\n```",
        "Reply with one more edit that makes the function faster still; "
        "do not undo or repeat that change.",
    ])  # fmt: skip


def fix_message(error: str) -> str:
    """The one fix-the-block turn: what went wrong and what to send back."""
    return (
        f"Your edit could not be used: {error}\n\n"
        "Send the whole edit again, corrected, in the same format (TITLE, RATIONALE and "
        "every block). SEARCH must copy the current file lines exactly, without the gutter."
    )


@dataclass
class _Section:
    heading: str
    items: list[str]
    priority: int  # trimmed lowest first
    drop_oldest: bool = False  # feedback: the latest items matter most
    fence: bool = False  # items are code
    omitted: int = 0

    def render(self) -> str:
        if not self.items:
            return ""
        body = ["```python", *self.items, "```"] if self.fence else self.items
        more = [f"- ... {self.omitted} more omitted"] if self.omitted else []
        return "\n".join([self.heading, *body, *more])

    def drop_one(self) -> None:
        self.items.pop(0 if self.drop_oldest else -1)
        self.omitted += 1


def build_messages(
    target: Target,
    context: ProposalContext,
    feedback: list[Feedback],
    max_chars: int = DEFAULT_PROMPT_CHARS,
    *,
    code: CodeContext | None = None,
    focus: str = "",
    task: str = "",
    tool_rounds: int = 0,
) -> list[BaseMessage]:
    """System and user messages whose text together stays within about `max_chars`.
    `code` is gathered from the workspace when not given; `task` (repair_task, refine_task)
    and `focus` (one of FOCUSES) go right before the source."""
    system = system_prompt(tool_rounds)
    user = build_user_prompt(
        target, context, feedback, max_chars - len(system), code=code, focus=focus, task=task
    )
    return [SystemMessage(content=system), HumanMessage(content=user)]


def build_user_prompt(
    target: Target,
    context: ProposalContext,
    feedback: list[Feedback],
    max_chars: int,
    *,
    code: CodeContext | None = None,
    focus: str = "",
    task: str = "",
) -> str:
    spot, profile = target.hotspot, context.profile
    if code is None:
        code = gather_context(
            context.workspace, spot.file, spot.function, target.source, context.workload
        )
    head = "\n".join(
        [
            f"Workload being timed: `{context.workload}`",
            f"Tests that must keep passing: `{context.test_command}`",
            "",
            f"Hot function: {spot.function} in {spot.file} (lines {spot.start_line}-{spot.end_line})",
            f"Self {spot.self_percent:.1f}%, total {spot.total_percent:.1f}% of "
            f"{profile.total_samples} samples ({profile.profiler}, "
            f"{profile.wall_seconds:.2f}s wall).",
            "Gutter: line number, samples charged to the line (time below it included), share.",
        ]
    )
    name = spot.function.split(".")[-1]
    sections = [  # in the order shown; `priority` says what is trimmed first
        _Section(f"Imports of {spot.file}:", list(code.imports), 5, fence=True),
        _Section("Definitions it uses from this repository:", list(code.definitions), 3,
                 fence=True),
        _Section("Called from:", [f"- {n}" for n in spot.callers], 4),
        _Section("Calls:", [f"- {n}" for n in spot.callees], 4),
        _Section(f"Tests that mention {name}:", list(code.tests), 1),
        _Section("The workload's code:", list(code.workload), 2, fence=True),
        _Section("Other hot functions:", _other_hotspots(spot, profile), 0),
        _Section("Earlier candidates for this function (do not repeat them):",
                 [_feedback_line(f) for f in feedback], 6, drop_oldest=True),
    ]  # fmt: skip
    source = annotate(target.source, spot.start_line, spot.lines, profile.total_samples)
    lead = [text for text in (focus, task) if text]

    def assemble(source_text: str) -> str:
        parts = [head, *lead, f"```python\n{source_text}\n```"]
        parts += [text for s in sections if (text := s.render())]
        return "\n\n".join(parts) + "\n"

    for section in sorted(sections, key=lambda s: s.priority):
        while section.items and len(assemble("\n".join(source))) > max_chars:
            section.drop_one()
    room = max_chars - len(assemble(""))
    return assemble(_cut_source(source, _hottest_index(target), room))


def _other_hotspots(spot: Hotspot, profile: Profile) -> list[str]:
    others = [h for h in profile.hotspots if h.key != spot.key][:OTHER_HOTSPOTS]
    return [
        f"- {h.function} ({h.file}:{h.start_line}): self {h.self_percent:.1f}%, "
        f"total {h.total_percent:.1f}%"
        for h in others
    ]


def _feedback_line(item: Feedback) -> str:
    reason = " ".join(item.reason.split())
    if len(reason) > FEEDBACK_REASON_CHARS:
        reason = reason[: FEEDBACK_REASON_CHARS - 3] + "..."
    return f"- {item.edit_title!r}: {item.status}: {reason}"


def _hottest_index(target: Target) -> int:
    if not target.hotspot.lines:
        return 0
    hottest = max(target.hotspot.lines, key=lambda ls: ls.samples)
    return max(0, hottest.line - target.hotspot.start_line)


def _cut_source(lines: list[str], keep: int, room: int) -> str:
    """The longest run of lines around `keep` that fits in `room` characters."""
    if not lines or len("\n".join(lines)) <= room:
        return "\n".join(lines)
    lo = hi = min(keep, len(lines) - 1)
    used = len(lines[lo]) + 1
    room -= 80  # for the two "omitted" notes
    while True:
        # Grow towards the side with more lines left, so the hot line stays near the middle.
        grow_up = lo > 0 and (hi + 1 >= len(lines) or lo >= len(lines) - 1 - hi)
        nxt = lo - 1 if grow_up else hi + 1
        if nxt < 0 or nxt >= len(lines) or used + len(lines[nxt]) + 1 > room:
            break
        used += len(lines[nxt]) + 1
        lo, hi = (nxt, hi) if grow_up else (lo, nxt)
    above = [f"... {lo} lines above omitted"] if lo else []
    below = [f"... {len(lines) - 1 - hi} lines below omitted"] if hi < len(lines) - 1 else []
    return "\n".join([*above, *lines[lo : hi + 1], *below])


def _one_line(text: str) -> str:
    return " ".join(text.split())[:FEEDBACK_REASON_CHARS]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "\n... (cut)"
