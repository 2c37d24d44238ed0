"""Workload: parse one Cookie header whose first value is a quoted run of escaped backslashes.
Prints the decoded value's length and hash, so a wrong decoding changes the output."""

import hashlib

from tornado.httputil import parse_cookie

N = 7000
HEADER = 'session="b=' + "\\\\" * N + '"; theme=dark; lang=en'

cookies = parse_cookie(HEADER)
value = cookies["session"]
print(
    len(value), hashlib.sha256(value.encode()).hexdigest()[:16], cookies["theme"], cookies["lang"]
)
