"""replacements_for: minimal, unique blocks that apply_edit applies to give the new text."""

from __future__ import annotations

from pathlib import Path

from agent.edits import apply_edit
from agent.proposers.replacements import (
    apply_hunks,
    count_overlapping,
    line_hunks,
    replacements_for,
)
from agent.records import Edit, Replacement


def _apply(tmp_path: Path, old: str, replacements: list[Replacement]) -> str:
    (tmp_path / "m.py").write_text(old, encoding="utf-8")
    edit = Edit(
        proposer="rules", rule="t", title="t", rationale="t", file="m.py", function="f",
        replacements=replacements,
    )  # fmt: skip
    apply_edit(edit, tmp_path)
    return (tmp_path / "m.py").read_text(encoding="utf-8")


def test_one_changed_line_gets_context_only_when_repeated(tmp_path: Path) -> None:
    old = "a = 1\nb = 2\nc = 3\n"
    new = "a = 1\nb = 20\nc = 3\n"
    reps = replacements_for("m.py", old, new)
    assert [(r.search, r.replace) for r in reps] == [("b = 2\n", "b = 20\n")]
    assert _apply(tmp_path, old, reps) == new


def test_repeated_lines_grow_context_until_unique(tmp_path: Path) -> None:
    old = "def f():\n    x = 1\n    return x\n\n\ndef g():\n    x = 1\n    return x\n"
    new = old.replace("def g():\n    x = 1", "def g():\n    x = 2")
    reps = replacements_for("m.py", old, new)
    assert len(reps) == 1 and "def g():" in reps[0].search
    assert _apply(tmp_path, old, reps) == new


def test_insertions_and_several_regions_apply_in_order(tmp_path: Path) -> None:
    old = "".join(f"line{i}\n" for i in range(20))
    new = old.replace("line3\n", "line3\nextra\n").replace("line15\n", "LINE15\n")
    new = "header\n" + new
    reps = replacements_for("m.py", old, new)
    assert len(reps) == 3
    assert all(r.search for r in reps)
    assert _apply(tmp_path, old, reps) == new


def test_a_replacement_that_creates_a_later_search_text_is_disambiguated(tmp_path: Path) -> None:
    # The first change writes "y\n" just before the second change's search text "y\n".
    old = "a\nb\nc\nd\ne\ny\n"
    new = "y\nb\nc\nd\ne\nz\n"
    reps = replacements_for("m.py", old, new)
    assert _apply(tmp_path, old, reps) == new


def test_no_change_gives_no_replacements() -> None:
    assert replacements_for("m.py", "a\n", "a\n") == []


def test_apply_hunks_keeps_only_the_chosen_hunks() -> None:
    old = "a\nb\nc\n"
    new = "A\nb\nC\n"
    hunks = line_hunks(old, new)
    assert apply_hunks(old, new, hunks[1:]) == "a\nb\nC\n"


def test_count_overlapping_counts_what_str_count_skips() -> None:
    assert "aaa".count("aa") == 1
    assert count_overlapping("aaa", "aa") == 2
