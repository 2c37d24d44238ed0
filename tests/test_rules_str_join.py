"""str-join: collect string pieces in a list and join once after the loop."""

from __future__ import annotations

import textwrap

import pytest

from agent.proposers.codemods.base import run_codemod
from agent.proposers.codemods.str_join import StrJoin


def _call(source: str, name: str, *args: object) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name](*args)  # type: ignore[operator]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip()


RENDER = _code(
    """
    def render(rows, sep: str):
        text = "rows:"
        for row in rows:
            if not row:
                continue
            text += str(row) + sep
        else:
            pass
        return text


    def untouched(rows, sep: str):
        text = "rows:"
        for row in rows:
            text += str(row) + sep
        return text
    """
)


def test_str_join_collects_parts_and_joins_after_the_loop() -> None:
    new = run_codemod(StrJoin(), RENDER, "render", (1, 9))
    assert new is not None
    head, tail = new.split("\n\n\ndef untouched")
    assert head == _code(
        """
        def render(rows, sep: str):
            text = "rows:"
            text_parts = []
            for row in rows:
                if not row:
                    continue
                text_parts.append(str(row) + sep)
            else:
                pass
            text += "".join(text_parts)
            return text
        """
    ).rstrip("\n")
    assert "def untouched" + tail == RENDER.split("\n\n\n")[1]
    for rows in ([1, 0, 2], [], ["x"]):
        assert _call(new, "render", rows, ", ") == _call(RENDER, "render", rows, ", ")


def test_str_join_accepts_f_strings_and_percent_formatting() -> None:
    source = _code(
        """
        def f(xs):
            out = ""
            i = 0
            while i < len(xs):
                out += f"{xs[i]};"
                out += "%d|" % i
                i += 1
            return out
        """
    )
    new = run_codemod(StrJoin(), source, "f")
    assert new is not None and new.count("out_parts.append(") == 2
    assert _call(new, "f", [5, 6]) == _call(source, "f", [5, 6]) == "5;0|6;1|"


@pytest.mark.parametrize(
    "loop",
    [
        "for x in xs:\n        s += x",  # x may not be a str (__radd__, numbers, ...)
        "for x in xs:\n        s += str(x)\n        if len(s) > 3:\n            break",  # read
        "for x in xs:\n        s = s + str(x)",  # plain assignment reads s
        "for x in xs:\n        s += str(x)\n    else:\n        print(s)",
        "for x in xs:\n        s += str(x)\n        g = lambda: s",
    ],
)
def test_str_join_does_not_fire_when_the_string_is_read_or_not_surely_str(loop: str) -> None:
    source = f"def f(xs):\n    s = ''\n    {loop}\n    return s\n"
    assert run_codemod(StrJoin(), source, "f") is None


def test_str_join_does_not_fire_inside_try_or_after_an_intervening_use() -> None:
    in_try = _code(
        """
        def f(xs):
            s = ""
            try:
                for x in xs:
                    s += str(x)
            except ValueError:
                return s
            return s
        """
    )
    used_between = "def f(xs):\n    s = ''\n    print(s)\n    for x in xs:\n        s += str(x)\n    return s\n"
    not_literal = (
        "def f(xs, s0):\n    s = s0\n    for x in xs:\n        s += str(x)\n    return s\n"
    )
    for source in (in_try, used_between, not_literal):
        assert run_codemod(StrJoin(), source, "f") is None
