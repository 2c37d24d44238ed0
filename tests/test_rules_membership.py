"""membership-set and literal-set: set lookups instead of scanning lists and tuples."""

from __future__ import annotations

import textwrap

import pytest

from agent.proposers.codemods.base import run_codemod
from agent.proposers.codemods.literal_set import LiteralSet
from agent.proposers.codemods.membership_set import MembershipSet


def _call(source: str, name: str, *args: object) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name](*args)  # type: ignore[operator]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip()


FILTER = _code(
    """
    def f(xs: list[str], allowed: list[str]) -> list[str]:
        out = []
        for x in xs:
            if x in allowed and x not in ["q", "r"]:
                out.append(x)
        return out


    def g(xs: list[str], allowed: list[str]) -> list[str]:
        out = []
        for x in xs:
            if x in allowed and x not in ["q", "r"]:
                out.append(x)
        return out
    """
)


def test_membership_set_hoists_a_set_before_the_loop() -> None:
    new = run_codemod(MembershipSet(), FILTER, "f", (1, 6))
    assert new is not None
    f_new, g_new = new.split("\n\n\ndef g")
    assert f_new == _code(
        """
        def f(xs: list[str], allowed: list[str]) -> list[str]:
            out = []
            allowed_set = set(allowed)
            for x in xs:
                if x in allowed_set and x not in ["q", "r"]:
                    out.append(x)
            return out
        """
    ).rstrip("\n")
    assert "def g" + g_new == FILTER.split("\n\n\n")[1]  # outside the span: untouched
    for xs, allowed in ((["a", "b", "q", "a"], ["a", "q"]), ([], ["a"]), (["z"], [])):
        assert _call(new, "f", xs, allowed) == _call(FILTER, "f", xs, allowed)


def test_membership_set_uses_a_local_display_and_comprehensions() -> None:
    source = _code(
        """
        def f(xs):
            keep = ("a", "b", 3)
            return [x for x in xs if x in keep]
        """
    )
    new = run_codemod(MembershipSet(), source, "f")
    assert new is not None and "keep_set = set(keep)" in new and "x in keep_set" in new
    assert _call(new, "f", ["a", 3, "c"]) == ["a", 3]


@pytest.mark.parametrize(
    "body",
    [
        "for x in xs:\n        if x in allowed:\n            allowed.append(x)",  # mutated
        "for x in xs:\n        if x in allowed:\n            print(allowed)",  # passed on
        "for x in xs:\n        allowed[0] = x\n        if x in allowed:\n            pass",
        "for x in xs:\n        if x in allowed:\n            allowed += [x]",
        "for x in xs:\n        if x in allowed:\n            allowed = []",  # rebound
        "for x in xs:\n        fn = lambda: x in allowed",  # read later by a lambda
    ],
)
def test_membership_set_does_not_fire_when_the_list_may_change(body: str) -> None:
    source = f"def f(xs: list[str], allowed: list[str]):\n    {body}\n"
    assert run_codemod(MembershipSet(), source, "f") is None


@pytest.mark.parametrize(
    "signature",
    [
        "def f(xs, allowed):",  # unknown type: could be a string (substring tests)
        "def f(xs, allowed: list[list[int]]):",  # unhashable items
        "def f(xs, allowed: 'list[str]'):",
    ],
)
def test_membership_set_needs_a_known_hashable_list(signature: str) -> None:
    source = f"{signature}\n    for x in xs:\n        if x in allowed:\n            pass\n"
    assert run_codemod(MembershipSet(), source, "f") is None


def test_membership_set_does_not_fire_when_a_local_list_escapes() -> None:
    source = _code(
        """
        def f(xs):
            keep = ["a", "b"]
            alias = keep
            for x in xs:
                alias.append(x)
                if x in keep:
                    pass
        """
    )
    assert run_codemod(MembershipSet(), source, "f") is None


def test_membership_set_does_not_fire_when_the_binding_may_not_run() -> None:
    source = _code(
        """
        def f(xs, flag):
            if flag:
                keep = ["a", "b"]
            for x in xs:
                if x in keep:
                    pass
        """
    )
    assert run_codemod(MembershipSet(), source, "f") is None


def test_literal_set_rewrites_constant_lists_and_tuples() -> None:
    source = _code(
        """
        def f(x):
            if x in [1, 2, 3]:
                return "small"
            if x not in (
                "a",
                "b",
            ):
                return "other"
            return "letter"
        """
    )
    new = run_codemod(LiteralSet(), source, "f")
    assert new == source.replace("[1, 2, 3]", "{1, 2, 3}").replace("(\n", "{\n").replace(
        "    ):", "    }:"
    )
    for x in (1, 3, 4, "a", "z", 2.0):
        assert _call(new, "f", x) == _call(source, "f", x)


@pytest.mark.parametrize(
    "display", ["[a, 1]", "[[1], [2]]", "(1,)", "[]", "[*xs, 1]", "[f'{a}', 'b']"]
)
def test_literal_set_needs_two_or_more_hashable_constants(display: str) -> None:
    source = f"def f(x, a, xs):\n    return x in {display}\n"
    assert run_codemod(LiteralSet(), source, "f") is None
