"""Small URL helpers shared by reading, self-ping detection and filters."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# "scheme://netloc": all urlsplit reads to find the host (the netloc ends at the first
# / ? or #, as there).
_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")
_ODD = re.compile(r"[\t\n\r]")
_ODD_NETLOC = re.compile(r"[\[\]%]")


def host_of(url: str | None) -> str:
    """The lower-case host of ``url`` without a leading 'www.' ('' if none)."""
    if not url:
        return ""
    url = url.strip()
    origin = _ORIGIN.match(url)
    netloc = origin.group(1) if origin else ""
    if origin is None or not netloc.isascii() or _ODD.search(url) or _ODD_NETLOC.search(netloc):
        # What urlsplit does differently (tabs and newlines removed first, IPv6
        # brackets, zone ids, non-ASCII checks): ask it.
        return _host(url)
    # urlsplit(url).hostname for a plain ASCII netloc, without building a SplitResult
    # (urlsplit was a tenth of `pingdesk list --format jsonl`'s time on 100k pings).
    host = netloc.rpartition("@")[2].partition(":")[0].lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def domain_matches(host: str, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains (www. ignored)."""
    domain = domain.lower().strip().rstrip(".")
    if domain.startswith("www."):
        domain = domain[4:]
    return bool(domain) and (host == domain or host.endswith("." + domain))


def domain_term(text: str) -> str:
    """The host a `domain:` term (or --domain) names: 'Example.com', 'www.example.com:8080',
    'example.com/path' and 'https://example.com/x' all name example.com."""
    text = text.strip()
    if "://" not in text:
        text = "http://" + text.split("/")[0]
    return host_of(text) or text.lower()


def like_escape(text: str) -> str:
    """Escape LIKE wildcards; pair with ``escape='\\\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
