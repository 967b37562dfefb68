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
import contextlib
import functools
import importlib.util
import socket
import ssl
import sys
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from types import TracebackType
from typing import Any

import h11
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
_MAX_HEAD = 100 * 1024  # status line and headers (as httpcore allows)
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
_IDLE_EXPIRY = 2.0  # seconds a kept-alive connection may wait for its next request
# Reading the rest of an unwanted response (redirect, error page) to keep its connection.
_DRAIN_MAX = 64 * 1024
_DRAIN_SECONDS = 0.5


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


@functools.lru_cache(maxsize=256)
def _content_type(value: str | None) -> tuple[str, str | None]:
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


Origin = tuple[str, str, int]  # scheme, host (IDNA or IP literal), port


class _Conn:
    """One HTTP/1.1 connection: a vetted stream and its h11 state machine."""

    __slots__ = ("h11", "idle_since", "origin", "reused", "sock", "stream")

    def __init__(self, origin: Origin, stream: httpcore.AsyncNetworkStream) -> None:
        self.origin = origin
        self.stream = stream
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        self.idle_since = 0.0
        self.reused = False
        # (asyncio hands out a TransportSocket: setsockopt only, which is all we use.)
        sock = stream.get_extra_info("socket") if _QUICKACK is not None else None
        self.sock: Any = sock if hasattr(sock, "setsockopt") else None

    def ack_now(self) -> None:
        """Linux: acknowledge at once (no delayed ACK). A server that writes its head and
        its body in two sends without TCP_NODELAY (Python's http.server does) waits for
        our ACK before the second one; on a kept-alive connection a delayed ACK makes
        that 40 ms per response. The flag does not stick, hence once per read."""
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


class _StaleConnection(Exception):
    """A kept-alive connection the server had closed before it read our request."""


class _Pool:
    """Keep-alive connections by origin (one pool per Fetcher, i.e. per run).

    Sources on one host are fetched one after another over the same connection
    (the verification service schedules them so), which saves the connect and the
    slow-start of every request after the first. At most ``max_idle`` connections
    are kept idle in all (the least recently used goes first), none longer than
    ``_IDLE_EXPIRY`` seconds. Every new connection goes through the vetting backend.
    """

    def __init__(self, backend: VettingBackend, ssl_context: ssl.SSLContext, max_idle: int) -> None:
        self._backend = backend
        self._ssl = ssl_context
        self._max_idle = max(1, max_idle)
        self._idle: OrderedDict[int, _Conn] = OrderedDict()  # LRU first
        self._by_origin: dict[Origin, list[_Conn]] = {}

    async def acquire(self, origin: Origin, timeout: float) -> _Conn:
        conns = self._by_origin.get(origin)
        now = time.monotonic()
        while conns:
            conn = conns.pop()
            del self._idle[id(conn)]
            if now - conn.idle_since < _IDLE_EXPIRY:
                conn.reused = True
                return conn
            await _close(conn)
        scheme, host, port = origin
        stream = await self._backend.connect_tcp(host, port, timeout=timeout)
        if scheme == "https":
            try:
                stream = await stream.start_tls(self._ssl, server_hostname=host, timeout=timeout)
            except BaseException:
                await _close_stream(stream)
                raise
        return _Conn(origin, stream)

    async def release(self, conn: _Conn) -> None:
        """Keep ``conn`` for the next request to its origin (its response is complete)."""
        conn.h11.start_next_cycle()
        conn.idle_since = time.monotonic()
        self._idle[id(conn)] = conn
        self._by_origin.setdefault(conn.origin, []).append(conn)
        while len(self._idle) > self._max_idle:
            _, old = self._idle.popitem(last=False)
            self._by_origin[old.origin].remove(old)
            await _close(old)

    async def aclose(self) -> None:
        conns = list(self._idle.values())
        self._idle.clear()
        self._by_origin.clear()
        for conn in conns:
            await _close(conn)


async def _close(conn: _Conn) -> None:
    await _close_stream(conn.stream)


async def _close_stream(stream: httpcore.AsyncNetworkStream) -> None:
    with contextlib.suppress(Exception):
        await stream.aclose()


def _header_text(value: bytes) -> str:
    # As httpx decodes header values: ASCII, else UTF-8, else Latin-1.
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("iso-8859-1")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """A response header (h11 gives lower-cased names); repeated ones joined with ', '."""
    values = [_header_text(v) for k, v in headers if k == name]
    return ", ".join(values) if values else None


class Fetcher:
    """One connection pool for a verification run; each fetch follows the bounds above.

    HTTP/1.1 is spoken with h11 over the vetted streams directly: the general
    purpose client stack (request and response models, cookie jar, per-request
    pool scans) cost ~1 ms of CPU per source, several times the exchange itself.
    Nothing here reads the environment (proxies) or keeps cookies.
    """

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._vetter = Vetter(allow=self.settings.allow, resolver=self.settings.resolver)
        # One SSL context (loading the CA bundle costs tens of milliseconds).
        verify = self.settings.verify_tls
        ssl_context = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        self._pool = _Pool(
            VettingBackend(self._vetter, self.settings.connect_map),
            ssl_context,
            self.settings.max_connections,
        )
        self._headers: list[tuple[bytes, bytes]] = [
            (b"User-Agent", self.settings.user_agent.encode("ascii", "replace")),
            (b"Accept", b"text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"),
            # Only what we can decode with a size cap ourselves.
            (b"Accept-Encoding", b"gzip, deflate"),
        ]

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
        await self._pool.aclose()

    async def fetch(self, url: str) -> FetchResult:
        """Fetch ``url`` within the settings' bounds; never raises for network trouble."""
        result = FetchResult(url=url, final_url=url)
        try:
            async with asyncio.timeout(self.settings.timeout) as scope:
                await self._fetch_hops(result, scope.when() or 0.0)
        except UnsafeURL as exc:
            result.error, result.reason = "refused", exc.reason
        except TimeoutError:
            result.error = "unreachable"
            result.reason = f"timed out after {self.settings.timeout:g} s"
            result.body = b""
        except ResolveError as exc:
            result.error, result.reason = "unreachable", str(exc)
        except httpcore.TimeoutException as exc:
            result.error, result.reason = "unreachable", f"timeout ({type(exc).__name__})"
        except (httpcore.NetworkError, httpcore.ProtocolError, h11.ProtocolError) as exc:
            result.error, result.reason = "unreachable", _transport_reason(exc)
        except ssl.SSLError as exc:
            result.error, result.reason = "unreachable", f"TLS error: {exc.reason or exc}"
        except OSError as exc:
            result.error, result.reason = "unreachable", f"{type(exc).__name__}: {exc}"
        except (httpx.HTTPError, httpcore.UnsupportedProtocol, ValueError, UnicodeError) as exc:
            # Whatever else a hostile server can provoke in the HTTP stack ends this
            # source, never the whole run.
            result.error, result.reason = "unreachable", f"{type(exc).__name__}: {exc}"[:300]
        return result

    async def _fetch_hops(self, result: FetchResult, deadline: float) -> None:
        s = self.settings
        url = _parsed(result.url)
        if url is None:
            raise UnsafeURL("malformed URL")
        for hop in range(s.max_redirects + 1):
            try:
                target = check_url(url, s.allow)
            except UnsafeURL as exc:
                if hop == 0:
                    raise
                raise UnsafeURL(f"redirected to an unsafe URL: {exc.reason}") from None
            result.final_url = str(url)
            conn, resp = await self._request((target.scheme, target.host, target.port), url)
            reusable, nxt = False, None
            try:
                reusable, nxt = await self._handle(conn, resp, url, hop, result, deadline)
            finally:
                if reusable:
                    await self._pool.release(conn)
                else:
                    await _close(conn)
            if nxt is None:
                return
            url = nxt

    async def _handle(
        self,
        conn: _Conn,
        resp: h11.Response,
        url: httpx.URL,
        hop: int,
        result: FetchResult,
        deadline: float,
    ) -> tuple[bool, httpx.URL | None]:
        """Read what we need of one response into ``result``.

        Returns whether ``conn`` can be kept, and the URL to go to next (redirects).
        """
        s = self.settings
        result.status = resp.status_code
        headers = list(resp.headers)
        if resp.status_code in REDIRECT_CODES:
            location = _header(headers, b"location")
            if not location:
                result.error = "http-error"
                result.reason = f"HTTP {resp.status_code} without a Location"
                return await self._drained(conn, deadline), None
            if hop == s.max_redirects:
                result.error = "http-error"
                result.reason = f"more than {s.max_redirects} redirects"
                return await self._drained(conn, deadline), None
            try:
                nxt = url.join(location.strip())
            except (httpx.InvalidURL, ValueError):
                raise UnsafeURL("malformed redirect location") from None
            result.redirects.append(str(nxt))
            return await self._drained(conn, deadline), nxt
        if not 200 <= resp.status_code < 300:
            result.error = "http-error"
            result.reason = f"HTTP {resp.status_code}"
            return await self._drained(conn, deadline), None
        result.media_type, result.charset = _content_type(_header(headers, b"content-type"))
        if result.media_type and result.media_type not in HTML_TYPES:
            result.error = "not-html"
            result.reason = f"content type {result.media_type}"
            return False, None
        complete = await self._read_body(conn, headers, result)
        if not result.media_type and result.error is None:
            # No Content-Type at all: sniff, as a browser would, but strictly.
            if _looks_like_html(result.body):
                result.media_type = "text/html"
            else:
                result.error, result.reason = "not-html", "no content type, not HTML"
        return complete, None

    async def _request(self, origin: Origin, url: httpx.URL) -> tuple[_Conn, h11.Response]:
        """Send a GET on a pooled or new connection; the response head once it arrives.

        A kept-alive connection the server closed meanwhile fails before any byte of
        a response: then (only then) the request is sent once more on a new one.
        """
        request = h11.Request(
            method="GET",
            target=url.raw_path,
            headers=[(b"Host", url.netloc), *self._headers],
        )
        timeout = self.settings.timeout
        while True:
            conn = await self._pool.acquire(origin, timeout)
            try:
                data = (conn.h11.send(request) or b"") + (conn.h11.send(h11.EndOfMessage()) or b"")
                await conn.stream.write(data, timeout)
                event = await self._next_event(conn, first=True)
                while isinstance(event, h11.InformationalResponse):
                    event = await self._next_event(conn)
                if not isinstance(event, h11.Response):
                    raise h11.RemoteProtocolError("no response")
                return conn, event
            except (_StaleConnection, httpcore.WriteError):
                await _close(conn)
                if not conn.reused:
                    raise
            except BaseException:
                await _close(conn)
                raise

    async def _next_event(self, conn: _Conn, first: bool = False) -> Any:
        """The next h11 event, reading as needed. ``first``: the read that should bring
        the response head; on a kept-alive connection, nothing there means stale."""
        while True:
            event = conn.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            stale_if_empty = first and conn.reused and conn.h11.their_state is h11.SEND_RESPONSE
            first = False
            conn.ack_now()
            try:
                data = await conn.stream.read(_CHUNK, self.settings.timeout)
            except httpcore.ReadError:
                if stale_if_empty:
                    raise _StaleConnection from None
                raise
            if not data and stale_if_empty:
                raise _StaleConnection
            conn.h11.receive_data(data)

    async def _drained(self, conn: _Conn, deadline: float) -> bool:
        """Read and drop the rest of a response whose body we do not want (a redirect,
        an error page), so that the connection can be kept: at most ``_DRAIN_MAX``
        bytes, for at most ``_DRAIN_SECONDS`` and never past the fetch's deadline.
        False (close the connection instead) if that does not finish it."""
        loop = asyncio.get_running_loop()
        until = min(loop.time() + _DRAIN_SECONDS, deadline - _DRAIN_SECONDS)
        if until <= loop.time():
            return False
        budget = _DRAIN_MAX
        try:
            async with asyncio.timeout_at(until):
                while True:
                    event = await self._next_event(conn)
                    if isinstance(event, h11.EndOfMessage):
                        return conn.h11.their_state is h11.DONE
                    if not isinstance(event, h11.Data):
                        return False
                    budget -= len(event.data)
                    if budget < 0:
                        return False
        except (TimeoutError, httpcore.NetworkError, httpcore.TimeoutException, h11.ProtocolError):
            return False

    async def _read_body(
        self, conn: _Conn, headers: list[tuple[bytes, bytes]], result: FetchResult
    ) -> bool:
        """Read the body within the cap; True if the whole response was read cleanly."""
        cap = self.settings.max_bytes
        encoding = (_header(headers, b"content-encoding") or "").strip().lower()
        try:
            decoder = _Decoder(encoding)
        except ValueError as exc:
            result.error, result.reason = "http-error", str(exc)
            return False
        parts: list[bytes] = []
        size = 0
        complete = False
        try:
            while True:
                event = await self._next_event(conn)
                if isinstance(event, h11.EndOfMessage):
                    complete = conn.h11.their_state is h11.DONE
                    break
                if not isinstance(event, h11.Data):
                    break
                room = cap - size + 1  # one byte more than allowed tells us it overflowed
                out = decoder.feed(bytes(event.data), room)
                parts.append(out)
                size += len(out)
                if size > cap:
                    result.truncated = True
                    break
        except zlib.error as exc:
            result.error, result.reason = "http-error", f"bad {encoding} body: {exc}"
            return False
        result.body = b"".join(parts)[:cap]
        return complete and not result.truncated


def _parsed(url: str) -> httpx.URL | None:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None


def _transport_reason(exc: Exception) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    if isinstance(exc, httpcore.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
            return f"TLS error: {text[:200]}"
        return f"connection failed: {text[:200] or name}"
    return f"{name}: {text[:200]}" if text else name
