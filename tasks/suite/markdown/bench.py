"""Workload: convert a document of many small raw-HTML blocks. Prints the output's hash."""

import hashlib

import markdown

ROWS = 1100
TEXT = (
    "# Inventory\n\n"
    + "".join(f'<div class="row">\n<p>item {i}</p>\n</div>\n' for i in range(ROWS))
    + "\nDone *now*.\n"
)

html = markdown.markdown(TEXT)
print(len(html), hashlib.sha256(html.encode()).hexdigest()[:16])
