"""Unified diff hunks, as `git diff` writes them: enough to find the lines a change touches."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    path: str  # the file's path after the change (before it, for a deleted file)
    old_start: int
    new_start: int
    old_lines: tuple[str, ...]  # context and removed lines, in order, without the prefix
    new_lines: tuple[str, ...]  # context and added lines
    touched: tuple[int, ...]  # new-side line numbers of added lines (or where lines went)

    @property
    def new_span(self) -> range:
        return range(self.new_start, self.new_start + len(self.new_lines))


def parse(diff: str) -> list[Hunk]:
    hunks: list[Hunk] = []
    path = ""
    lines = diff.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        # The "+++" name wins, except for a deleted file ("+++ /dev/null").
        if line.startswith("--- ") or (line.startswith("+++ ") and line[4:].strip() != "/dev/null"):
            path = _path(line[4:])
        elif match := _HUNK.match(line):
            old_count = int(match[2]) if match[2] is not None else 1
            new_count = int(match[4]) if match[4] is not None else 1
            i, hunk = _read_hunk(
                lines, i + 1, path, int(match[1]), int(match[3]), old_count, new_count
            )
            hunks.append(hunk)
            continue
        i += 1
    return hunks


def _read_hunk(lines: list[str], i: int, path: str, old_start: int, new_start: int,
               old_count: int, new_count: int) -> tuple[int, Hunk]:  # fmt: skip
    old: list[str] = []
    new: list[str] = []
    touched: list[int] = []
    gaps: list[int] = []  # new-side line numbers right after removed lines
    while i < len(lines) and (len(old) < old_count or len(new) < new_count):
        line = lines[i]
        tag, text = line[:1], line[1:]
        if tag in (" ", ""):
            old.append(text)
            new.append(text)
        elif tag == "-":
            old.append(text)
            gaps.append(new_start + len(new))
        elif tag == "+":
            touched.append(new_start + len(new))
            new.append(text)
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        i += 1  # "\ No newline at end of file"
    # A removal changes the code around it: when no line replaced it, charge the line
    # before the gap (with -U0 and nothing added, git numbers that line itself).
    if new_count == 0:
        touched = [max(1, new_start)]
    else:
        touched += [max(1, gap - 1) for gap in gaps if gap not in touched]
    return i, Hunk(path, old_start, new_start, tuple(old), tuple(new), tuple(sorted(set(touched))))


def _path(text: str) -> str:
    text = text.split("\t")[0].strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    return text[2:] if text[:2] in ("a/", "b/") else text
