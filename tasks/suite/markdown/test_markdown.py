"""Behaviour that must not change: raw HTML blocks, inline markup and the md_in_html extension."""

import markdown


def test_inline_markup():
    assert markdown.markdown("Some *emphasis* and `code`.") == (
        "<p>Some <em>emphasis</em> and <code>code</code>.</p>"
    )


def test_raw_html_block_is_kept():
    text = 'para\n\n<div class="x">\n<p>raw *not md*</p>\n</div>\n\nafter *md*'
    assert markdown.markdown(text) == (
        '<p>para</p>\n<div class="x">\n<p>raw *not md*</p>\n</div>\n\n<p>after <em>md</em></p>'
    )


def test_many_blocks_in_order():
    text = "".join(f"<section>{i}</section>\n\n" for i in range(30))
    html = markdown.markdown(text)
    assert [line for line in html.splitlines() if line] == [
        f"<section>{i}</section>" for i in range(30)
    ]


def test_md_in_html():
    text = '<div markdown="1">\n*inside*\n</div>'
    assert (
        markdown.markdown(text, extensions=["md_in_html"])
        == "<div>\n<p><em>inside</em></p>\n</div>"
    )


def test_html_comment_and_lists():
    text = "<!-- note -->\n\n- a\n- b\n"
    assert markdown.markdown(text) == "<!-- note -->\n\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
