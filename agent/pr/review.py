"""`--comment` mode: the result as a review on the PR, each change of the patch as a one-click
suggestion where GitHub allows one (the lines must lie in one hunk of the PR's own diff), the
rest as a diff in the review body."""

from __future__ import annotations

from dataclasses import dataclass, field

from github.PullRequest import ReviewComment

from agent.pr import body
from agent.pr.diffs import Hunk, parse
from agent.pr.finished import FinishedRun
from agent.pr.state import ProposalState, embed


@dataclass(frozen=True)
class Suggestion:
    path: str
    start: int  # first replaced line at the PR's head
    end: int  # last replaced line
    text: list[str]  # the lines that replace them
    old: list[str]  # the lines replaced

    def comment(self, note: str) -> ReviewComment:
        block = "\n".join(["```suggestion", *self.text, "```"])
        found = ReviewComment(
            path=self.path, line=self.end, side="RIGHT", body=f"{note}\n\n{block}"
        )
        if self.start != self.end:
            found["start_line"], found["start_side"] = self.start, "RIGHT"
        return found


@dataclass
class Review:
    body: str
    comments: list[ReviewComment] = field(default_factory=list)


def suggestion(hunk: Hunk) -> Suggestion:
    """The hunk's change without its unchanged context lines, as a replacement of head lines."""
    old, new = list(hunk.old_lines), list(hunk.new_lines)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    if head + tail == len(old):  # a pure insertion: anchor it on the line before
        head = max(0, head - 1)
    start = hunk.old_start + head
    end = hunk.old_start + len(old) - tail - 1
    return Suggestion(
        hunk.path, start, end, new[head : len(new) - tail], old[head : len(old) - tail]
    )


def placeable(s: Suggestion, pr_hunks: list[Hunk]) -> bool:
    return any(h.path == s.path and s.start in h.new_span and s.end in h.new_span for h in pr_hunks)


def build_review(
    run: FinishedRun, pr_hunks: list[Hunk], state: ProposalState, min_effect: float
) -> Review:
    review = Review("")
    elsewhere: list[Suggestion] = []
    for hunk in parse(run.patch_text):
        s = suggestion(hunk)
        if placeable(s, pr_hunks):
            titles = [c.edit.title for _, c in run.accepted() if c.edit.file == hunk.path]
            note = "perfsmith: " + (
                "; ".join(dict.fromkeys(titles)) or "part of the measured patch"
            )
            review.comments.append(s.comment(body.cell(note)))
        else:
            elsewhere.append(s)
    parts = [body.speed_section(run, min_effect).replace("## ", "### perfsmith: ", 1),
             "Only the functions this PR changed were optimized. "
             f"{len(review.comments)} change(s) are suggested inline below.",
             body.edits_section(run), body.tests_section(run), body.model_section(run),
             body.notes_section(run), _diff_section(elsewhere), body.footer(run), embed(state)]  # fmt: skip
    review.body = "\n\n".join(p for p in parts if p) + "\n"
    return review


def _diff_section(changes: list[Suggestion]) -> str:
    if not changes:
        return ""
    lines = [
        "#### Changes outside this PR's diff (GitHub cannot suggest them inline)",
        "",
        "```diff",
    ]
    for s in changes:
        lines.append(f"@@ {s.path}:{s.start}-{s.end} @@")
        lines += [f"-{t}" for t in s.old] + [f"+{t}" for t in s.text]
    return "\n".join([*lines, "```"])
