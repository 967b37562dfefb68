"""Verifying sources: fetch each ping's source once, check it links to the post, store
the result on the ping (commentmeta, see pingdesk.wp.verify_meta) and report.

Politeness and speed: at most ``concurrency`` fetches at a time (16), at most
``per_host`` (2) to any one host, and a URL cited by many pings is fetched
once per run. Sources are fetched host by host, so that the sources of one host
share a kept-alive connection (see pingdesk.net.fetch). WordPress checks one
pingback at a time, once, at arrival; this checks any number on demand.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import ssl
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from pingdesk.config import Config
from pingdesk.net.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT,
    Fetcher,
    FetchResult,
    FetchSettings,
    user_agent,
)
from pingdesk.net.links import LinkCheck, ParsedPage, TargetSet, clean_text
from pingdesk.net.safety import Allowlist, Resolver, system_resolver
from pingdesk.progress import Progress, ShouldStop
from pingdesk.services.desk import Desk
from pingdesk.wp.blog import Blog
from pingdesk.wp.permalinks import target_urls_for
from pingdesk.wp.pings import Ping
from pingdesk.wp.verify_meta import RESULTS, VerifyResult, store_results, utc_now_iso

__all__ = [
    "RESULTS",
    "VerifyResult",
    "VerifySettings",
    "check_pings",
    "verify",
    "verify_pings",
]

# Results are stored in one transaction per batch: at most every ``flush_every``
# seconds, or at once when this many are waiting.
_FLUSH_MAX = 500

# Below this size parsing takes well under a millisecond: cheaper than a thread hop.
_INLINE_PARSE_MAX = 64 * 1024

OnResult = Callable[[VerifyResult], Any]  # may return an awaitable


class PingLike(Protocol):
    """What verification needs of a ping (pingdesk.wp.pings.Ping has it)."""

    @property
    def id(self) -> int: ...
    @property
    def post_id(self) -> int: ...
    @property
    def source_url(self) -> str: ...


@dataclass
class VerifySettings:
    allow: Allowlist = field(default_factory=Allowlist)
    concurrency: int = 16
    per_host: int = 2
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    home: str | None = None  # the blog's home, named in our User-Agent
    resolver: Resolver = system_resolver
    verify_tls: bool | ssl.SSLContext = True
    connect_map: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls,
        config: Config | None = None,
        *,
        home: str | None = None,
        extra_allow: Iterable[str] = (),
    ) -> VerifySettings:
        """From the config's ``[verify]`` section and PINGDESK_VERIFY_ALLOW (no config:
        the defaults). ``extra_allow`` is for callers that start their own sources."""
        if config is None:
            config = Config()
        vc = config.verify
        return cls(
            allow=Allowlist.parse([*config.verify_allow, *extra_allow]),
            concurrency=max(1, vc.concurrency),
            per_host=max(1, vc.per_host),
            timeout=float(vc.timeout),
            max_bytes=int(vc.max_bytes),
            home=home,
        )

    def fetch_settings(self) -> FetchSettings:
        return FetchSettings(
            allow=self.allow,
            resolver=self.resolver,
            max_bytes=self.max_bytes,
            timeout=self.timeout,
            max_redirects=self.max_redirects,
            user_agent=user_agent(self.home),
            verify_tls=self.verify_tls,
            max_connections=max(self.concurrency, 4),
            connect_map=self.connect_map,
        )


def _fetch_key(url: str) -> str:
    # The fragment is never sent, so two URLs differing only there are one fetch.
    return url.strip().split("#", 1)[0]


# The common spelling, whose host httpx would give back lower-cased as it is (no
# userinfo, no IDNA label to decode, no IPv6 brackets): no need for a full parse.
_PLAIN_HOST_RE = re.compile(r"^https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)", re.IGNORECASE)


def _host_key(url: str) -> str:
    plain = _PLAIN_HOST_RE.match(url)
    if plain is not None and "xn--" not in (host := plain.group(1).lower()):
        return host
    try:
        return httpx.URL(url).host.lower() or url
    except (httpx.InvalidURL, ValueError, TypeError):
        return url


def _results_for_page(
    fetched: FetchResult,
    group: Sequence[PingLike],
    targets: Mapping[int, set[str]],
    sets: dict[int, TargetSet] | None = None,
) -> list[VerifyResult]:
    """Classify one fetch for every ping that cites it (runs in a worker thread)."""
    now = utc_now_iso()
    base: dict[str, Any] = {
        "http_status": fetched.status,
        "final_url": clean_text(fetched.final_url, 2000),
        "checked_at": now,
        "source_url": clean_text(fetched.url, 2000),
    }
    if fetched.error is not None:
        kind = fetched.error
        if kind == "http-error" and fetched.status in (404, 410):
            kind = "gone"
        reason = clean_text(fetched.reason, 300)
        return [VerifyResult(ping_id=p.id, result=kind, reason=reason, **base) for p in group]
    if not fetched.is_html:
        return [
            VerifyResult(ping_id=p.id, result="not-html", reason="not an HTML page", **base)
            for p in group
        ]
    note = f"page cut at {len(fetched.body):,} bytes" if fetched.truncated else ""
    try:
        page = ParsedPage.from_bytes(fetched.body, fetched.final_url, fetched.charset)
    except Exception as exc:  # the parser is C code fed hostile bytes; never crash a run
        return [
            VerifyResult(
                ping_id=p.id,
                result="not-html",
                reason=f"unparseable ({type(exc).__name__})",
                **base,
            )
            for p in group
        ]
    out: list[VerifyResult] = []
    if sets is None:
        sets = {}
    for p in group:
        urls = targets.get(p.post_id)
        if not urls:
            out.append(
                VerifyResult(ping_id=p.id, result="no-link", reason="its post was not found",
                            title=page.title, **base)
            )  # fmt: skip
            continue
        ts = sets.get(p.post_id)
        if ts is None:
            ts = sets[p.post_id] = TargetSet(urls)
        check: LinkCheck = page.check(ts)
        reason = note
        if check.result == "mentioned":
            reason = "; ".join(x for x in ("the post's URL appears only as text", note) if x)
        out.append(
            VerifyResult(
                ping_id=p.id,
                result=check.result,
                reason=reason,
                title=check.title,
                excerpt=check.excerpt,
                matched=check.matched or "",
                **base,
            )
        )
    return out


async def verify_pings(
    pings: Iterable[PingLike],
    targets: Mapping[int, set[str]],
    *,
    settings: VerifySettings | None = None,
    on_result: OnResult | None = None,
    cancel: ShouldStop | None = None,
    fetcher: Fetcher | None = None,
) -> list[VerifyResult]:
    """Check every ping's source; returns the results in the order of ``pings``.

    ``targets`` maps post id -> URLs of that post (see
    ``pingdesk.wp.permalinks.target_urls_for``). ``on_result`` is called (and
    awaited if it returns an awaitable) as each ping's result arrives.
    ``cancel`` (polled every 0.1 s) stops the run: fetches
    in flight are abandoned and only finished results are returned.
    """
    settings = settings or VerifySettings()
    items = list(pings)
    results: dict[int, VerifyResult] = {}
    groups: dict[str, list[PingLike]] = {}
    for p in items:
        url = (p.source_url or "").strip()
        if not url:
            r = VerifyResult(ping_id=p.id, result="refused", reason="no source URL")
            results[p.id] = r
            await _emit(on_result, r)
            continue
        groups.setdefault(_fetch_key(url), []).append(p)

    # Sources are queued by host. Each of ``concurrency`` workers takes a host and
    # fetches its sources one after another over one kept-alive connection; a second
    # worker joins a host (up to ``per_host``) only when no other host waits.
    queues: dict[str, deque[tuple[str, list[PingLike]]]] = {}
    for url, group in groups.items():
        queues.setdefault(_host_key(url), deque()).append((url, group))
    ready: deque[str] = deque(queues)
    active: dict[str, int] = dict.fromkeys(queues, 0)
    sets: dict[int, TargetSet] = {}  # one TargetSet per post for the whole run
    own_fetcher = fetcher is None
    client = fetcher or Fetcher(settings.fetch_settings())

    def take_host() -> str | None:
        while ready:
            host = ready.popleft()
            if queues[host]:
                active[host] += 1
                if active[host] < settings.per_host and len(queues[host]) > 1:
                    ready.append(host)
                return host
        return None

    async def worker() -> None:
        while (host := take_host()) is not None:
            queue = queues[host]
            try:
                while queue:
                    url, group = queue.popleft()
                    fetched = await client.fetch(url)
                    if fetched.is_html and len(fetched.body) > _INLINE_PARSE_MAX:
                        # Big pages are parsed off the event loop so a UI stays responsive.
                        done = await asyncio.to_thread(
                            _results_for_page, fetched, group, targets, sets
                        )
                    else:
                        done = _results_for_page(fetched, group, targets, sets)
                    for r in done:
                        results[r.ping_id] = r
                        await _emit(on_result, r)
            finally:
                active[host] -= 1

    workers = min(settings.concurrency, max(1, len(groups)))
    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    watcher = asyncio.create_task(_watch_cancel(cancel, tasks)) if cancel is not None else None
    try:
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(
                outcome, asyncio.CancelledError
            ):
                raise outcome
    except asyncio.CancelledError:
        for t in tasks:
            t.cancel()
        raise
    finally:
        if watcher is not None:
            watcher.cancel()
        if own_fetcher:
            await asyncio.shield(client.aclose())
    return [results[p.id] for p in items if p.id in results]


async def _watch_cancel(cancel: ShouldStop, tasks: list[asyncio.Task[None]]) -> None:
    while not cancel():
        await asyncio.sleep(0.1)
    for t in tasks:
        t.cancel()


async def _emit(on_result: OnResult | None, result: VerifyResult) -> None:
    if on_result is None:
        return
    out = on_result(result)
    if inspect.isawaitable(out):
        await out


async def check_pings(
    blog: Blog,
    pings: Sequence[PingLike],
    *,
    settings: VerifySettings | None = None,
    on_result: OnResult | None = None,
    cancel: ShouldStop | None = None,
    store: bool = True,
    flush_every: float = 0.5,
) -> list[VerifyResult]:
    """Targets from the database, verification, results stored in commentmeta.

    Results are stored as they arrive (in small batches, at most every
    ``flush_every`` seconds), so another view of the blog sees them fill in, and
    a cancelled run keeps what it finished. Database work runs in worker threads
    so a UI's event loop stays free.
    """
    if settings is None:
        home = await asyncio.to_thread(blog.option, "home")
        settings = VerifySettings.from_config(home=home)
    post_ids = {p.post_id for p in pings}
    targets = await asyncio.to_thread(target_urls_for, blog, post_ids)
    done: list[VerifyResult] = []
    pending: list[VerifyResult] = []
    lock = asyncio.Lock()
    last_flush = time.monotonic()

    async def flush() -> None:
        nonlocal last_flush
        async with lock:
            batch = pending[:]
            pending.clear()
            last_flush = time.monotonic()
            if batch:
                await asyncio.to_thread(store_results, blog, batch)

    async def collect(r: VerifyResult) -> None:
        done.append(r)
        if store:
            pending.append(r)
            due = len(pending) >= _FLUSH_MAX or time.monotonic() - last_flush >= flush_every
            if due and not lock.locked():
                await flush()
        await _emit(on_result, r)

    try:
        await verify_pings(pings, targets, settings=settings, on_result=collect, cancel=cancel)
    finally:
        if store:
            await asyncio.shield(flush())
    order = {p.id: i for i, p in enumerate(pings)}
    return sorted(done, key=lambda r: order.get(r.ping_id, 0))


def run_check_pings(
    blog: Blog,
    pings: Sequence[PingLike],
    *,
    settings: VerifySettings | None = None,
    on_result: Callable[[VerifyResult], None] | None = None,
    cancel: ShouldStop | None = None,
    store: bool = True,
) -> list[VerifyResult]:
    """check_pings() for synchronous callers (CLI, worker threads)."""
    return asyncio.run(
        check_pings(blog, pings, settings=settings, on_result=on_result, cancel=cancel, store=store)
    )


def verify(
    desk: Desk,
    pings: Sequence[Ping],
    settings: VerifySettings,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    store: bool = True,
) -> list[VerifyResult]:
    """Verify these pings' sources (blocking: call it from a worker thread)."""
    total = len(pings)
    done = 0
    if progress is not None:
        progress(0, total)

    def on_result(_: VerifyResult) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return run_check_pings(
        desk.blog, pings, settings=settings, on_result=on_result, cancel=should_stop, store=store
    )
