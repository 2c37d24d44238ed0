"""Workload: lex JavaScript with an unterminated string of 30 backslashes. Prints the token
count and a hash of the token stream."""

import hashlib

from pygments import lex
from pygments.lexers import JavascriptLexer

N = 15
CODE = 'var ok = "fine";\nvar s = "' + "\\\\" * N + "\nvar t = 1;\n"

tokens = [(str(kind), value) for kind, value in lex(CODE, JavascriptLexer())]
print(len(tokens), hashlib.sha256(repr(tokens).encode()).hexdigest()[:16])
