"""Apply an Edit's replacements to a workspace, strictly: each search text must match once."""

from __future__ import annotations

from pathlib import Path

from agent.records import Edit


class EditError(Exception):
    """The edit cannot be applied; the message says why, in one line."""


def apply_edit(edit: Edit, root: Path) -> list[Path]:
    """Apply all replacements or none. Returns the files written."""
    root = root.resolve()
    staged: dict[Path, str] = {}
    for rep in edit.replacements:
        path = (root / rep.path).resolve()
        if root not in path.parents:
            raise EditError(f"{rep.path}: outside the workspace")
        if path in staged:
            text = staged[path]
        elif path.exists():
            text = path.read_text(encoding="utf-8")
        elif rep.search == "":
            staged[path] = rep.replace
            continue
        else:
            raise EditError(f"{rep.path}: no such file")
        count = text.count(rep.search) if rep.search else 0
        if count != 1:
            where = "not found" if count == 0 else f"found {count} times"
            raise EditError(f"{rep.path}: search text {where}")
        staged[path] = text.replace(rep.search, rep.replace, 1)
    for path, text in staged.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(staged)
