"""Behaviour that must not change: one_of's matching, keywords, caseless matching."""

import pyparsing as pp
import pytest


def test_one_of_prefers_longer_symbols():
    ops = pp.one_of("< = > <= >= !=")
    assert ops[1, ...].parse_string("<= >= < !=").as_list() == ["<=", ">=", "<", "!="]


def test_keywords_do_not_match_inside_identifiers():
    keyword = pp.one_of(["if", "in"], as_keyword=True)
    ident = pp.Word(pp.alphas)
    assert (keyword | ident)[1, ...].parse_string("if inside in").as_list() == [
        "if",
        "inside",
        "in",
    ]


def test_caseless_returns_the_given_spelling():
    keyword = pp.one_of(["select", "from"], caseless=True)
    assert keyword[1, ...].parse_string("SELECT From").as_list() == ["select", "from"]


def test_no_match_raises():
    with pytest.raises(pp.ParseException):
        pp.one_of(["a", "b"]).parse_string("c")


def test_simple_grammar():
    integer = pp.Word(pp.nums).set_parse_action(lambda t: int(t[0]))
    expr = integer + pp.one_of("+ -") + integer
    assert expr.parse_string("12 + 30").as_list() == [12, "+", 30]
