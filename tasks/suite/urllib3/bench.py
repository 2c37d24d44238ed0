"""Workload: parse a URL whose authority has 2,000 '@' and an invalid port (rejected), then
an ordinary URL. Prints what was parsed."""

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

N = 2000
URLS = ["http://" + "a@" * N + "host:99999x/path", "https://user:pw@example.com:8443/a?b=c#d"]

for url in URLS:
    try:
        u = parse_url(url)
        print("parsed", u.scheme, u.auth, u.host, u.port, u.path, u.query, u.fragment)
    except LocationParseError:
        print("rejected")
