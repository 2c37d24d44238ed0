"""Behaviour that must not change: the parts parse_url finds, and what it rejects."""

import pytest
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url


def test_full_url():
    u = parse_url("https://user:pw@example.com:8443/a/b?x=1#frag")
    assert (u.scheme, u.auth, u.host, u.port, u.path, u.query, u.fragment) == (
        "https",
        "user:pw",
        "example.com",
        8443,
        "/a/b",
        "x=1",
        "frag",
    )


def test_last_at_separates_userinfo():
    u = parse_url("http://a@b@host/x")
    assert (u.auth, u.host, u.path) == ("a%40b", "host", "/x")


def test_ipv6_host():
    u = parse_url("http://[::1]:80/")
    assert (u.host, u.port) == ("[::1]", 80)


def test_no_scheme():
    u = parse_url("example.com/path")
    assert (u.scheme, u.host, u.path) == (None, "example.com", "/path")


@pytest.mark.parametrize("url", ["http://host:99999x/", "http://a@b:port/"])
def test_bad_port_is_rejected(url):
    with pytest.raises(LocationParseError):
        parse_url(url)
