"""What a pull request changed, in functions: `git diff` line numbers mapped onto the syntax
tree of the file at the PR's head. Names follow profilers/source_map.py (`__qualname__`
style: "Catalog.lookup", "outer.<locals>.inner"), so they match the profile's hotspot keys."""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path

from agent.pr import PrError
from agent.pr.diffs import Hunk, parse
from agent.records import content_hash


@dataclass(frozen=True)
class Span:
    name: str
    start: int  # first decorator line
    end: int


def function_spans(source: str) -> list[Span]:
    """Every function and method of a module, outermost first; [] for a file that is not Python."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    spans: list[Span] = []
    _collect(tree, "", spans)
    return sorted(spans, key=lambda s: (s.start, -s.end))


def _collect(node: ast.AST, prefix: str, into: list[Span]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + child.name
            start = min([d.lineno for d in child.decorator_list] + [child.lineno])
            into.append(Span(name, start, child.end_lineno or child.lineno))
            _collect(child, name + ".<locals>.", into)
        elif isinstance(child, ast.ClassDef):
            _collect(child, prefix + child.name + ".", into)
        else:
            _collect(child, prefix, into)


def innermost(spans: list[Span], line: int) -> Span | None:
    found = None
    for span in spans:  # outermost first, so the last match is the innermost
        if span.start <= line <= span.end:
            found = span
    return found


def pr_hunks(repo: Path, base: str, head: str = "HEAD", context: int = 0) -> list[Hunk]:
    """Hunks of the PR's Python files: the change from the merge base of `base` to `head`."""
    diff = git(
        repo,
        "diff",
        f"-U{context}",
        "--no-color",
        "--no-ext-diff",
        f"{base}...{head}",
        "--",
        "*.py",
    )
    return parse(diff)


def changed_functions(repo: Path, base: str, head: str = "HEAD") -> set[str]:
    """Hotspot keys (file::function) of the functions whose lines the PR added, changed or removed."""
    keys: set[str] = set()
    for hunk in pr_hunks(repo, base, head):
        spans = function_spans(show(repo, head, hunk.path))
        for line in hunk.touched:
            if span := innermost(spans, line):
                keys.add(f"{hunk.path}::{span.name}")
    return keys


def function_hash(repo: Path, commit: str, file: str, function: str) -> str:
    """A hash of the function's source at `commit` (of the whole file if it is not found there)."""
    source = show(repo, commit, file)
    for span in function_spans(source):
        if span.name == function:
            return content_hash("\n".join(source.splitlines()[span.start - 1 : span.end]))
    return content_hash(source)


def show(repo: Path, commit: str, file: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{file}"], capture_output=True, text=True
    )
    return done.stdout if done.returncode == 0 else ""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise PrError(
            f"git {args[0]} failed: {detail} (is the PR's base fetched? use fetch-depth: 0)"
        )
    return done.stdout
