"""Workload: parse a statement with an unterminated string of 30 backslashes (the regular
expressions for string literals try every way of pairing them). Prints the token types."""

import sqlparse

N = 15
SQL = "SELECT '" + "\\\\" * N + " FROM t"

statements = sqlparse.parse(SQL)
kinds = [str(token.ttype) for token in statements[0].flatten()]
print(len(statements), len(kinds), kinds[:4], kinds[-3:])
