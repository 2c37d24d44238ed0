"""seen-set: a set beside a list that records seen items."""

from __future__ import annotations

import textwrap

import pytest

from agent.proposers.codemods.base import run_codemod
from agent.proposers.codemods.seen_set import SeenSet


def _call(source: str, name: str, *args: object) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name](*args)  # type: ignore[operator]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip()


UNIQUE = _code(
    """
    def unique(items):
        seen = []
        for v in items:
            if v not in seen:
                seen.append(v)
        return seen


    def same(items):
        seen = []
        for v in items:
            if v not in seen:
                seen.append(v)
        return seen
    """
)


def test_seen_set_keeps_the_list_and_tests_a_set() -> None:
    new = run_codemod(SeenSet(), UNIQUE, "unique", (1, 6))
    assert new is not None
    head, tail = new.split("\n\n\ndef same")
    assert head == _code(
        """
        def unique(items):
            seen = []
            seen_set = set()
            for v in items:
                if v not in seen_set:
                    seen_set.add(v)
                    seen.append(v)
            return seen
        """
    ).rstrip("\n")
    assert "def same" + tail == UNIQUE.split("\n\n\n")[1]
    for items in ([3, 1, 3, 2, 1], [], ["a", "a"], [1, 1.0, True, 2]):
        assert _call(new, "unique", items) == _call(UNIQUE, "unique", items)


def test_seen_set_handles_one_line_ifs_and_dotted_items() -> None:
    source = _code(
        """
        def names(people):
            seen = []
            for p in people:
                if p.name in seen: continue
                if p.name not in seen: seen.append(p.name)
            return len(seen), seen[-1] if seen else None
        """
    )
    new = run_codemod(SeenSet(), source, "names")
    assert new is not None
    assert "seen_set.add(p.name); seen.append(p.name)" in new

    class Person:
        def __init__(self, name: str) -> None:
            self.name = name

    people = [Person(n) for n in "abcab"]
    assert _call(new, "names", people) == _call(source, "names", people)


@pytest.mark.parametrize(
    "loop",
    [
        "for v in items:\n        if v not in seen:\n            seen.append(v)\n        seen.remove(v)",
        "for v in items:\n        if v not in seen:\n            seen.append(v)\n            log(seen)",
        "for v in items:\n        if v not in seen:\n            seen.append(transform(v))",
        "for v in items:\n        if v not in seen:\n            seen.insert(0, v)",
        "for v in items:\n        if v not in seen:\n            seen += [v]",
        "for v in items:\n        seen.append(v)",  # no membership test: nothing to gain
    ],
)
def test_seen_set_does_not_fire_when_the_list_changes_otherwise(loop: str) -> None:
    source = f"def f(items, log, transform):\n    seen = []\n    {loop}\n    return seen\n"
    assert run_codemod(SeenSet(), source, "f") is None


def test_seen_set_needs_an_empty_list_untouched_before_the_loop() -> None:
    prefilled = "def f(items):\n    seen = [0]\n    for v in items:\n        if v not in seen:\n            seen.append(v)\n"
    used_before = prefilled.replace("seen = [0]", "seen = []\n    seen.append(0)")
    assert run_codemod(SeenSet(), prefilled, "f") is None
    assert run_codemod(SeenSet(), used_before, "f") is None
