"""What the prompt shows around a hot function besides its source: the imports of its file,
the definitions of names it uses from the same repository (trimmed to signatures and fields),
the tests that mention it and the workload's own code. All reads go through the tools'
confinement, so the prompt never carries a file the tools would refuse.
"""

from __future__ import annotations

import ast
import builtins
import re
import shlex
import textwrap
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agent.proposers.tools import (
    MAX_LINE_CHARS,
    ToolError,
    confine,
    read_lines,
    signature,
    walk_files,
)

MAX_DEFINITIONS = 12
MAX_DEFINITION_LINES = 12
MAX_TEST_HITS = 8
MAX_WORKLOAD_LINES = 60
TEST_DIRS = {"tests", "test", "testing"}


@dataclass(frozen=True)
class CodeContext:
    """What the prompt shows around the hot function; each list is trimmed item by item."""

    imports: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)  # "# file:line" + trimmed source
    tests: list[str] = field(default_factory=list)  # "- path::test (line n): excerpt"
    workload: list[str] = field(default_factory=list)  # lines of the workload's own code


@dataclass(frozen=True)
class _Module:
    rel: str
    text: str
    tree: ast.Module


def gather_context(
    workspace: Path, file: str, function: str, source: str, workload: str
) -> CodeContext:
    """Imports of the hot function's file, definitions of the names it uses from the same
    repository, tests that mention it and the workload's code. Missing or unparsable files
    give empty parts: context helps the model but is never required."""
    module = _parse(workspace, file)
    imports, definitions = [], []
    if module is not None:
        imports = [
            ast.unparse(n) for n in module.tree.body if isinstance(n, ast.Import | ast.ImportFrom)
        ]
        definitions = referenced_definitions(workspace, module, function, source)
    return CodeContext(
        imports=imports,
        definitions=definitions,
        tests=covering_tests(workspace, function),
        workload=workload_excerpt(workspace, workload),
    )


def _parse(workspace: Path, rel: str) -> _Module | None:
    try:
        text = "\n".join(read_lines(confine(workspace, rel))) + "\n"
        return _Module(rel, text, ast.parse(text))
    except (ToolError, SyntaxError, ValueError):  # absent, private, binary or broken: no context
        return None


def referenced_definitions(
    workspace: Path, module: _Module, function: str, source: str
) -> list[str]:
    names = _used_names(source)
    owner = function.split(".")[-2] if "." in function else ""
    top = {name: node for node in module.tree.body for name in _defined_names(node)}
    found: list[tuple[_Module, ast.stmt]] = []
    if owner in top:  # a method: its class (fields, other methods) matters most
        found.append((module, top[owner]))
    for name in names:
        if name == function.split(".")[-1] or name == owner:
            continue
        node = top.get(name)
        if isinstance(node, ast.ImportFrom):
            found.extend(_imported_definition(workspace, module.rel, node, name))
        elif node is not None:
            found.append((module, node))
    return [_summary(mod, node) for mod, node in found[:MAX_DEFINITIONS]]


def _used_names(source: str) -> list[str]:
    """Free names the function reads, in order of first use (not its parameters or locals)."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return []
    bound = {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
             for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a}  # fmt: skip
    bound |= {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    used = [n.id for n in sorted(loads, key=lambda n: (n.lineno, n.col_offset))]
    return [n for n in dict.fromkeys(used) if n not in bound and n not in dir(builtins)]


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.ImportFrom):
        return [a.asname or a.name for a in node.names]
    return []


def _imported_definition(
    workspace: Path, importer: str, node: ast.ImportFrom, name: str
) -> list[tuple[_Module, ast.stmt]]:
    original = next(a.name for a in node.names if (a.asname or a.name) == name)
    for rel in _module_candidates(importer, node):
        module = _parse(workspace, rel)
        if module is None:
            continue
        for stmt in module.tree.body:
            if original in _defined_names(stmt) and not isinstance(stmt, ast.ImportFrom):
                return [(module, stmt)]
    return []


def _module_candidates(importer: str, node: ast.ImportFrom) -> list[str]:
    parts = node.module.split(".") if node.module else []
    if node.level:
        base = PurePosixPath(importer).parents[node.level - 1]
        stems = ["/".join([*base.parts, *parts])]
    else:
        stems = ["/".join(parts), "src/" + "/".join(parts)]  # flat and src layouts
    return [f"{stem}{suffix}" for stem in stems for suffix in (".py", "/__init__.py")]


def _summary(module: _Module, node: ast.stmt) -> str:
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        lines = [f"class {node.name}({bases}):", *_docline(node, "    ")]
        for child in node.body:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                lines.append("    " + signature(child))
            elif isinstance(child, ast.Assign | ast.AnnAssign):
                lines.append("    " + ast.unparse(child).split("\n")[0][:MAX_LINE_CHARS])
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        lines = [*(f"@{ast.unparse(d)}" for d in node.decorator_list), signature(node)]
        lines += _docline(node, "    ")
    else:
        segment = ast.get_source_segment(module.text, node) or ast.unparse(node)
        lines = [line[:MAX_LINE_CHARS] for line in segment.splitlines()[:3]]
    if len(lines) > MAX_DEFINITION_LINES:
        lines = [*lines[: MAX_DEFINITION_LINES - 1], "    ..."]
    return "\n".join([f"# {module.rel}:{node.lineno}", *lines])


def _docline(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef, indent: str) -> list[str]:
    doc = ast.get_docstring(node)
    return [f'{indent}"""{doc.splitlines()[0][:MAX_LINE_CHARS]}"""'] if doc else []


def covering_tests(workspace: Path, function: str) -> list[str]:
    """Tests that mention the function by name: a grep, so a hit is likely, not certain, to
    exercise it. One line per test function, at most MAX_TEST_HITS."""
    parts = function.split(".")
    name = parts[-2] if parts[-1].startswith("__") and len(parts) > 1 else parts[-1]
    if not name.isidentifier() or name.startswith("<"):
        return []
    regex = re.compile(rf"\b{re.escape(name)}\b")
    hits: dict[str, str] = {}
    for posix, path in walk_files(workspace, "*.py"):
        if not _is_test_file(posix):
            continue
        try:
            lines = read_lines(path)
        except ToolError:
            continue  # unreadable test file: nothing to show from it
        spans: list[tuple[int, int, str]] | None = None
        for number, line in enumerate(lines, start=1):
            if not regex.search(line):
                continue
            spans = spans if spans is not None else _test_spans("\n".join(lines))
            test = next((t for lo, hi, t in spans if lo <= number <= hi), "")
            key = f"{posix}::{test}" if test else posix
            hits.setdefault(key, f"- {key} (line {number}): {line.strip()[:160]}")
            if len(hits) == MAX_TEST_HITS:
                return list(hits.values())
    return list(hits.values())


def _is_test_file(posix: str) -> bool:
    path = PurePosixPath(posix)
    name = path.name
    return (any(p in TEST_DIRS for p in path.parts[:-1]) or name.startswith("test_")
            or name.endswith("_test.py") or name == "conftest.py")  # fmt: skip


def _test_spans(text: str) -> list[tuple[int, int, str]]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    spans = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            spans.append((node.lineno, node.end_lineno or node.lineno, node.name))
        elif isinstance(node, ast.ClassDef):
            spans += [(m.lineno, m.end_lineno or m.lineno, f"{node.name}::{m.name}")
                      for m in node.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)]  # fmt: skip
    return spans


def workload_files(workspace: Path, workload: str) -> list[str]:
    """Repository files the workload text names: scripts, pytest node files, `module:function`."""
    try:
        words = shlex.split(workload)
    except ValueError:
        words = workload.split()
    found: list[str] = []
    for word in words:
        path = word.split("::")[0].removeprefix("./")
        if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", word):
            module = word.split(":")[0].replace(".", "/")
            options = [f"{module}.py", f"src/{module}.py", f"{module}/__init__.py"]
        else:
            options = [path] if path.endswith(".py") else []
        for rel in options:
            try:
                if confine(workspace, rel).is_file() and rel not in found:
                    found.append(rel)
                    break
            except ToolError:
                continue  # a word that only looks like a path
    return found


def workload_source(workspace: Path, workload: str) -> str:
    """The workload text and its files' code: what the gaming review compares literals with."""
    parts = [workload]
    for rel in workload_files(workspace, workload):
        try:
            parts.append("\n".join(read_lines(confine(workspace, rel))))
        except ToolError:
            continue  # listed a moment ago; a file that vanished has nothing to compare
    return "\n".join(parts)


def workload_excerpt(workspace: Path, workload: str) -> list[str]:
    out: list[str] = []
    for rel in workload_files(workspace, workload)[:2]:
        try:
            lines = read_lines(confine(workspace, rel))
        except ToolError:
            continue  # see workload_source
        out += [f"# {rel}", *(line[:MAX_LINE_CHARS] for line in lines[:MAX_WORKLOAD_LINES])]
        if len(lines) > MAX_WORKLOAD_LINES:
            out.append(f"# ... {len(lines) - MAX_WORKLOAD_LINES} more lines")
    return out
