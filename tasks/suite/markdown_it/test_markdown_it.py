"""Behaviour that must not change: hard and soft breaks, emphasis, lists, code."""

from markdown_it import MarkdownIt

md = MarkdownIt()


def test_hard_break_from_two_spaces():
    assert md.render("foo  \nbar") == "<p>foo<br />\nbar</p>\n"


def test_hard_break_trims_long_space_runs():
    assert md.render("foo" + " " * 50 + "\nbar") == "<p>foo<br />\nbar</p>\n"


def test_soft_break_from_one_space():
    assert md.render("foo \nbar") == "<p>foo\nbar</p>\n"


def test_inline_markup():
    assert md.render("*a* **b** `c`") == "<p><em>a</em> <strong>b</strong> <code>c</code></p>\n"


def test_list_and_heading():
    assert md.render("# T\n\n- x\n- y\n") == "<h1>T</h1>\n<ul>\n<li>x</li>\n<li>y</li>\n</ul>\n"


def test_leading_spaces_of_next_line_are_skipped():
    assert md.render("a\n      b") == "<p>a\nb</p>\n"
