from __future__ import annotations

from pathlib import Path

import pytest

from profilers.source_map import MODULE, Scope, SourceMap

SOURCE = '''\
"""Docstring."""
import functools

LIMIT = 3


class Catalog:
    size = len("abc")

    def lookup(self, key):
        return [k for k in self.keys if k == key]

    class Entry:
        @staticmethod
        @functools.cache
        def parse(text):
            return text.split()


def outer():
    def inner(x):
        return lambda y: x + y

    return inner


async def fetch():
    return 1


if LIMIT:

    def conditional():
        return 2
'''


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(SOURCE)
    return path


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (10, Scope("Catalog.lookup", 10, 11)),
        (11, Scope("Catalog.lookup", 10, 11)),  # the comprehension belongs to its function
        (17, Scope("Catalog.Entry.parse", 14, 17)),
        (14, Scope("Catalog.Entry.parse", 14, 17)),  # spans start at the first decorator
        (8, Scope("Catalog", 7, 17)),  # class body code runs under the class's name
        (22, Scope("outer.<locals>.inner", 21, 22)),  # the lambda belongs to its function
        (24, Scope("outer", 20, 24)),
        (28, Scope("fetch", 27, 28)),
        (34, Scope("conditional", 33, 34)),  # an if block opens no scope
        (4, Scope(MODULE, 1, 34)),
        (30, Scope(MODULE, 1, 34)),
    ],
)
def test_locates_innermost_scope(source: Path, line: int, expected: Scope) -> None:
    assert SourceMap().locate(source, line) == expected


def test_module_span_counts_a_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "short.py"
    path.write_text("x = 1\ny = 2")
    assert SourceMap().locate(path, 2) == Scope(MODULE, 1, 2)


def test_each_file_is_parsed_once(source: Path) -> None:
    source_map = SourceMap()
    assert source_map.locate(source, 10) == Scope("Catalog.lookup", 10, 11)
    source.write_text("def renamed():\n    pass\n")
    assert source_map.locate(source, 10) == Scope("Catalog.lookup", 10, 11)
    assert SourceMap().locate(source, 2) == Scope("renamed", 1, 2)


@pytest.mark.parametrize(
    "content",
    [b"def broken(:\n", b"print 'python 2'\n", b"x = '\x00'\n"],
    ids=["syntax", "python2", "nul"],
)
def test_unparseable_files_have_no_scopes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.py"
    path.write_bytes(content)
    assert SourceMap().locate(path, 1) is None


def test_missing_file_has_no_scopes(tmp_path: Path) -> None:
    assert SourceMap().locate(tmp_path / "gone.py", 1) is None
