"""Workload: render three paragraphs whose first line holds a long run of spaces and ends in
a hard break. Prints the HTML's length and hash."""

import hashlib

from markdown_it import MarkdownIt

N = 9000
DOC = "".join(f"para {i}" + " " * N + "end  \nnext line\n\n" for i in range(3))

html = MarkdownIt().render(DOC)
print(len(html), hashlib.sha256(html.encode()).hexdigest()[:16])
