"""regex-hoist: module-level compiled patterns instead of re.<function>(literal, ...)."""

from __future__ import annotations

import textwrap

import pytest

from agent.proposers.codemods.base import run_codemod
from agent.proposers.codemods.regex_hoist import RegexHoist


def _call(source: str, name: str, *args: object) -> object:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name](*args)  # type: ignore[operator]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip()


SOURCE = _code(
    r"""
    import re


    def parse(lines):
        out = []
        for line in lines:
            m = re.match(r"(\w+)=(\d+)", line, re.I)
            if m:
                out.append(re.sub("a", "A", m.group(1), count=1))
            out.append(re.split(r"\s+", line, maxsplit=1, flags=re.ASCII))
        return out


    def other(line):
        return re.match(r"(\w+)=(\d+)", line, re.I)
    """
)


def test_regex_hoist_compiles_patterns_once_above_the_function() -> None:
    new = run_codemod(RegexHoist(), SOURCE, "parse", (4, 11))
    assert new == SOURCE.replace(
        "import re\n\n\n",
        "import re\n\n\n"
        '_PARSE_RE = re.compile(r"(\\w+)=(\\d+)", re.I)\n'
        '_PARSE_RE2 = re.compile("a")\n'
        '_PARSE_RE3 = re.compile(r"\\s+", re.ASCII)\n\n\n',
    ).replace('m = re.match(r"(\\w+)=(\\d+)", line, re.I)', "m = _PARSE_RE.match(line)").replace(
        're.sub("a", "A", m.group(1), count=1)', '_PARSE_RE2.sub("A", m.group(1), count=1)'
    ).replace(
        're.split(r"\\s+", line, maxsplit=1, flags=re.ASCII)', "_PARSE_RE3.split(line, maxsplit=1)"
    )
    assert 'return re.match(r"(\\w+)=(\\d+)", line, re.I)' in new  # outside the function
    lines = ["Key=12 rest of it", "nope", "aa=3"]
    assert _call(new, "parse", lines) == _call(SOURCE, "parse", lines)


def test_regex_hoist_replaces_compile_calls_and_honours_an_alias() -> None:
    source = (
        "import re as regex\n\n\ndef f(s):\n    return regex.compile('a+', regex.I).findall(s)\n"
    )
    new = run_codemod(RegexHoist(), source, "f")
    assert new is not None
    assert "_F_RE = regex.compile('a+', regex.I)" in new
    assert "return _F_RE.findall(s)" in new
    assert _call(new, "f", "aAb a") == ["aA", "a"]


@pytest.mark.parametrize(
    "call",
    [
        "re.match(pattern, s)",  # not a literal
        "re.match(f'{s}x', s)",  # f-string
        "re.match('(', s)",  # does not compile: would fail at import
        "re.match('a', s, flags)",  # flags not static
        "re.match('a', s, pos=1)",  # no such parameter
        "re.match(*args)",
        "re.escape('a')",  # not a matching function
    ],
)
def test_regex_hoist_leaves_calls_it_cannot_move(call: str) -> None:
    source = f"import re\n\n\ndef f(s, pattern, flags, args):\n    return {call}\n"
    assert run_codemod(RegexHoist(), source, "f") is None


@pytest.mark.parametrize(
    "source",
    [
        "def f(s):\n    import re\n    return re.match('a', s)\n",  # no module-level import
        "import re\nre = None\n\n\ndef f(s):\n    return re.match('a', s)\n",  # rebound
        "def f(s):\n    return re.match('a', s)\n\n\nimport re\n",  # imported after it
    ],
)
def test_regex_hoist_needs_the_re_module_imported_above(source: str) -> None:
    assert run_codemod(RegexHoist(), source, "f") is None
