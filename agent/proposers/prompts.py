"""The chat messages that ask a model for one speed edit of one hot function.

The user message is made of sections in order of importance; when the prompt is over its
character budget, the least important sections lose items first (other hotspots, then callers
and callees, then the oldest feedback), and only then is the function's source cut around its
hottest line.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from agent.proposers.search_replace import BLOCK_EXAMPLE, SEARCH
from agent.records import Feedback, ProposalContext, Target
from profilers.api import Hotspot, Profile

DEFAULT_PROMPT_CHARS = 24_000
OTHER_HOTSPOTS = 8
FEEDBACK_REASON_CHARS = 300

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


@dataclass
class _Section:
    heading: str
    items: list[str]
    drop_oldest: bool = False  # feedback: the latest items matter most
    omitted: int = 0

    def render(self) -> str:
        if not self.items:
            return ""
        more = [f"- ... {self.omitted} more omitted"] if self.omitted else []
        return "\n".join([self.heading, *self.items, *more])

    def drop_one(self) -> None:
        self.items.pop(0 if self.drop_oldest else -1)
        self.omitted += 1


def build_messages(
    target: Target,
    context: ProposalContext,
    feedback: list[Feedback],
    max_chars: int = DEFAULT_PROMPT_CHARS,
) -> list[BaseMessage]:
    """System and user messages whose text together stays within about `max_chars`."""
    user = build_user_prompt(target, context, feedback, max_chars - len(SYSTEM_PROMPT))
    return [SystemMessage(content=SYSTEM_PROMPT), HumanMessage(content=user)]


def build_user_prompt(
    target: Target, context: ProposalContext, feedback: list[Feedback], max_chars: int
) -> str:
    spot, profile = target.hotspot, context.profile
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
    # Least important first: that is the order in which they are trimmed.
    sections = [
        _Section("Other hot functions:", _other_hotspots(spot, profile)),
        _Section("Called from:", [f"- {name}" for name in spot.callers]),
        _Section("Calls:", [f"- {name}" for name in spot.callees]),
        _Section(
            "Earlier candidates for this function (do not repeat them):",
            [_feedback_line(f) for f in feedback],
            drop_oldest=True,
        ),
    ]
    source = _annotated_source(target, profile.total_samples)

    def assemble(source_text: str) -> str:
        parts = [head, f"```python\n{source_text}\n```"]
        parts += [text for s in reversed(sections) if (text := s.render())]
        return "\n\n".join(parts) + "\n"

    for section in sections:
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


def _annotated_source(target: Target, total_samples: int) -> list[str]:
    samples = {ls.line: ls.samples for ls in target.hotspot.lines}
    out = []
    for offset, code in enumerate(target.source.splitlines()):
        number = target.hotspot.start_line + offset
        count = samples.get(number, 0)
        share = f"{100 * count / total_samples:.1f}%" if count and total_samples else ""
        out.append(f"{number:>5} {count or '':>7} {share:>6} | {code}")
    return out


def _hottest_index(target: Target) -> int:
    if not target.hotspot.lines:
        return 0
    hottest = max(target.hotspot.lines, key=lambda ls: ls.samples)
    return max(0, hottest.line - target.hotspot.start_line)


def _cut_source(lines: list[str], keep: int, room: int) -> str:
    """The longest run of lines around `keep` that fits in `room` characters."""
    if not lines or sum(len(line) + 1 for line in lines) <= room:
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
