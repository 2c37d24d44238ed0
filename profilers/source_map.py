"""Map a (file, line) to the function that encloses it, using the file's syntax tree.

Names follow Python's `__qualname__`: "Catalog.lookup" for a method, "outer.<locals>.inner"
for a nested function, the class name for code in a class body and "<module>" for code at
module level. Profilers report names that differ (py-spy prints "Catalog.lookup" or just
"lookup" depending on the Python version, cProfile prints `co_name`); these names are the
ones an edit can find in the source, so attribution always uses them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

MODULE = "<module>"


@dataclass(frozen=True)
class Scope:
    """A function (or class body, or module) and its lines, first decorator to last body line."""

    name: str
    start_line: int
    end_line: int

    def contains(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


class SourceMap:
    """Looks up enclosing scopes; each file is read and parsed once."""

    def __init__(self) -> None:
        self._scopes: dict[Path, list[Scope] | None] = {}

    def locate(self, path: Path, line: int) -> Scope | None:
        """The innermost scope holding `line`, or None when the file cannot be parsed."""
        scopes = self._scopes_of(path)
        if scopes is None:
            return None
        # Scopes are sorted outermost first, so the last one that holds the line is innermost.
        found = scopes[0]
        for scope in scopes[1:]:
            if scope.contains(line):
                found = scope
        return found

    def _scopes_of(self, path: Path) -> list[Scope] | None:
        if path not in self._scopes:
            self._scopes[path] = scopes_in(path)
        return self._scopes[path]


def scopes_in(path: Path) -> list[Scope] | None:
    """All scopes of a file, the module first; None when it is not readable Python source.

    A profile must not fail because one file in the repository is not Python 3 source (a
    template named .py, a file edited since the run): its frames then keep the profiler's name.
    """
    try:
        source = path.read_bytes()
        tree = ast.parse(source, filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    module = Scope(MODULE, 1, max(1, len(source.splitlines())))
    scopes = [module]
    _collect(tree, prefix="", into=scopes)
    scopes.sort(key=lambda s: (s.start_line, -s.end_line))
    return scopes


def _collect(node: ast.AST, prefix: str, into: list[Scope]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = prefix + child.name
            start = min([d.lineno for d in child.decorator_list] + [child.lineno])
            into.append(Scope(name, start, child.end_lineno or child.lineno))
            inner = name + (".<locals>." if not isinstance(child, ast.ClassDef) else ".")
            _collect(child, inner, into)
        else:
            # Blocks (if/for/with/try) do not open a scope: keep the prefix.
            _collect(child, prefix, into)
