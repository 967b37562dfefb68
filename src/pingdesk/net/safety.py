"""Which URLs and addresses pingdesk may fetch: WordPress's reject_unsafe_urls, on every hop.

Two checks, at two moments:

* :func:`check_url` looks at a URL before it is requested (and again at every
  redirect): scheme, user:password, port, and the spelling of the host.
* :func:`resolve_and_vet` runs when a connection is opened (see
  ``fetch.VettingBackend``): the host is resolved once, every address is vetted,
  and the socket is opened to one of exactly those addresses. There is no second
  lookup that a rebinding DNS server could answer differently.

Nothing is allowed by default; the allowlist (config ``verify.allow``, env
``PINGDESK_VERIFY_ALLOW``) exists for the demo, the tests and blogs whose
sources live on a private network.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# A resolver maps (host, port) to IP address strings. Injectable so tests can
# make a name resolve to a private address without touching real DNS.
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud metadata endpoints are covered by the link-local / ULA rules below;
# they are listed by name so the refusal says what it is.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"): "a cloud metadata address",
    ipaddress.ip_address("fd00:ec2::254"): "a cloud metadata address",
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPAT = ipaddress.ip_network("::/96")

# After IDNA encoding a host name is letters, digits, hyphens and dots; anything
# else (percent signs, zone ids, backslashes) is a parser-confusion attempt.
# (Underscores occur in real sub-domains, so they are tolerated.)
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")
# A label that an inet_aton-style or WHATWG parser would read as a number.
_NUMERIC_LABEL_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_CANON_V4_RE = re.compile(
    r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"
)


class UnsafeURL(Exception):
    """A URL or address pingdesk refuses to fetch; ``reason`` is one short line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AllowEntry:
    """One allowlist entry: a host name, an address or a network, optionally with a port."""

    host: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    def matches_host(self, host: str, port: int) -> bool:
        return self.host is not None and self.host == host and self.port in (None, port)

    def matches_address(self, ip: IPAddress, port: int) -> bool:
        return self.network is not None and ip in self.network and self.port in (None, port)


@dataclass(frozen=True)
class Allowlist:
    """Hosts, host:port pairs and CIDR networks that are fetched even if private.

    A name entry matches the host as written in the URL; an address or network
    entry matches the address the name resolves to (so ``127.0.0.1:8080`` allows
    any name that resolves to 127.0.0.1, on port 8080 only).
    """

    entries: tuple[AllowEntry, ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> Allowlist:
        entries: list[AllowEntry] = []
        for raw in items:
            text = raw.strip().lower()
            if text:
                entries.append(_parse_allow_entry(text))
        return cls(tuple(entries))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def allows_host(self, host: str, port: int) -> bool:
        host = host.rstrip(".").lower()
        return any(e.matches_host(host, port) for e in self.entries)

    def allows_address(self, ip: IPAddress, port: int) -> bool:
        return any(e.matches_address(ip, port) for e in self.entries)

    def extended(self, items: Iterable[str]) -> Allowlist:
        return Allowlist(self.entries + Allowlist.parse(items).entries)


def _parse_allow_entry(text: str) -> AllowEntry:
    from pingdesk.errors import ConfigError

    port: int | None = None
    host = text
    if text.startswith("["):  # [v6] or [v6]:port
        close = text.find("]")
        if close < 0:
            raise ConfigError(f"verify.allow: bad entry {text!r}")
        host, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ConfigError(f"verify.allow: bad port in {text!r}")
            port = int(rest[1:])
    elif text.count(":") == 1:  # host:port or v4:port (a bare v6 has several colons)
        host, _, port_text = text.partition(":")
        if not port_text.isdigit():
            raise ConfigError(f"verify.allow: bad port in {text!r}")
        port = int(port_text)
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"verify.allow: port out of range in {text!r}")
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError:
        network = None
    if network is not None:
        return AllowEntry(network=network, port=port)
    if not _HOSTNAME_RE.match(host):
        raise ConfigError(f"verify.allow: not a host, address or network: {text!r}")
    return AllowEntry(host=host.rstrip("."), port=port)


def unsafe_address_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted ('a loopback address'), or None if it is public."""
    if ip in _METADATA:
        return _METADATA[ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        if ip in _IPV4_COMPAT and not (ip.is_loopback or ip.is_unspecified):
            return "an IPv4-compatible IPv6 address"
        # Tunnelling prefixes carry an IPv4 address inside; judge the inner one.
        embedded: ipaddress.IPv4Address | None = None
        if ip.sixtofour is not None:
            embedded = ip.sixtofour
        elif ip.teredo is not None:
            embedded = ip.teredo[1]
        elif any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = unsafe_address_reason(embedded)
            if inner is not None:
                return f"an IPv6 address embedding {inner}"
        if ip.scope_id:
            return "an IPv6 address with a zone id"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a carrier-grade NAT address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if not ip.is_global:
        return "a non-global address"
    return None


@dataclass(frozen=True)
class Target:
    """Where a vetted URL points: what the connection layer needs."""

    scheme: str
    host: str  # IDNA-encoded name, or the IP literal without brackets
    port: int
    literal: IPAddress | None = None


def check_url(url: str | httpx.URL, allow: Allowlist | None = None) -> Target:
    """Vet a URL before requesting it; raises :class:`UnsafeURL`.

    The URL is parsed by httpx itself, so what is vetted is exactly what httpx
    will connect to (no disagreement between two URL parsers to exploit).
    """
    allow = allow or Allowlist()
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise UnsafeURL(f"malformed URL ({exc})") from None
    scheme = parsed.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL(f"scheme {scheme or 'missing'!r} is not http or https")
    if parsed.userinfo:
        raise UnsafeURL("user name or password in the URL")
    raw_host = parsed.raw_host.decode("ascii", "replace").lower()
    if not raw_host:
        raise UnsafeURL("no host in the URL")
    port = parsed.port or (443 if scheme == "https" else 80)
    if not 0 < port < 65536:
        raise UnsafeURL(f"port {port} out of range")

    literal = _host_literal(raw_host)
    if literal is None:
        if not _HOSTNAME_RE.match(raw_host):
            raise UnsafeURL(f"host {raw_host!r} is not a valid host name")
        labels = raw_host.rstrip(".").split(".")
        if _NUMERIC_LABEL_RE.match(labels[-1]):
            # WHATWG and inet_aton read this as an IP (2130706433, 0x7f.1, 0177.0.0.1).
            raise UnsafeURL(f"host {raw_host!r} is an unusual spelling of an IP address")
        return Target(scheme, raw_host.rstrip("."), port)

    if not allow.allows_host(str(literal), port) and not allow.allows_address(literal, port):
        reason = unsafe_address_reason(literal)
        if reason is not None:
            raise UnsafeURL(f"{literal} is {reason}")
    return Target(scheme, str(literal), port, literal)


def _host_literal(raw_host: str) -> IPAddress | None:
    host = raw_host.rstrip(".") if ":" not in raw_host else raw_host
    if ":" in host:
        if "%" in host:
            raise UnsafeURL("IPv6 zone ids are not allowed")
        try:
            return ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise UnsafeURL(f"bad IPv6 address {raw_host!r}") from None
    if _CANON_V4_RE.match(host):
        return ipaddress.IPv4Address(host)
    return None


# Lookups get their own threads: a slow or dead DNS server must not starve the
# default executor, which also runs database writes and page parsing.
_DNS_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="pingdesk-dns")


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), run off the event loop."""
    loop = asyncio.get_running_loop()
    infos = await loop.run_in_executor(
        _DNS_POOL,
        functools.partial(
            socket.getaddrinfo, host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        ),
    )
    out: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in out:
            out.append(addr)
    return out


@dataclass
class Vetter:
    """Resolves host names and vets every address before a socket is opened."""

    allow: Allowlist = field(default_factory=Allowlist)
    resolver: Resolver = system_resolver

    async def resolve_and_vet(self, host: str, port: int) -> list[str]:
        """Addresses to connect to for host:port, all vetted; raises :class:`UnsafeURL`.

        If any address of a name is unsafe, the whole name is refused: a name that
        mixes public and private answers is exactly what a rebinding attack looks like.
        """
        host = host.strip("[]").lower()
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addrs = [str(literal)]
        else:
            try:
                addrs = await self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise ResolveError(f"cannot resolve {host}: {exc}") from None
            if not addrs:
                raise ResolveError(f"cannot resolve {host}: no addresses")
            if self.allow.allows_host(host, port):
                # An allowlisted name may resolve anywhere (a private network's sources).
                return [str(ipaddress.ip_address(a)) for a in addrs]
        vetted: list[str] = []
        for text in addrs:
            try:
                ip = ipaddress.ip_address(text)
            except ValueError:
                raise UnsafeURL(f"{host} resolved to a non-address {text!r}") from None
            if self.allow.allows_address(ip, port):
                vetted.append(str(ip))
                continue
            reason = unsafe_address_reason(ip)
            if reason is not None:
                where = f"{host} resolves to {ip}" if literal is None else str(ip)
                raise UnsafeURL(f"{where}, {reason}")
            vetted.append(str(ip))
        return vetted


class ResolveError(OSError):
    """The host name could not be resolved (reported as 'unreachable')."""
