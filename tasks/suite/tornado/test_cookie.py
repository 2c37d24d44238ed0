"""Behaviour that must not change: cookie parsing and unquoting."""

import pytest
from tornado.httputil import parse_cookie


def test_plain_pairs():
    assert parse_cookie("a=1; b=two; c=") == {"a": "1", "b": "two", "c": ""}


def test_spaces_and_empty_parts():
    assert parse_cookie("  =  b  ;  ;  =  ;   c  =  ;  ") == {"": "b", "c": ""}


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        (r'a="b=\""', 'b="'),
        (r'a="b=\\"', "b=\\"),
        (r'a="b=\042"', 'b="'),
        (r'a="b=\134"', "b=\\"),
        (r'a="b=\377"', "b=\xff"),
        (r'a="b=\400"', "b=400"),
        (r'a="b=\\042"', "b=\\042"),
        (r'a="b=\134\042"', 'b=\\"'),
    ],
)
def test_unquote(encoded, decoded):
    assert parse_cookie(encoded)["a"] == decoded


def test_long_escaped_value():
    assert parse_cookie('a="' + "\\\\" * 200 + '"')["a"] == "\\" * 200
