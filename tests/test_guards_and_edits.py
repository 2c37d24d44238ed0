from __future__ import annotations

from pathlib import Path

import pytest

from agent.edits import EditError, apply_edit
from agent.guards import protected_reason
from agent.records import Edit, Replacement


def edit(*reps: Replacement) -> Edit:
    return Edit(
        proposer="t",
        rule="t",
        title="t",
        rationale="",
        file="a.py",
        function="f",
        replacements=list(reps),
    )


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_x.py",
        "pkg/tests/helpers.py",
        "test_y.py",
        "pkg/conftest.py",
        "pyproject.toml",
        "bench.py",
    ],
)
def test_judges_are_protected(path: str) -> None:
    assert protected_reason(path, "python bench.py") is not None


def test_library_code_is_not_protected() -> None:
    assert protected_reason("pkg/core.py", "python bench.py") is None
    assert protected_reason("pkg/testing_utils.py", "python bench.py") is None


def test_apply_edit_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\ny = 2\n")
    bad = edit(
        Replacement(path="a.py", search="x = 1", replace="x = 10"),
        Replacement(path="a.py", search="z = 3", replace="z = 4"),
    )
    with pytest.raises(EditError, match="not found"):
        apply_edit(bad, tmp_path)
    assert (tmp_path / "a.py").read_text() == "x = 1\ny = 2\n"


def test_apply_edit_rejects_ambiguous_and_escaping_paths(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\nx = 1\n")
    with pytest.raises(EditError, match="2 times"):
        apply_edit(edit(Replacement(path="a.py", search="x = 1", replace="x = 2")), tmp_path)
    with pytest.raises(EditError, match="outside"):
        apply_edit(edit(Replacement(path="../evil.py", search="", replace="boom")), tmp_path)


def test_apply_edit_creates_new_files(tmp_path: Path) -> None:
    written = apply_edit(
        edit(Replacement(path="pkg/new.py", search="", replace="y = 2\n")), tmp_path
    )
    assert (
        written == [tmp_path / "pkg/new.py"] and (tmp_path / "pkg/new.py").read_text() == "y = 2\n"
    )
