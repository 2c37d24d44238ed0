"""Turn a file's old and new text into small Replacement blocks that apply_edit accepts.

apply_edit applies replacements in order, each to the text left by the ones before, and
requires every `search` to occur exactly once. We diff by lines, give each changed region
just enough unchanged lines around it to be unique, and check the whole sequence by
simulating it, growing a region's context until it applies cleanly.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from agent.records import Replacement


@dataclass(frozen=True)
class Hunk:
    """Old lines [old_start, old_end) become new lines [new_start, new_end) (0-based)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int

    @property
    def is_insertion(self) -> bool:
        return self.old_start == self.old_end

    def above(self, first_line: int) -> bool:
        """True if the hunk only touches lines before 1-based first_line."""
        return self.old_end <= first_line - 1

    def within(self, first_line: int, last_line: int) -> bool:
        """True if the hunk only touches 1-based lines first_line..last_line (an insertion
        counts as touching the gap where it goes, which may sit just after last_line)."""
        if self.is_insertion:
            return first_line - 1 <= self.old_start <= last_line
        return first_line - 1 <= self.old_start and self.old_end <= last_line


def line_hunks(old: str, new: str) -> list[Hunk]:
    """The changed regions between two texts, in order."""
    matcher = difflib.SequenceMatcher(
        None, old.splitlines(keepends=True), new.splitlines(keepends=True), autojunk=False
    )
    return [Hunk(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def apply_hunks(old: str, new: str, hunks: list[Hunk]) -> str:
    """The old text with only the given hunks of the old->new diff applied."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    for hunk in sorted(hunks, key=lambda h: h.old_start):
        out.extend(old_lines[cursor : hunk.old_start])
        out.extend(new_lines[hunk.new_start : hunk.new_end])
        cursor = hunk.old_end
    out.extend(old_lines[cursor:])
    return "".join(out)


def count_overlapping(text: str, needle: str) -> int:
    """Occurrences of needle in text, overlapping ones included (str.count skips those)."""
    count, start = 0, text.find(needle)
    while start != -1:
        count += 1
        start = text.find(needle, start + 1)
    return count


def replacements_for(path: str, old: str, new: str) -> list[Replacement]:
    """Minimal Replacement blocks that turn `old` into `new` when applied in order."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    # Each region is [old_start, old_end) of old lines plus context; start with none.
    regions = [[h.old_start, h.old_end, h.new_start, h.new_end] for h in line_hunks(old, new)]
    while True:
        regions = _merge_touching(regions)
        failed = _first_failure(old_lines, new_lines, regions)
        if failed is None:
            return [_replacement(path, old_lines, new_lines, r) for r in regions]
        _grow(regions[failed], len(old_lines))


def _first_failure(
    old_lines: list[str], new_lines: list[str], regions: list[list[int]]
) -> int | None:
    """Index of the first region whose search text is empty or not unique when applied in order."""
    text = "".join(old_lines)
    for index, region in enumerate(regions):
        rep = _replacement("", old_lines, new_lines, region)
        if not rep.search or count_overlapping(text, rep.search) != 1:
            return index
        text = text.replace(rep.search, rep.replace, 1)
    return None


def _grow(region: list[int], n_old: int) -> None:
    """Add one line of context on each side (old and new lines move together)."""
    if region[0] > 0:
        region[0] -= 1
        region[2] -= 1
    if region[1] < n_old:
        region[1] += 1
        region[3] += 1


def _merge_touching(regions: list[list[int]]) -> list[list[int]]:
    """Merge regions that overlap or abut, so no two replacements share text."""
    merged: list[list[int]] = []
    for region in regions:
        if merged and region[0] <= merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], region[1])
            last[3] = max(last[3], region[3])
        else:
            merged.append(list(region))
    return merged


def _replacement(
    path: str, old_lines: list[str], new_lines: list[str], region: list[int]
) -> Replacement:
    old_start, old_end, new_start, new_end = region
    return Replacement(
        path=path,
        search="".join(old_lines[old_start:old_end]),
        replace="".join(new_lines[new_start:new_end]),
    )
