"""Workload: tokenize 12,000 SQL-ish words with a keyword alternative built by one_of.
Prints the token count and a hash of the tokens."""

import hashlib

import pyparsing as pp

WORDS = [
    "select",
    "insert",
    "update",
    "delete",
    "create",
    "alter",
    "drop",
    "grant",
    "revoke",
    "commit",
    "rollback",
    "begin",
    "where",
    "from",
    "group",
    "order",
    "having",
    "limit",
    "offset",
    "join",
    "inner",
    "outer",
    "left",
    "right",
    "union",
    "values",
    "into",
    "table",
    "index",
    "view",
    "trigger",
    "procedure",
]
N = 12000

keyword = pp.one_of(WORDS, as_keyword=True)
identifier = pp.Word(pp.alphas + "_", pp.alphanums + "_")
statement = pp.OneOrMore(keyword | identifier | pp.Word(pp.nums))
text = " ".join(WORDS[i % len(WORDS)] if i % 3 else f"name_{i}" for i in range(N))

tokens = statement.parse_string(text, parse_all=True)
print(len(tokens), hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:16])
