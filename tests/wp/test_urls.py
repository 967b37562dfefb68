"""host_of's fast path (a plain ASCII netloc, read without urlsplit) gives what urlsplit
gives, for URLs as odd as pings carry."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from pingdesk.wp.urls import host_of


def by_urlsplit(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


@settings(max_examples=3000)
@given(
    st.sampled_from(
        ["http://", "HTTPS://", "ftp://", "h+t-t.p://", " http://www.", "//", "x:", ""]
    ),
    st.text(alphabet=st.sampled_from(list("abXY09.-_@:[]%/?#\t\n\r é\x01W")), max_size=30),
)
def test_host_of_is_urlsplits_host(scheme: str, rest: str) -> None:
    url = scheme + rest
    assert host_of(url) == by_urlsplit(url)


def test_host_of_examples() -> None:
    assert host_of("http://WWW.Example.COM.:8080/path?q#f") == "example.com"
    assert host_of("https://user:pw@blog.example.org/x") == "blog.example.org"
    assert host_of("http://[2001:db8::1]:80/") == "2001:db8::1"
    assert host_of("http://exa\tmple.com/") == "example.com"  # urlsplit drops the tab
    assert host_of("") == host_of(None) == ""
