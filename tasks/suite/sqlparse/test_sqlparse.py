"""Behaviour that must not change: splitting, formatting and string literals."""

import sqlparse
from sqlparse import tokens as T


def test_split():
    assert sqlparse.split("select 1; select 2;") == ["select 1;", "select 2;"]


def test_format_keywords_upper():
    assert sqlparse.format("select a from t", keyword_case="upper") == "SELECT a FROM t"


def test_string_literals():
    statement = sqlparse.parse("select 'it''s', 'a\\'b', \"col\" from t")[0]
    strings = [t.value for t in statement.flatten() if t.ttype in T.String]
    assert strings == ["'it''s'", "'a\\'b'", '"col"']


def test_backslashes_inside_a_string():
    statement = sqlparse.parse("select 'a\\\\b' from t")[0]
    assert [t.value for t in statement.flatten() if t.ttype in T.String] == ["'a\\\\b'"]


def test_statement_type():
    assert sqlparse.parse("select a, b as c from t")[0].get_type() == "SELECT"
    assert sqlparse.parse("insert into t values (1)")[0].get_type() == "INSERT"
