"""Behaviour that must not change: JavaScript strings and a few other lexers' basics."""

from pygments import highlight, lex
from pygments.formatters import HtmlFormatter
from pygments.lexers import JavascriptLexer, PythonLexer
from pygments.token import String


def strings(code):
    return [value for kind, value in lex(code, JavascriptLexer()) if kind in String]


def test_double_and_single_quoted_strings():
    assert strings('var a = "x\\"y"; var b = \'p\\\\q\';') == ['"x\\"y"', "'p\\\\q'"]


def test_escaped_backslash_before_quote():
    assert strings('s = "a\\\\";') == ['"a\\\\"']


def test_python_tokens():
    kinds = [str(kind) for kind, _ in lex("def f(x):\n    return x\n", PythonLexer())]
    assert kinds[:3] == ["Token.Keyword", "Token.Text", "Token.Name.Function"]


def test_html_formatter():
    html = highlight("print(1)", PythonLexer(), HtmlFormatter())
    assert html.startswith('<div class="highlight"><pre>')
    assert "print" in html
