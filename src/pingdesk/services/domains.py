"""Registrable domains ("example.co.uk" for www.blog.example.co.uk), from the Public
Suffix List bundled with the publicsuffixlist package: no network, ever.

Hosts repeat (a flood comes from a few hundred of them), so each host is looked up once.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from pingdesk.wp.urls import host_of


@lru_cache(maxsize=1)
def _psl() -> object:
    # ~0.15 s to load the list: only the commands that group by domain pay it.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=False)


@lru_cache(maxsize=200_000)
def registrable(host: str) -> str:
    """The registrable domain of ``host``; an IP address or a bare suffix stays as it is."""
    host = host.lower().rstrip(".")
    if not host:
        return ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    found = _psl().privatesuffix(host)  # type: ignore[attr-defined]
    return str(found) if found else host


def domain_of(url: str) -> str:
    """The registrable domain of a URL's host ('' when it has none)."""
    return registrable(host_of(url))
