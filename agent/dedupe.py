"""Two edits that produce the same program are measured once.

`normalized_key` hashes a module's AST without positions, docstrings or comments, so
reformatting, comments, docstrings, quote style and redundant parentheses do not make a new
program. Source that does not parse is keyed by its text with whitespace collapsed: it will be
rejected anyway, and the key only has to be stable.

`edit_key` is the key of the whole program after an edit, computed in memory from the files
the edit touches; files whose normalized form does not change are left out, so an edit that
also rewords a comment elsewhere keys the same as the edit without it. Keys compare programs
built on the same parent: the loop should key candidates per parent state.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from agent.edits import EditError
from agent.records import Edit

_DOC_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def normalized_key(source_after_edit: str) -> str:
    try:
        tree = ast.parse(source_after_edit)
    except (SyntaxError, ValueError):  # ValueError: NUL bytes in the source
        return _digest("text:" + " ".join(source_after_edit.split()))
    for node in ast.walk(tree):
        if isinstance(node, _DOC_OWNERS) and node.body and _is_docstring(node.body[0]):
            node.body = node.body[1:]
    return _digest("ast:" + ast.dump(tree, include_attributes=False))


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def file_key(path: str, text: str) -> str:
    """Python files by their normalized AST, other files by their exact text."""
    return normalized_key(text) if path.endswith(".py") else _digest("raw:" + text)


def edited_sources(edit: Edit, workspace: Path) -> dict[str, str]:
    """The text of every file the edit touches, after the edit, without writing anything.
    Follows apply_edit's rules (each search matches once; empty search creates a file) and
    raises EditError where apply_edit would."""
    root = workspace.resolve()
    staged: dict[str, str] = {}
    for rep in edit.replacements:
        path = (root / rep.path).resolve()
        if root not in path.parents:
            raise EditError(f"{rep.path}: outside the workspace")
        if rep.path in staged:
            text = staged[rep.path]
        elif path.exists():
            text = path.read_text(encoding="utf-8")
        elif rep.search == "":
            staged[rep.path] = rep.replace
            continue
        else:
            raise EditError(f"{rep.path}: no such file")
        count = text.count(rep.search) if rep.search else 0
        if count != 1:
            raise EditError(
                f"{rep.path}: search text {'not found' if count == 0 else 'found more than once'}"
            )
        staged[rep.path] = text.replace(rep.search, rep.replace, 1)
    return staged


def file_key_after_edit(edit: Edit, workspace: Path, path: str) -> str:
    """The key of one workspace file after applying `edit` in memory (unchanged if the edit
    does not touch it)."""
    after = edited_sources(edit, workspace).get(path)
    if after is None:
        after = (workspace / path).read_text(encoding="utf-8")
    return file_key(path, after)


def edit_key(edit: Edit, workspace: Path) -> str:
    """The key of the program the edit produces from `workspace`."""
    parts = []
    for path, after in sorted(edited_sources(edit, workspace).items()):
        before_path = workspace / path
        key = file_key(path, after)
        if before_path.is_file() and file_key(path, before_path.read_text(encoding="utf-8")) == key:
            continue  # no change that the program can see
        parts.append(f"{path}\0{key}")
    return _digest("\n".join(parts))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
