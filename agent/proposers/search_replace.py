"""SEARCH/REPLACE blocks: parse them strictly out of a model's reply, and check them
against the workspace before anything is applied.

The format (the prompt shows BLOCK_EXAMPLE to the model):

    path/to/file.py
    <<<<<<< SEARCH
    exact existing lines
    =======
    replacement lines
    >>>>>>> REPLACE

- The line directly before `<<<<<<< SEARCH` names the file, relative to the repository root
  (no absolute paths, no `..`). A block may sit inside a ``` fence; the path line may then be
  the first line inside the fence or the line just before the fence.
- SEARCH copies existing lines exactly, indentation included; they must occur once in the file.
- An empty SEARCH creates a new file whose content is the REPLACE lines.
- Several blocks, for one file or several, may follow each other; blocks apply in order.
- Text outside blocks (a title, a rationale, fences) is ignored by the parser.
"""

from __future__ import annotations

import difflib
from pathlib import Path, PurePosixPath, PureWindowsPath

from agent.records import Replacement

SEARCH = "<<<<<<< SEARCH"
DIVIDER = "======="
REPLACE = ">>>>>>> REPLACE"
MARKERS = (SEARCH, DIVIDER, REPLACE)

BLOCK_EXAMPLE = f"""path/to/file.py
{SEARCH}
exact existing lines
{DIVIDER}
replacement lines
{REPLACE}"""

NEAREST_LINES_SHOWN = 12


class BlockFormatError(Exception):
    """The reply's blocks are malformed; the message says what to fix, in one line."""


class BlockMatchError(Exception):
    """A well-formed block does not fit the workspace files; the message says where."""


def parse_blocks(reply: str) -> list[Replacement]:
    """Return the reply's blocks in order, or raise BlockFormatError."""
    lines = reply.replace("\r\n", "\n").split("\n")
    replacements: list[Replacement] = []
    i = 0
    while i < len(lines):
        mark = lines[i].strip()
        if mark == SEARCH:
            number = len(replacements) + 1
            path = _path_before(lines, i, number)
            search, i = _section(
                lines, i + 1, DIVIDER, f"block {number}: missing {DIVIDER} divider"
            )
            replace, i = _section(lines, i + 1, REPLACE, f"block {number}: missing {REPLACE} line")
            replacements.append(Replacement(path=path, search=search, replace=replace))
        elif mark in (DIVIDER, REPLACE):
            raise BlockFormatError(
                f"line {i + 1}: {mark} outside a block (blocks start with {SEARCH})"
            )
        i += 1
    if not replacements:
        raise BlockFormatError(f"no SEARCH/REPLACE blocks found (a block starts with {SEARCH})")
    return replacements


def _section(lines: list[str], start: int, end_mark: str, missing: str) -> tuple[str, int]:
    """Collect lines from `start` up to `end_mark`; return the text and the marker's index."""
    for i in range(start, len(lines)):
        mark = lines[i].strip()
        if mark == end_mark:
            return "".join(line + "\n" for line in lines[start:i]), i
        if mark in MARKERS:  # the next marker came early: this one is missing
            break
    raise BlockFormatError(missing)


def _path_before(lines: list[str], search_at: int, number: int) -> str:
    at = search_at - 1
    if at >= 0 and lines[at].strip().startswith("```"):
        at -= 1  # path line just outside the fence
    raw = lines[at].strip().strip("`").strip() if at >= 0 else ""
    if not raw or raw in MARKERS:
        raise BlockFormatError(
            f"block {number}: put the file path on the line directly before {SEARCH}"
        )
    return _checked_path(raw, number)


def _checked_path(raw: str, number: int) -> str:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    if any(ch.isspace() for ch in raw):
        raise BlockFormatError(
            f"block {number}: {shown!r} is not a file path (line before {SEARCH})"
        )
    if raw.startswith(("/", "\\", "~")) or PureWindowsPath(raw).drive:
        raise BlockFormatError(
            f"block {number}: path {shown} must be relative to the repository root"
        )
    path = PurePosixPath(raw.replace("\\", "/"))
    if ".." in path.parts:
        raise BlockFormatError(
            f"block {number}: path {shown} must stay inside the repository (no '..')"
        )
    return path.as_posix()


def check_replacements(replacements: list[Replacement], root: Path) -> None:
    """Raise BlockMatchError unless every block applies, in order, to the files under root:
    each SEARCH occurs exactly once, and an empty SEARCH names a file that does not exist."""
    root = root.resolve()
    staged: dict[Path, str] = {}  # later blocks see earlier blocks' results, as in apply_edit
    for number, rep in enumerate(replacements, start=1):
        where = f"block {number} ({rep.path})"
        path = (root / rep.path).resolve()
        if root not in path.parents:
            raise BlockMatchError(f"{where}: resolves outside the workspace")
        text = staged.get(path)
        if text is None and path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise BlockMatchError(f"{where}: not a UTF-8 text file") from None
        if rep.search == "":
            if text is not None or path.exists():
                raise BlockMatchError(
                    f"{where}: empty SEARCH creates a file, but it already exists"
                )
            staged[path] = rep.replace
            continue
        if text is None:
            raise BlockMatchError(f"{where}: no such file (an empty SEARCH creates one)")
        _check_unique(text, rep.search, where)
        staged[path] = text.replace(rep.search, rep.replace, 1)


def _check_unique(text: str, search: str, where: str) -> None:
    count = text.count(search)
    if count == 1:
        return
    if count > 1:
        starts = _occurrence_lines(text, search)
        raise BlockMatchError(
            f"{where}: SEARCH text occurs {count} times (lines {', '.join(map(str, starts))}); "
            "include more surrounding lines so it matches once"
        )
    first, nearest = nearest_lines(text, search)
    shown = "\n".join(f"{first + k:>5}| {line}" for k, line in enumerate(nearest))
    raise BlockMatchError(
        f"{where}: SEARCH text not found; SEARCH must copy the file exactly. "
        f"Nearest lines in the file:\n{shown}"
    )


def _occurrence_lines(text: str, search: str) -> list[int]:
    starts: list[int] = []
    at = text.find(search)
    while at != -1 and len(starts) < 10:
        starts.append(text.count("\n", 0, at) + 1)
        at = text.find(search, at + 1)
    return starts


def nearest_lines(text: str, search: str) -> tuple[int, list[str]]:
    """The window of file lines most similar to `search` (difflib ratio), with its 1-based
    first line number; at most NEAREST_LINES_SHOWN lines of it are returned."""
    lines = text.splitlines()
    width = max(1, len(search.splitlines()))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(search)  # difflib caches the second sequence, so it is the fixed one
    best, best_start = -1.0, 0
    for start in range(max(1, len(lines) - width + 1)):
        matcher.set_seq1("\n".join(lines[start : start + width]) + "\n")
        # The cheap upper bounds skip most windows without the full comparison.
        if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
            continue
        ratio = matcher.ratio()
        if ratio > best:
            best, best_start = ratio, start
    return best_start + 1, lines[best_start : best_start + min(width, NEAREST_LINES_SHOWN)]
