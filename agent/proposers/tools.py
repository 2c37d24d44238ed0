"""Read-only tools a model may call before it proposes: read_file, grep, list_symbols,
show_profile and show_test_output.

Every path is confined to the workspace (absolute paths, `..` escapes and symlinks out are
refused) and files that commonly hold secrets (.env, .netrc, keys, .git) are never read, so
nothing outside the repository, and no credential inside it, reaches the model. Each output
is capped at MAX_TOOL_OUTPUT characters. Errors come back to the model as text, not raised.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import ValidationError

from profilers.api import LineSamples, Profile

MAX_TOOL_OUTPUT = 8_000
MAX_READ_LINES = 300
MAX_GREP_HITS = 60
MAX_FILES_SCANNED = 5_000
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 200

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox",
             ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"}  # fmt: skip
SECRET_NAMES = (".env", ".env.*", ".netrc", ".pypirc", ".npmrc", "*.pem", "*.key", "id_rsa*",
                "id_ed25519*", "credentials*", "*.secret*")  # fmt: skip


class ToolError(ToolException):
    """A tool call the model got wrong; the message goes back to it."""


def confine(workspace: Path, path: str) -> Path:
    """The file `path` names inside the workspace, or ToolError."""
    raw = path.strip()
    if not raw:
        raise ToolError("give a path relative to the repository root")
    if raw.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", raw):
        raise ToolError(f"{raw}: give a path relative to the repository root")
    root = workspace.resolve()
    full = (root / raw.replace("\\", "/")).resolve()  # resolve() follows symlinks, then we check
    if full != root and root not in full.parents:
        raise ToolError(f"{raw}: outside the repository")
    if _private(full.relative_to(root)):
        raise ToolError(f"{raw}: not readable (version control, perfsmith data or secrets)")
    return full


def _private(rel: Path) -> bool:
    parts = rel.parts
    if any(p in {".git", ".hg", ".svn"} or p.startswith(".perfsmith") for p in parts):
        return True
    return bool(parts) and any(fnmatch.fnmatch(parts[-1], pat) for pat in SECRET_NAMES)


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise ToolError("no such file")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ToolError(f"file is over {MAX_FILE_BYTES} bytes")
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ToolError("not a UTF-8 text file") from None
    except OSError as exc:  # permissions, a file removed meanwhile: the model hears why
        raise ToolError(f"cannot read: {exc.strerror or exc}") from None


def walk_files(workspace: Path, pattern: str = "*") -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of readable files matching an fnmatch pattern, where `*`
    also crosses folders; caches, virtualenvs and private files are skipped."""
    root = workspace.resolve()
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".perfsmith"))
        for name in sorted(files):
            path = Path(folder) / name
            rel = path.relative_to(root)
            posix = rel.as_posix()
            if _private(rel) or not _glob_match(posix, pattern):
                continue
            seen += 1
            if seen > MAX_FILES_SCANNED:
                return
            yield posix, path


def _glob_match(posix: str, pattern: str) -> bool:
    # "**/x.py" should also match "x.py" at the top level.
    return fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, pattern.removeprefix("**/"))


def cap(text: str, limit: int = MAX_TOOL_OUTPUT) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 60] + f"\n... output cut at {limit} characters; ask for less"


# --- the tools ---------------------------------------------------------------------------
def read_file(workspace: Path, path: str, start: int = 1, end: int | None = None) -> str:
    lines = read_lines(confine(workspace, path))
    start = max(1, start)
    end = min(len(lines), end if end is not None else start + MAX_READ_LINES - 1)
    end = min(end, start + MAX_READ_LINES - 1)
    if start > len(lines):
        return f"{path} has {len(lines)} lines"
    shown = [f"{n:>5}| {lines[n - 1]}" for n in range(start, end + 1)]
    return cap(f"{path} lines {start}-{end} of {len(lines)}:\n" + "\n".join(shown))


def grep(workspace: Path, pattern: str, path_glob: str = "**/*.py") -> str:
    if path_glob.startswith("/") or ".." in PurePosixPath(path_glob).parts:
        raise ToolError("path_glob must be relative to the repository root")
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ToolError(f"bad regular expression: {exc}") from None
    hits: list[str] = []
    for posix, path in walk_files(workspace, path_glob):
        try:
            lines = read_lines(path)
        except ToolError:
            continue  # binary or huge files cannot match a text search; skipping is the answer
        for number, line in enumerate(lines, start=1):
            if regex.search(line):
                hits.append(f"{posix}:{number}: {line.strip()[:MAX_LINE_CHARS]}")
                if len(hits) == MAX_GREP_HITS:
                    return cap("\n".join([*hits, f"... stopped at {MAX_GREP_HITS} matches"]))
    return cap("\n".join(hits)) if hits else f"no match for {pattern!r} in {path_glob}"


def list_symbols(workspace: Path, module_path: str) -> str:
    if not module_path.endswith(".py") and "/" not in module_path:
        module_path = module_path.replace(".", "/") + ".py"  # a dotted module name
    lines = read_lines(confine(workspace, module_path))
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError as exc:
        raise ToolError(f"{module_path} does not parse: line {exc.lineno}: {exc.msg}") from None
    except ValueError as exc:  # NUL bytes
        raise ToolError(f"{module_path} does not parse: {exc}") from None
    out = [f"{module_path}:"]
    for node in tree.body:
        out.extend(symbol_lines(node, ""))
    return cap("\n".join(out))


def symbol_lines(node: ast.stmt, indent: str) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [f"{indent}{signature(node)}  # line {node.lineno}"]
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        head = f"{indent}class {node.name}({bases}):  # line {node.lineno}"
        return [head] + [
            line for child in node.body for line in symbol_lines(child, indent + "    ")
        ]
    if isinstance(node, ast.Assign | ast.AnnAssign):
        text = ast.unparse(node).split("\n")[0]
        return [f"{indent}{text[:MAX_LINE_CHARS]}  # line {node.lineno}"]
    return []


def signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{prefix} {node.name}({ast.unparse(node.args)}){returns}: ..."


def show_profile(workspace: Path, profile: Profile, function: str) -> str:
    spots = [h for h in profile.hotspots if h.function == function]
    spots = spots or [h for h in profile.hotspots if function in h.function]
    if not spots:
        names = ", ".join(h.function for h in profile.hotspots[:20])
        return f"{function!r} is not in the profile; hot functions: {names}"
    out = []
    for spot in spots[:3]:
        out.append(
            f"{spot.function} in {spot.file}:{spot.start_line}-{spot.end_line}: self "
            f"{spot.self_percent:.1f}%, total {spot.total_percent:.1f}% of "
            f"{profile.total_samples} samples; called from: {', '.join(spot.callers) or '-'}; "
            f"calls: {', '.join(spot.callees) or '-'}"
        )
        try:
            lines = read_lines(confine(workspace, spot.file))
        except ToolError as exc:
            out.append(f"(source unavailable: {exc})")
            continue
        source = "\n".join(lines[spot.start_line - 1 : spot.end_line])
        out.extend(annotate(source, spot.start_line, spot.lines, profile.total_samples))
    return cap("\n".join(out))


def show_test_output(outputs: dict[str, str], candidate_title: str) -> str:
    """What the judges said about an earlier candidate (tests output, speed verdict)."""
    want = candidate_title.strip().casefold()
    found = [t for t in outputs if t.casefold() == want] or [
        t for t in outputs if want and want in t.casefold()
    ]
    if not found:
        known = "; ".join(repr(t) for t in outputs) or "none yet"
        return f"no earlier candidate titled {candidate_title!r}; known: {known}"
    return cap("\n\n".join(f"{t}:\n{outputs[t]}" for t in found[:3]))


def annotate(
    source: str, start_line: int, lines: list[LineSamples], total_samples: int
) -> list[str]:
    """Source lines with a gutter: line number, samples charged to the line, share of all."""
    samples = {ls.line: ls.samples for ls in lines}
    out = []
    for offset, code in enumerate(source.splitlines()):
        number = start_line + offset
        count = samples.get(number, 0)
        share = f"{100 * count / total_samples:.1f}%" if count and total_samples else ""
        out.append(f"{number:>5} {count or '':>7} {share:>6} | {code}")
    return out


# --- LangChain glue ----------------------------------------------------------------------
TOOL_NAMES = ("read_file", "grep", "list_symbols", "show_profile", "show_test_output")


def make_tools(workspace: Path, profile: Profile, outputs: dict[str, str]) -> list[BaseTool]:
    """The five tools, bound to one proposal's workspace, profile and earlier outcomes."""

    def read_file_tool(path: str, start: int = 1, end: int | None = None) -> str:
        return read_file(workspace, path, start, end)

    def grep_tool(pattern: str, path_glob: str = "**/*.py") -> str:
        return grep(workspace, pattern, path_glob)

    def list_symbols_tool(module_path: str) -> str:
        return list_symbols(workspace, module_path)

    def show_profile_tool(function: str) -> str:
        return show_profile(workspace, profile, function)

    def show_test_output_tool(candidate_title: str) -> str:
        return show_test_output(outputs, candidate_title)

    specs: list[tuple[Callable[..., str], str, str]] = [
        (read_file_tool, "read_file", "Read lines start..end (1-based, inclusive) of a "
         f"repository file; at most {MAX_READ_LINES} lines per call."),
        (grep_tool, "grep", "Search repository files whose relative path matches path_glob "
         "(fnmatch; * crosses folders) for a Python regular expression; lists path:line: text."),
        (list_symbols_tool, "list_symbols", "List the classes, functions (with signatures) and "
         "module-level assignments of a module, given as a path or a dotted name."),
        (show_profile_tool, "show_profile", "Show a function's profile: its share of the run, "
         "callers, callees and samples per source line."),
        (show_test_output_tool, "show_test_output", "Show what the judges reported (test "
         "output, speed verdict) for an earlier candidate, by its title."),
    ]  # fmt: skip
    return [
        StructuredTool.from_function(
            func=func,
            name=name,
            description=description,
            handle_tool_error=_tool_error,
            handle_validation_error=_bad_arguments,
        )
        for func, name, description in specs
    ]


def _tool_error(exc: ToolException) -> str:
    return f"error: {exc}"


def _bad_arguments(exc: Any) -> str:
    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return f"error: bad arguments: {problems}"
    return f"error: bad arguments: {exc}"


def run_tool_call(tools: dict[str, BaseTool], call: ToolCall) -> ToolMessage:
    """Run one requested call; every failure becomes text the model can act on."""
    tool = tools.get(call["name"])
    if tool is None:
        text = f"error: unknown tool {call['name']!r}; available: {', '.join(tools)}"
    else:
        text = str(tool.invoke(call.get("args", {})))
    return ToolMessage(content=text, tool_call_id=call.get("id") or "", name=call["name"])
