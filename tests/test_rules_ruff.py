"""ruff autofixes confined to the target function's lines, one result per rule code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agent.proposers.ruff_fixes import SPEED_RULES, RuffFixer


@pytest.fixture(scope="module")
def ruff() -> RuffFixer:
    fixer = RuffFixer.find()
    if fixer is None:
        pytest.skip("ruff is not installed")
    return fixer


SOURCE = textwrap.dedent(
    """
    def hot(d, xs):
        total = 0
        for k in d.keys():
            total += k
        return total, [x for x in xs]


    def cold(d, xs):
        total = 0
        for k in d.keys():
            total += k
        return total, [x for x in xs]
    """
).lstrip()


def test_fixes_inside_the_span_only_one_result_per_code(ruff: RuffFixer) -> None:
    fixes = {fix.code: fix for fix in ruff.fixes(SOURCE, "pkg/mod.py", 1, 5)}
    assert set(fixes) == {"SIM118", "C416"}
    assert fixes["SIM118"].new_text == SOURCE.replace("for k in d.keys():", "for k in d:", 1)
    assert fixes["C416"].new_text == SOURCE.replace("[x for x in xs]", "list(xs)", 1)
    assert fixes["SIM118"].name == "in-dict-keys"
    assert not fixes["SIM118"].added_imports


def test_nothing_outside_the_span_is_proposed(ruff: RuffFixer) -> None:
    assert ruff.fixes(SOURCE, "mod.py", 1, 1) == []


def test_imports_a_fix_needs_are_kept(ruff: RuffFixer) -> None:
    source = "import os\n\n\ndef pairs(xs):\n    return list(zip(xs, xs[1:]))\n"
    (fix,) = [f for f in ruff.fixes(source, "mod.py", 4, 5) if f.code == "RUF007"]
    assert fix.added_imports
    assert "import itertools\n" in fix.new_text
    assert "list(itertools.pairwise(xs))" in fix.new_text
    compile(fix.new_text, "mod.py", "exec")


def test_the_workspace_file_is_never_touched(ruff: RuffFixer, tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(SOURCE, encoding="utf-8")
    ruff.fixes(path.read_text(encoding="utf-8"), str(path), 1, 5)
    assert path.read_text(encoding="utf-8") == SOURCE


def test_every_speed_rule_is_known_to_this_ruff_with_a_fix(ruff: RuffFixer) -> None:
    assert set(ruff.rule_names) == set(SPEED_RULES)


def test_an_existing_from_import_that_a_fix_extends_is_kept(ruff: RuffFixer) -> None:
    source = (
        "from itertools import chain\n\n\ndef pairs(xs):\n    return list(zip(xs, xs[1:])), chain\n"
    )
    (fix,) = [f for f in ruff.fixes(source, "mod.py", 4, 5) if f.code == "RUF007"]
    assert fix.added_imports
    namespace: dict[str, object] = {}
    exec(compile(fix.new_text, "mod.py", "exec"), namespace)
    assert namespace["pairs"]([1, 2, 3])[0] == [(1, 2), (2, 3)]  # type: ignore[operator]


def test_a_file_this_python_cannot_compile_gives_no_fixes(ruff: RuffFixer) -> None:
    assert ruff.fixes("def f(d):\n    for k in d.keys(): pass\n  x = (\n", "m.py", 1, 3) == []
