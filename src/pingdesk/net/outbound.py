"""Sending pings: trackbacks, pingback discovery and ``pingback.ping`` over XML-RPC.

The same safety as verification (net/fetch.py): every connection goes through the
vetting backend (public addresses only unless allowlisted, the name resolved once),
every URL — redirects included — is vetted, answers are read up to a cap, and one
deadline covers each exchange. What is sent is what WordPress's ``trackback()``,
``discover_pingback_server_uri()`` and ``pingback()`` send (wp-includes/comment.php),
under pingdesk's own User-Agent.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import xmlrpc.client
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import h11
import httpcore
import httpx

from pingdesk import __version__
from pingdesk.net.fetch import VettingBackend
from pingdesk.net.safety import (
    Allowlist,
    ResolveError,
    Resolver,
    UnsafeURL,
    Vetter,
    check_url,
    system_resolver,
)

ANSWER_MAX_BYTES = 1_000_000
DISCOVERY_MAX_BYTES = 1_000_000

# The pingback specification's fault codes (and what WordPress's xmlrpc.php means by them).
FAULTS = {
    0: "generic fault",
    16: "the source page does not exist",
    17: "the source page does not link to the target",
    32: "the target page does not exist",
    33: "the target cannot be used for pingbacks",
    48: "this pingback was already registered",
    49: "access denied",
    50: "the target's server had an upstream error",
}


def user_agent(home: str | None) -> str:
    return f"pingdesk/{__version__} (+sending pings for {home or 'a WordPress blog'})"


@dataclass
class SendSettings:
    allow: Allowlist = field(default_factory=Allowlist)
    resolver: Resolver = system_resolver
    timeout: float = 10.0  # trackback(): 'timeout' => 10
    max_redirects: int = 5
    home: str | None = None
    verify_tls: bool | ssl.SSLContext = True
    connect_map: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)


class SendError(Exception):
    """No HTTP answer at all (refused by our safety rules, unreachable, timed out)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind  # 'refused' | 'unreachable'
        self.reason = reason


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str


class _VettedTransport(httpx.AsyncBaseTransport):
    """httpx over httpcore over the vetting backend; every request's URL vetted first."""

    def __init__(self, settings: SendSettings) -> None:
        self._allow = settings.allow
        verify = settings.verify_tls
        ctx = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        backend = VettingBackend(
            Vetter(allow=settings.allow, resolver=settings.resolver), settings.connect_map
        )
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ctx, network_backend=backend, max_connections=8
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_url(request.url, self._allow)
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        resp = await self._pool.handle_async_request(req)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Stream(resp.stream),
            extensions=resp.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _Stream(httpx.AsyncByteStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        if hasattr(self._inner, "aclose"):
            await self._inner.aclose()


class Sender:
    """One client for a sending run: trackbacks, discovery and pingbacks."""

    def __init__(self, settings: SendSettings | None = None) -> None:
        self.settings = settings or SendSettings()
        self._client = httpx.AsyncClient(
            transport=_VettedTransport(self.settings),
            follow_redirects=True,
            max_redirects=self.settings.max_redirects,
            trust_env=False,  # a proxy would connect to addresses we never vetted
            timeout=httpx.Timeout(self.settings.timeout),
            # Bodies are capped as they arrive; compressed ones could expand past the cap.
            headers={
                "User-Agent": user_agent(self.settings.home),
                "Accept-Encoding": "identity",
            },
        )

    async def __aenter__(self) -> Sender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = ANSWER_MAX_BYTES,
        timeout: float | None = None,
    ) -> Answer:
        """One exchange within the bounds; raises SendError when no answer came."""
        try:
            async with asyncio.timeout(timeout or self.settings.timeout):
                async with self._client.stream(
                    method, url, data=data, content=content, headers=headers
                ) as resp:
                    parts: list[bytes] = []
                    size = 0
                    async for chunk in resp.aiter_raw():
                        parts.append(chunk)
                        size += len(chunk)
                        if size >= max_bytes:
                            break
                    return Answer(
                        resp.status_code, resp.headers, b"".join(parts)[:max_bytes], str(resp.url)
                    )
        except UnsafeURL as exc:
            raise SendError("refused", exc.reason) from None
        except TimeoutError:
            raise SendError(
                "unreachable", f"no answer within {timeout or self.settings.timeout:g} s"
            ) from None
        except ResolveError as exc:
            raise SendError("unreachable", str(exc)) from None
        except httpx.TooManyRedirects:
            raise SendError(
                "unreachable", f"more than {self.settings.max_redirects} redirects"
            ) from None
        except (httpx.HTTPError, httpcore.ConnectError, httpcore.NetworkError) as exc:
            raise SendError("unreachable", _reason(exc)) from None
        except (httpcore.TimeoutException, httpcore.ProtocolError, h11.ProtocolError) as exc:
            raise SendError("unreachable", _reason(exc)) from None
        except (ssl.SSLError, OSError, ValueError, UnicodeError) as exc:
            raise SendError("unreachable", _reason(exc)) from None

    # ------------------------------------------------------------------ trackbacks

    async def trackback(
        self, url: str, *, title: str, permalink: str, blog_name: str, excerpt: str
    ) -> TrackbackAnswer:
        """trackback(): POST title, url, blog_name, excerpt as a form."""
        answer = await self.request(
            "POST",
            url,
            data={"title": title, "url": permalink, "blog_name": blog_name, "excerpt": excerpt},
        )
        return TrackbackAnswer.parse(answer)

    # ------------------------------------------------------------------ pingbacks

    async def discover_pingback(self, url: str) -> str | None:
        """discover_pingback_server_uri(): the X-Pingback header of a HEAD, else (unless
        the page is an image, audio, video or model) the first rel="pingback" link of the
        page as WordPress finds it (by string search, not by parsing)."""
        head = await self.request("HEAD", url, max_bytes=0, timeout=min(self.settings.timeout, 5))
        if head.headers.get("x-pingback"):
            return head.headers["x-pingback"]
        if re.search(r"(image|audio|video|model)/", head.headers.get("content-type", ""), re.I):
            return None
        page = await self.request("GET", url, max_bytes=DISCOVERY_MAX_BYTES)
        return find_pingback_link(page.body)

    async def pingback(self, endpoint: str, source: str, target: str) -> PingbackAnswer:
        """pingback.ping( source, target ) over XML-RPC."""
        body = xmlrpc.client.dumps((source, target), "pingback.ping").encode("utf-8")
        answer = await self.request(
            "POST", endpoint, content=body, headers={"Content-Type": "text/xml"}
        )
        return PingbackAnswer.parse(answer)


def find_pingback_link(body: bytes) -> str | None:
    """The pingback link as discover_pingback_server_uri() finds it in a page."""
    dq, sq = body.find(b'rel="pingback"'), body.find(b"rel='pingback'")
    # WordPress tests strpos() for truth: a match at offset 0 counts as none.
    if dq <= 0 and sq <= 0:
        return None
    quote = b'"' if dq > 0 else b"'"
    offset = dq if dq > 0 else sq
    href = body.find(b"href=", offset)
    if href < 0:
        return None
    start = href + 6
    end = body.find(quote, start)
    if end <= start:
        return None
    return body[start:end].decode("utf-8", "replace")


@dataclass
class TrackbackAnswer:
    status: int
    error: bool | None  # None: the answer was not a trackback response
    message: str

    @classmethod
    def parse(cls, answer: Answer) -> TrackbackAnswer:
        text = answer.body.decode("utf-8", "replace")
        err = re.search(r"<error>\s*(\d+)\s*</error>", text)
        msg = re.search(r"<message>(.*?)</message>", text, re.DOTALL)
        return cls(
            status=answer.status,
            error=None if err is None else err.group(1) != "0",
            message=(msg.group(1).strip() if msg else "")[:500],
        )


@dataclass
class PingbackAnswer:
    status: int
    ok: bool
    fault: int | None = None
    message: str = ""

    @property
    def meaning(self) -> str:
        if self.fault is None:
            return self.message
        return FAULTS.get(self.fault, "unknown fault")

    @classmethod
    def parse(cls, answer: Answer) -> PingbackAnswer:
        if not 200 <= answer.status < 300:
            return cls(answer.status, False, None, f"HTTP {answer.status}")
        try:
            (result,), _ = xmlrpc.client.loads(answer.body.decode("utf-8", "replace"))
        except xmlrpc.client.Fault as fault:
            return cls(answer.status, False, int(fault.faultCode), str(fault.faultString)[:500])
        except Exception as exc:
            # Whatever a hostile endpoint sends: not an XML-RPC answer.
            return cls(answer.status, False, None, f"not an XML-RPC answer ({type(exc).__name__})")
        return cls(answer.status, True, None, str(result)[:500])


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:300]
