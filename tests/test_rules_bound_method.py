"""bound-method: bind a container's method to a local before the loop."""

from __future__ import annotations

import textwrap

import pytest

from agent.proposers.codemods.base import run_codemod
from agent.proposers.codemods.bound_method import BoundMethod


def _call(source: str, name: str, *args: object) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name](*args)  # type: ignore[operator]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip()


SQUARES = _code(
    """
    def squares(xs, counts: dict[int, int]):
        out = []
        for x in xs:
            # one entry per item
            out.append(x * x)
            counts[x] = counts.get(x, 0) + 1
        return out, counts


    def other(xs):
        out = []
        for x in xs:
            out.append(x)
        return out
    """
)


def test_bound_method_binds_before_the_outermost_loop() -> None:
    new = run_codemod(BoundMethod(skip_specialised=False), SQUARES, "squares", (1, 7))
    assert new is not None
    head, tail = new.split("\n\n\ndef other")
    assert head == _code(
        """
        def squares(xs, counts: dict[int, int]):
            out = []
            counts_get = counts.get
            out_append = out.append
            for x in xs:
                # one entry per item
                out_append(x * x)
                counts[x] = counts_get(x, 0) + 1
            return out, counts
        """
    ).rstrip("\n")
    assert "def other" + tail == SQUARES.split("\n\n\n")[1]
    assert _call(new, "squares", [1, 2, 1], {}) == _call(SQUARES, "squares", [1, 2, 1], {})


def test_bound_method_hoists_once_for_nested_loops() -> None:
    source = _code(
        """
        def f(grid):
            out = []
            for row in grid:
                for cell in row:
                    out.append(cell)
            return out
        """
    )
    new = run_codemod(BoundMethod(skip_specialised=False), source, "f")
    assert new is not None and new.count("out_append = out.append") == 1
    assert _call(new, "f", [[1, 2], [3]]) == [1, 2, 3]


@pytest.mark.parametrize(
    "source",
    [
        "def f(xs, out):\n    for x in xs:\n        out.append(x)\n",  # unknown type
        "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n        out = []\n",
        "def f(xs):\n    out = []\n    for x in xs:\n        out.frobnicate(x)\n",
        "def f(self, xs):\n    for x in xs:\n        self.items.append(x)\n",
        "def f(xs):\n    for x in xs:\n        out = []\n        out.append(x)\n",
        "def f(xs):\n    out = []\n    for x in xs:\n        g = lambda: out.append(x)\n",
    ],
)
def test_bound_method_does_not_fire_without_a_fixed_builtin_receiver(source: str) -> None:
    assert run_codemod(BoundMethod(skip_specialised=False), source, "f") is None


def test_bound_method_leaves_list_append_to_the_specialising_interpreter() -> None:
    new = run_codemod(BoundMethod(skip_specialised=True), SQUARES, "squares", (1, 7))
    assert new is not None
    assert "counts_get = counts.get" in new and "out_append" not in new
