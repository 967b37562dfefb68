"""Akismet over pingdesk's own HTTP stack: the ``akismet`` library's AsyncClient, our httpx.

Why wrap it:

* The library's base URL (https://rest.akismet.com) is hard-coded, and httpx's
  ``base_url`` does not apply to absolute URLs, so an Akismet-compatible service
  or a test server is reached through :class:`EndpointTransport`, which rewrites
  that host on every request.
* ``async with akismet.AsyncClient(http_client=ours)`` closes *our* client on
  exit, so the library client is built once and never used as a context manager.
* Headers the library ignores (X-akismet-pro-tip's other values, -guid, -alert-code,
  -alert-msg, -debug-help, Retry-After) are read by a response hook into a
  per-task :class:`CallInfo` (a ContextVar, so concurrent checks don't mix them).
* The library's error texts contain the API key ("Found API key: ..."), and
  httpx's contain URLs that carry it as a query parameter (usage-limit): every
  failure becomes an :class:`AkismetFailure` with a message of our own, the key
  redacted, and the original exception chain dropped.
"""

from __future__ import annotations

import contextvars
import email.utils
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import akismet
import httpx

from pingdesk import __version__
from pingdesk.errors import EXIT_BAD_INPUT, PingdeskError, RemoteUnavailable

DEFAULT_ENDPOINT = "https://rest.akismet.com"
LIBRARY_HOST = "rest.akismet.com"
DEFAULT_TIMEOUT = 10.0

FailureKind = Literal[
    "missing-key",
    "invalid-key",
    "unreachable",
    "timeout",
    "rate-limited",
    "server-error",
    "http-error",
    "bad-response",
]
# Failures worth retrying later as they are: the service, not the request, is the problem.
TRANSIENT: frozenset[str] = frozenset(
    {"unreachable", "timeout", "rate-limited", "server-error", "http-error"}
)

Verdict = Literal["spam", "ham", "discard"]


class AkismetFailure(RemoteUnavailable):
    """Akismet could not be used; ``kind`` says why, the message never contains the key.

    A missing or invalid key is the user's configuration (exit 2); anything else means
    the service is unavailable now (exit 4).
    """

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        response: str | None = None,
    ) -> None:
        config_problem = kind in ("missing-key", "invalid-key")
        super().__init__(message, exit_code=EXIT_BAD_INPUT if config_problem else None)
        self.kind: FailureKind = kind
        self.retry_after = retry_after
        self.status = status
        self.response = response  # short, redacted answer body (for recheck-error meta)

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT


def redact(text: str, *secrets: str | None) -> str:
    """Replace every secret in ``text``; the API key must never reach a screen or a log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[api key hidden]")
    return text


class _RedactKeys(logging.Filter):
    """httpx logs every request URL at INFO, and usage-limit carries the key in its query."""

    keys: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.keys:
            text = record.getMessage()
            clean = redact(text, *self.keys)
            if clean != text:
                record.msg, record.args = clean, ()
        return True


_REDACT = _RedactKeys()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_REDACT)


def resolve_endpoint(configured: str | None = None) -> str:
    """The service's root URL: the configured endpoint (config akismet.endpoint or
    PINGDESK_AKISMET_ENDPOINT, see pingdesk.config), else the real service."""
    chosen = configured or DEFAULT_ENDPOINT
    url = httpx.URL(chosen.strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise PingdeskError(
            f"Akismet endpoint {chosen!r} is not an http(s) URL (config akismet.endpoint or "
            "PINGDESK_AKISMET_ENDPOINT)"
        )
    # "https://rest.akismet.com/1.1/" is a natural way to write it, but the library
    # adds the API version itself: keep only the service's root (and any mount path).
    path = url.path.rstrip("/")
    for version in ("/1.1", "/1.2"):
        if path.endswith(version):
            path = path[: -len(version)]
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


# Connections per pool: httpcore's pool re-checks every connection for every waiting
# request (requests x connections per assignment), ~3 ms of CPU per report at 16 in one
# pool; four pools of four cost a sixteenth of that, and the same connections in all.
LANE_SIZE = 4


class EndpointTransport(httpx.AsyncBaseTransport):
    """Sends requests addressed to rest.akismet.com to the configured endpoint instead,
    over ``max_connections`` kept-alive connections split into small pools (lanes)."""

    def __init__(
        self,
        endpoint: str,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        max_connections: int = 16,
    ) -> None:
        self._target = httpx.URL(endpoint)
        self._prefix = self._target.path.rstrip("/")
        if inner is not None:
            self._lanes: list[httpx.AsyncBaseTransport] = [inner]
        else:
            n = max(1, -(-max_connections // LANE_SIZE))
            size = max(1, -(-max_connections // n))
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            self._lanes = [httpx.AsyncHTTPTransport(limits=limits) for _ in range(n)]
        self._turn = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == LIBRARY_HOST:
            t = self._target
            request.url = request.url.copy_with(
                scheme=t.scheme, host=t.host, port=t.port, path=self._prefix + request.url.path
            )
            # httpx computed Host from the original URL when it built the request.
            request.headers["Host"] = t.netloc.decode("ascii")
        self._turn = (self._turn + 1) % len(self._lanes)
        return await self._lanes[self._turn].handle_async_request(request)

    async def aclose(self) -> None:
        for lane in self._lanes:
            await lane.aclose()


@dataclass
class CallInfo:
    """What one response said besides its body."""

    status: int | None = None
    pro_tip: str | None = None
    guid: str | None = None
    alert_code: str | None = None
    alert_msg: str | None = None
    debug_help: str | None = None
    retry_after: float | None = None
    recheck_after: str | None = None


_CURRENT: contextvars.ContextVar[CallInfo | None] = contextvars.ContextVar(
    "pingdesk_akismet_call", default=None
)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After in seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Alert:
    code: str
    msg: str


@dataclass
class UsageLimit:
    limit: str
    usage: str
    percentage: str
    throttled: bool
    raw: dict[str, Any] = field(default_factory=dict)


class AkismetClient:
    """One API key + blog URL, one httpx client, one akismet.AsyncClient on top of it."""

    # (endpoint, key, blog URL) verified in this process: each moderation action opens
    # a client, and the key is verified once, not once per action.
    _verified_keys: set[tuple[str, str, str]] = set()

    def __init__(
        self,
        key: str | None,
        blog_url: str,
        *,
        endpoint: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_connections: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._key = key or ""
        if self._key:
            _RedactKeys.keys.add(self._key)
        self.blog_url = blog_url
        self.endpoint = resolve_endpoint(endpoint)
        self.alert: Alert | None = None
        self._verified: bool | None = None
        self._http = httpx.AsyncClient(
            transport=EndpointTransport(self.endpoint, transport, max_connections=max_connections),
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"User-Agent": f"pingdesk/{__version__} | {akismet.USER_AGENT}"},
            event_hooks={"response": [self._on_response]},
        )
        self._lib = akismet.AsyncClient(
            config=akismet.Config(key=self._key, url=blog_url), http_client=self._http
        )

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    @property
    def verified(self) -> bool | None:
        return self._verified

    @property
    def endpoint_host(self) -> str:
        """Where requests go, for status lines (no path, no key)."""
        url = httpx.URL(self.endpoint)
        return url.netloc.decode("ascii")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AkismetClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- response headers -------------------------------------------------------------

    async def _on_response(self, response: httpx.Response) -> None:
        h = response.headers
        info = _CURRENT.get()
        if info is not None:
            info.status = response.status_code
            info.pro_tip = h.get("X-akismet-pro-tip")
            info.guid = h.get("X-akismet-guid")
            info.alert_code = h.get("X-akismet-alert-code")
            info.alert_msg = h.get("X-akismet-alert-msg")
            info.debug_help = h.get("X-akismet-debug-help")
            info.recheck_after = h.get("X-akismet-recheck-after")
            info.retry_after = parse_retry_after(h.get("Retry-After"))
        # The plugin's update_alert(): the latest verify/check answer sets or clears it.
        path = response.request.url.path
        if path.endswith(("/verify-key", "/comment-check")) and response.status_code < 400:
            code = h.get("X-akismet-alert-code")
            self.alert = Alert(code, h.get("X-akismet-alert-msg") or "") if code else None

    # --- error mapping ----------------------------------------------------------------

    def _failure(self, exc: Exception, info: CallInfo, what: str) -> AkismetFailure:
        def clean(text: str) -> str:
            return redact(text, self._key)

        if isinstance(exc, akismet.APIKeyError):
            self._verified = False
            AkismetClient._verified_keys.discard((self.endpoint, self._key, self.blog_url))
            return AkismetFailure(
                "invalid-key",
                f"Akismet rejected the API key for {self.blog_url} ({what}); check the key in "
                "pingdesk's config, WPCOM_API_KEY in wp-config.php or the wordpress_api_key option",
                response="invalid",
            )
        if isinstance(exc, akismet.ProtocolError):
            # The library keeps the answer's body only inside its message.
            body, text = "", str(exc)
            marker = "API response received was:"
            if marker in text:
                body = text.split(marker, 1)[1].split("\n", 1)[0].strip()
            body = clean(body)[:200]
            hint = f"; {clean(info.debug_help)}" if info.debug_help else ""
            return AkismetFailure(
                "bad-response",
                f"Akismet answered {what} with an error: {body or '(empty answer)'}{hint}",
                status=info.status,
                response=body[:50],
            )
        if isinstance(exc, akismet.RequestError):
            cause = exc.__cause__
            if isinstance(cause, httpx.HTTPStatusError):
                status = cause.response.status_code
                if status == 429:
                    wait = info.retry_after
                    after = f"; retry after {wait:.0f} s" if wait is not None else ""
                    return AkismetFailure(
                        "rate-limited",
                        f"Akismet is rate-limiting requests (HTTP 429) during {what}{after}",
                        retry_after=wait,
                        status=status,
                        response="429",
                    )
                kind: FailureKind = "server-error" if status >= 500 else "http-error"
                return AkismetFailure(
                    kind,
                    f"Akismet answered {what} with HTTP {status}",
                    status=status,
                    retry_after=info.retry_after,
                    response=str(status),
                )
            if isinstance(cause, httpx.TimeoutException):
                return AkismetFailure(
                    "timeout",
                    f"Akismet ({self.endpoint_host}) did not answer {what} in time",
                    response="timeout",
                )
            detail = clean(type(cause).__name__) if cause is not None else "error"
            return AkismetFailure(
                "unreachable",
                f"Akismet ({self.endpoint_host}) could not be reached for {what} ({detail})",
                response="unreachable",
            )
        if isinstance(exc, akismet.ConfigurationError):
            return AkismetFailure("missing-key", "no Akismet API key is configured")
        raise exc

    async def _call(
        self, what: str, coro_fn: Any, *args: Any, **kwargs: Any
    ) -> tuple[Any, CallInfo]:
        if not self._key:
            raise AkismetFailure(
                "missing-key",
                "no Akismet API key: set akismet.key in pingdesk's config, WPCOM_API_KEY in "
                "wp-config.php, or the key in WordPress's Akismet settings",
            )
        info = CallInfo()
        token = _CURRENT.set(info)
        try:
            result = await coro_fn(*args, **kwargs)
        except akismet.UnknownArgumentError:
            raise  # a bug in pingdesk's payload, not a service failure
        except akismet.AkismetError as exc:
            raise self._failure(exc, info, what) from None
        finally:
            _CURRENT.reset(token)
        return result, info

    # --- operations ---------------------------------------------------------------------

    async def verify(self, *, force: bool = False) -> None:
        """verify-key once per client; AkismetFailure('invalid-key') when it is refused."""
        ident = (self.endpoint, self._key, self.blog_url)
        if not force and (self._verified or ident in AkismetClient._verified_keys):
            self._verified = True
            return
        valid, _info = await self._call("key verification", self._lib.verify_key)
        self._verified = bool(valid)
        if valid:
            AkismetClient._verified_keys.add(ident)
        else:
            AkismetClient._verified_keys.discard(ident)
            raise AkismetFailure(
                "invalid-key",
                f"Akismet says the API key is not valid for {self.blog_url}; check the key in "
                "pingdesk's config, WPCOM_API_KEY in wp-config.php or the wordpress_api_key option",
                response="invalid",
            )

    async def comment_check(self, user_ip: str, fields: dict[str, str]) -> tuple[Verdict, CallInfo]:
        await self.verify()
        result, info = await self._call("comment-check", self._lib.comment_check, user_ip, **fields)
        if result == akismet.CheckResponse.DISCARD:
            return "discard", info
        if result == akismet.CheckResponse.SPAM:
            return "spam", info
        return "ham", info

    async def submit(
        self, verdict: Literal["spam", "ham"], user_ip: str, fields: dict[str, str]
    ) -> CallInfo:
        await self.verify()
        method = self._lib.submit_spam if verdict == "spam" else self._lib.submit_ham
        _ok, info = await self._call(f"submit-{verdict}", method, user_ip, **fields)
        return info

    async def usage_limit(self) -> UsageLimit:
        await self.verify()
        try:
            data, _info = await self._call("usage-limit", self._lib.usage_limit)
        except ValueError as exc:  # a body that is not JSON
            raise AkismetFailure(
                "bad-response", "Akismet's usage-limit answer was not JSON"
            ) from exc
        if not isinstance(data, dict):
            raise AkismetFailure("bad-response", "Akismet's usage-limit answer was not an object")
        return UsageLimit(
            limit=str(data.get("limit", "")),
            usage=str(data.get("usage", "")),
            percentage=str(data.get("percentage", "")),
            throttled=bool(data.get("throttled", False)),
            raw=dict(data),
        )
