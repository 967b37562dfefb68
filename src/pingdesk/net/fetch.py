"""A bounded, vetted HTTP fetcher for ping sources.

Bounds, all enforced here rather than trusted to the server:

* redirects are followed by hand, at most ``max_redirects`` hops, and every hop
  is vetted again (:func:`safety.check_url`);
* every new connection goes through :class:`VettingBackend`, which resolves the
  name once, vets the addresses and opens the socket to a vetted address; TLS
  SNI and the Host header keep the name, so certificates are checked as usual;
* the body is capped *after* decompression (we decompress ourselves with
  ``max_length``), so a gzip bomb stops at the cap instead of filling memory;
* one deadline covers the whole fetch, all hops included, so a server that
  drips a byte a second cannot hold a worker longer than ``timeout``;
* only HTML/XHTML bodies are read at all.

The client ignores proxy settings from the environment on purpose: a proxy
would connect on our behalf to addresses we never vetted.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import importlib.util
import ssl
import sys
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from types import TracebackType
from typing import Any

import httpcore
import httpx

from pingdesk import __version__
from pingdesk.net.safety import (
    Allowlist,
    ResolveError,
    Resolver,
    UnsafeURL,
    Vetter,
    check_url,
    system_resolver,
)

# httpcore tries `import sniffio` on every lock it creates; when sniffio is not
# installed each failed import searches sys.path again (~0.2 ms, several per
# request). Recording the absence once makes later imports fail at once.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_REDIRECTS = 5
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


def user_agent(home: str | None) -> str:
    """Our own agent: admins block WordPress's 'verifying pingback from' one."""
    where = home or "a WordPress blog"
    return f"pingdesk/{__version__} (+verifying a link to {where})"


@dataclass
class FetchSettings:
    allow: Allowlist = field(default_factory=Allowlist)
    resolver: Resolver = system_resolver
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    user_agent: str = field(default_factory=lambda: user_agent(None))
    # Test servers use self-signed certificates; real use always verifies.
    verify_tls: bool | ssl.SSLContext = True
    max_connections: int = 64
    # Demo only: connect (host, port) to (address, port) instead, like a hosts file
    # with ports. The address is still vetted (it must be allowlisted to be private).
    connect_map: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)


@dataclass
class FetchResult:
    """What one fetch produced. ``error`` is None when a response arrived."""

    url: str
    final_url: str
    status: int | None = None
    media_type: str = ""
    charset: str | None = None
    body: bytes = b""
    truncated: bool = False
    error: str | None = None  # 'refused' | 'unreachable' | 'http-error' | 'not-html'
    reason: str = ""
    redirects: list[str] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return self.error is None and self.media_type in HTML_TYPES


class VettingBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects only to addresses the Vetter approved.

    httpcore hands us the host name from the URL; we resolve it once through
    the vetter and connect to the resulting IP. TLS is started afterwards by
    httpcore with ``server_hostname`` = the original name, so SNI and certificate
    checks still use the name.
    """

    def __init__(
        self, vetter: Vetter, connect_map: Mapping[tuple[str, int], tuple[str, int]] | None = None
    ) -> None:
        self._vetter = vetter
        self._inner = httpcore.AnyIOBackend()
        self._map = dict(connect_map or {})

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        host, port = self._map.get((host.lower(), port), (host, port))
        addresses = await self._vetter.resolve_and_vet(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # resolve_and_vet never returns an empty list
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURL("unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _VettedTransport(httpx.AsyncHTTPTransport):
    """httpx transport whose connection pool uses :class:`VettingBackend`.

    httpx does not expose ``network_backend``; we build the same pool httpx
    would and swap it in (the pool is the transport's only state).
    """

    def __init__(self, vetter: Vetter, settings: FetchSettings) -> None:
        # One SSL context (loading the CA bundle costs tens of milliseconds).
        ssl_context = (
            settings.verify_tls
            if isinstance(settings.verify_tls, ssl.SSLContext)
            else httpx.create_ssl_context(verify=settings.verify_tls, trust_env=False)
        )
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            # Small on purpose: httpcore scans every pooled connection (with a
            # poll() each) for every request, and sources rarely share a host.
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
            keepalive_expiry=2.0,
            http1=True,
            http2=False,
            network_backend=VettingBackend(vetter, settings.connect_map),
        )


class _BlockAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Sources never get cookies back: each check is a stranger's visit."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


class _Decoder:
    """Content-Encoding decoding with a hard cap on the decoded size."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._z: Any = None
        self._deflate_started = False
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise ValueError(f"unsupported content-encoding {encoding!r}")

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data`` but return at most ``room`` bytes (room >= 1)."""
        if self._z is None:
            return data[:room]
        if self.encoding == "deflate" and not self._deflate_started:
            self._deflate_started = True
            try:
                probe = zlib.decompressobj()
                out = probe.decompress(data, room)
                self._z = probe
                return out + self._drain(room - len(out))
            except zlib.error:
                # Some servers send raw deflate without the zlib header.
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        out = self._z.decompress(data, room)
        return out + self._drain(room - len(out))

    def _drain(self, room: int) -> bytes:
        parts: list[bytes] = []
        while room > 0 and self._z.unconsumed_tail:
            more = self._z.decompress(self._z.unconsumed_tail, room)
            if not more:
                break
            parts.append(more)
            room -= len(more)
        return b"".join(parts)


def _content_type(headers: httpx.Headers) -> tuple[str, str | None]:
    value = headers.get("content-type")
    if not value:
        return "", None
    msg = Message()
    msg["content-type"] = value
    media = msg.get_content_type().lower()
    charset = msg.get_param("charset")
    return media, (str(charset).strip().lower() if isinstance(charset, str) else None)


def _looks_like_html(start: bytes) -> bool:
    head = start[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<!--"))


class Fetcher:
    """One client (and connection pool) for a verification run."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._vetter = Vetter(allow=self.settings.allow, resolver=self.settings.resolver)
        self._client = httpx.AsyncClient(
            transport=_VettedTransport(self._vetter, self.settings),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(self.settings.timeout),
            cookies=http.cookiejar.CookieJar(policy=_BlockAllCookies()),
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                # Only what we can decode with a size cap ourselves.
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchResult:
        """Fetch ``url`` within the settings' bounds; never raises for network trouble."""
        result = FetchResult(url=url, final_url=url)
        try:
            async with asyncio.timeout(self.settings.timeout):
                await self._fetch_hops(result)
        except UnsafeURL as exc:
            result.error, result.reason = "refused", exc.reason
        except TimeoutError:
            result.error = "unreachable"
            result.reason = f"timed out after {self.settings.timeout:g} s"
            result.body = b""
        except ResolveError as exc:
            result.error, result.reason = "unreachable", str(exc)
        except httpx.TimeoutException as exc:
            result.error, result.reason = "unreachable", f"timeout ({type(exc).__name__})"
        except httpx.TransportError as exc:
            result.error, result.reason = "unreachable", _transport_reason(exc)
        except ssl.SSLError as exc:
            result.error, result.reason = "unreachable", f"TLS error: {exc.reason or exc}"
        except OSError as exc:
            result.error, result.reason = "unreachable", f"{type(exc).__name__}: {exc}"
        except (httpx.HTTPError, ValueError, UnicodeError) as exc:
            # Whatever else a hostile server can provoke in the HTTP stack ends this
            # source, never the whole run.
            result.error, result.reason = "unreachable", f"{type(exc).__name__}: {exc}"[:300]
        return result

    async def _fetch_hops(self, result: FetchResult) -> None:
        s = self.settings
        url = httpx.URL(result.url) if _parses(result.url) else None
        if url is None:
            raise UnsafeURL("malformed URL")
        for hop in range(s.max_redirects + 1):
            try:
                check_url(url, s.allow)
            except UnsafeURL as exc:
                if hop == 0:
                    raise
                raise UnsafeURL(f"redirected to an unsafe URL: {exc.reason}") from None
            result.final_url = str(url)
            async with self._client.stream("GET", url) as resp:
                result.status = resp.status_code
                if resp.status_code in REDIRECT_CODES:
                    location = resp.headers.get("location")
                    if not location:
                        result.error = "http-error"
                        result.reason = f"HTTP {resp.status_code} without a Location"
                        return
                    if hop == s.max_redirects:
                        result.error = "http-error"
                        result.reason = f"more than {s.max_redirects} redirects"
                        return
                    try:
                        url = url.join(location.strip())
                    except (httpx.InvalidURL, ValueError):
                        raise UnsafeURL("malformed redirect location") from None
                    result.redirects.append(str(url))
                    continue
                if not 200 <= resp.status_code < 300:
                    result.error = "http-error"
                    result.reason = f"HTTP {resp.status_code}"
                    return
                result.media_type, result.charset = _content_type(resp.headers)
                if result.media_type and result.media_type not in HTML_TYPES:
                    result.error = "not-html"
                    result.reason = f"content type {result.media_type}"
                    return
                await self._read_body(resp, result)
                if not result.media_type:
                    # No Content-Type at all: sniff, as a browser would, but strictly.
                    if _looks_like_html(result.body):
                        result.media_type = "text/html"
                    else:
                        result.error, result.reason = "not-html", "no content type, not HTML"
                return

    async def _read_body(self, resp: httpx.Response, result: FetchResult) -> None:
        cap = self.settings.max_bytes
        encoding = resp.headers.get("content-encoding", "").strip().lower()
        try:
            decoder = _Decoder(encoding)
        except ValueError as exc:
            result.error, result.reason = "http-error", str(exc)
            return
        parts: list[bytes] = []
        size = 0
        try:
            async for raw in resp.aiter_raw(_CHUNK):
                room = cap - size + 1  # one byte more than allowed tells us it overflowed
                out = decoder.feed(raw, room)
                parts.append(out)
                size += len(out)
                if size > cap:
                    result.truncated = True
                    break
        except zlib.error as exc:
            result.error, result.reason = "http-error", f"bad {encoding} body: {exc}"
            return
        result.body = b"".join(parts)[:cap]


def _parses(url: str) -> bool:
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    return True


def _transport_reason(exc: httpx.TransportError) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
            return f"TLS error: {text[:200]}"
        return f"connection failed: {text[:200] or name}"
    return f"{name}: {text[:200]}" if text else name
