"""sorted-min-max: min()/max() instead of sorting to read one end."""

from __future__ import annotations

import pytest

from agent.proposers.codemods.base import run_codemod
from agent.proposers.codemods.sorted_min_max import SortedMinMax


def _call(source: str, name: str, *args: object) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name](*args)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("sorted(xs)[0]", "min(xs)"),
        ("sorted(xs)[-1]", "max(xs)"),
        ("sorted(xs, key=len)[0]", "min(xs, key=len)"),
        ("sorted(xs, reverse=True)[0]", "max(xs)"),
        ("sorted(xs, key=len, reverse=True)[0]", "max(xs, key=len)"),
        ("sorted(xs, reverse=True)[-1]", "min(xs)"),
        ("(sorted(xs))[0]", "min(xs)"),
    ],
)
def test_sorted_min_max_rewrites_and_keeps_results(before: str, after: str) -> None:
    source = f"def f(xs):\n    return {before}\n\n\ndef g(xs):\n    return {before}\n"
    new = run_codemod(SortedMinMax(), source, "f", (1, 2))
    assert new == f"def f(xs):\n    return {after}\n\n\ndef g(xs):\n    return {before}\n"
    # Ties under the key ("bb"/"cc", "a"/"d") must pick the same item as the sort did.
    for xs in (["bb", "a", "cc", "d"], ["x"], ["ab", "ba", "ab"]):
        assert _call(new, "f", xs) == _call(source, "f", xs)


@pytest.mark.parametrize(
    "expr",
    [
        "sorted(xs, key=len)[-1]",  # the last of tied items, max() gives the first
        "sorted(xs)[1]",
        "sorted(xs)[0:1]",
        "sorted(xs, reverse=flag)[0]",
        "sorted(*xs)[0]",
        "sorted(xs)[0,]",
    ],
)
def test_sorted_min_max_does_not_fire_when_results_could_differ(expr: str) -> None:
    source = f"def f(xs, flag):\n    return {expr}\n"
    assert run_codemod(SortedMinMax(), source, "f") is None


def test_sorted_min_max_does_not_fire_where_the_exception_type_matters() -> None:
    in_try = "def f(xs):\n    try:\n        return sorted(xs)[0]\n    except IndexError:\n        return None\n"
    shadowed = "def sorted(xs):\n    return xs\n\n\ndef f(xs):\n    return sorted(xs)[0]\n"
    assert run_codemod(SortedMinMax(), in_try, "f") is None
    assert run_codemod(SortedMinMax(), shadowed, "f") is None
