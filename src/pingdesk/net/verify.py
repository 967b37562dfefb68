"""Re-verify ping sources: fetch each source once, check it links to the post, report.

Politeness and speed: at most ``concurrency`` fetches at a time (16), at most
``per_host`` (2) to any one host, and a URL cited by many pings is fetched
once per run. WordPress checks one pingback at a time, once, at arrival; this
checks any number on demand.
"""

from __future__ import annotations

import asyncio
import inspect
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from pingdesk.net.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT,
    Fetcher,
    FetchResult,
    FetchSettings,
    user_agent,
)
from pingdesk.net.linkcheck import LinkCheck, ParsedPage, TargetSet, clean_text
from pingdesk.net.safety import Allowlist, Resolver, system_resolver
from pingdesk.wp.checks import RESULTS, CheckResult, store_results, utc_now_iso

__all__ = [
    "RESULTS",
    "CheckResult",
    "VerifyService",
    "VerifySettings",
    "check_pings",
    "verify_pings",
    "verify_pings_sync",
]

# Below this size parsing takes well under a millisecond: cheaper than a thread hop.
_INLINE_PARSE_MAX = 64 * 1024

OnResult = Callable[[CheckResult], Any]  # may return an awaitable
Cancel = asyncio.Event | Callable[[], bool]


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
        verify_config: Any = None,
        *,
        home: str | None = None,
        environ: Mapping[str, str] | None = None,
        extra_allow: Iterable[str] = (),
    ) -> VerifySettings:
        """From ``pingdesk.config.VerifyConfig`` (or None) plus PINGDESK_VERIFY_ALLOW.

        ``extra_allow`` is for callers that start their own sources (the demo).
        """
        vc = verify_config
        allow = Allowlist.from_config(getattr(vc, "allow", None) or [], environ)
        allow = allow.extended(extra_allow)
        return cls(
            allow=allow,
            concurrency=max(1, int(getattr(vc, "concurrency", 16) or 16)),
            per_host=max(1, int(getattr(vc, "per_host", 2) or 2)),
            timeout=float(getattr(vc, "timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT),
            max_bytes=int(getattr(vc, "max_bytes", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES),
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


def _host_key(url: str) -> str:
    try:
        return httpx.URL(url).host.lower() or url
    except (httpx.InvalidURL, ValueError, TypeError):
        return url


def _results_for_page(
    fetched: FetchResult, group: Sequence[PingLike], targets: Mapping[int, set[str]]
) -> list[CheckResult]:
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
        return [CheckResult(ping_id=p.id, result=kind, reason=reason, **base) for p in group]
    if not fetched.is_html:
        return [
            CheckResult(ping_id=p.id, result="not-html", reason="not an HTML page", **base)
            for p in group
        ]
    note = f"page cut at {len(fetched.body):,} bytes" if fetched.truncated else ""
    try:
        page = ParsedPage.from_bytes(fetched.body, fetched.final_url, fetched.charset)
    except Exception as exc:  # the parser is C code fed hostile bytes; never crash a run
        return [
            CheckResult(
                ping_id=p.id,
                result="not-html",
                reason=f"unparseable ({type(exc).__name__})",
                **base,
            )
            for p in group
        ]
    out: list[CheckResult] = []
    sets: dict[int, TargetSet] = {}
    for p in group:
        urls = targets.get(p.post_id)
        if not urls:
            out.append(
                CheckResult(ping_id=p.id, result="no-link", reason="its post was not found",
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
            CheckResult(
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
    cancel: Cancel | None = None,
    fetcher: Fetcher | None = None,
) -> list[CheckResult]:
    """Check every ping's source; returns the results in the order of ``pings``.

    ``targets`` maps post id -> URLs of that post (see
    ``pingdesk.wp.permalinks.target_urls_for``). ``on_result`` is called (and
    awaited if it returns an awaitable) as each ping's result arrives.
    ``cancel`` (an Event, or a callable polled every 0.1 s) stops the run: fetches
    in flight are abandoned and only finished results are returned.
    """
    settings = settings or VerifySettings()
    items = list(pings)
    results: dict[int, CheckResult] = {}
    groups: dict[str, list[PingLike]] = {}
    for p in items:
        url = (p.source_url or "").strip()
        if not url:
            r = CheckResult(ping_id=p.id, result="refused", reason="no source URL")
            results[p.id] = r
            await _emit(on_result, r)
            continue
        groups.setdefault(_fetch_key(url), []).append(p)

    global_limit = asyncio.Semaphore(settings.concurrency)
    host_limits: dict[str, asyncio.Semaphore] = {}
    own_fetcher = fetcher is None
    client = fetcher or Fetcher(settings.fetch_settings())

    async def one(url: str, group: list[PingLike]) -> None:
        host = _host_key(url)
        per_host = host_limits.setdefault(host, asyncio.Semaphore(settings.per_host))
        # Host slot first: waiting for a busy host must not hold a global slot.
        async with per_host, global_limit:
            fetched = await client.fetch(url)
        if fetched.is_html and len(fetched.body) > _INLINE_PARSE_MAX:
            # Big pages are parsed off the event loop so a UI stays responsive.
            done = await asyncio.to_thread(_results_for_page, fetched, group, targets)
        else:
            done = _results_for_page(fetched, group, targets)
        for r in done:
            results[r.ping_id] = r
            await _emit(on_result, r)

    tasks = [asyncio.create_task(one(url, group)) for url, group in groups.items()]
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


async def _watch_cancel(cancel: Cancel, tasks: list[asyncio.Task[None]]) -> None:
    if isinstance(cancel, asyncio.Event):
        await cancel.wait()
    else:
        while not cancel():
            await asyncio.sleep(0.1)
    for t in tasks:
        t.cancel()


async def _emit(on_result: OnResult | None, result: CheckResult) -> None:
    if on_result is None:
        return
    out = on_result(result)
    if inspect.isawaitable(out):
        await out


def verify_pings_sync(
    pings: Iterable[PingLike],
    targets: Mapping[int, set[str]],
    *,
    settings: VerifySettings | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[CheckResult]:
    """For synchronous callers (the CLI): runs its own event loop."""
    return asyncio.run(
        verify_pings(pings, targets, settings=settings, on_result=on_result, cancel=cancel)
    )


async def check_pings(
    blog: Any,
    pings: Sequence[PingLike],
    *,
    settings: VerifySettings | None = None,
    on_result: OnResult | None = None,
    cancel: Cancel | None = None,
    store: bool = True,
    flush_every: float = 0.5,
) -> list[CheckResult]:
    """Targets from the database, verification, results stored in commentmeta.

    Results are stored as they arrive (in small batches, at most every
    ``flush_every`` seconds), so another view of the blog sees them fill in, and
    a cancelled run keeps what it finished. Database work runs in worker threads
    so a UI's event loop stays free.
    """
    from pingdesk.wp.permalinks import target_urls_for

    if settings is None:
        home = await asyncio.to_thread(blog.option, "home")
        settings = VerifySettings.from_config(None, home=home)
    post_ids = {p.post_id for p in pings}
    targets = await asyncio.to_thread(target_urls_for, blog, post_ids)
    done: list[CheckResult] = []
    pending: list[CheckResult] = []
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

    async def collect(r: CheckResult) -> None:
        done.append(r)
        if store:
            pending.append(r)
            if time.monotonic() - last_flush >= flush_every and not lock.locked():
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
    blog: Any,
    pings: Sequence[PingLike],
    *,
    settings: VerifySettings | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    store: bool = True,
) -> list[CheckResult]:
    """check_pings() for synchronous callers (CLI, ops)."""
    return asyncio.run(
        check_pings(blog, pings, settings=settings, on_result=on_result, cancel=cancel, store=store)
    )


def summarize(results: Sequence[CheckResult]) -> str:
    """'12 checked: 5 linked, 3 gone, 4 no-link'."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.result] = counts.get(r.result, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in RESULTS if counts.get(k))
    return f"{len(results)} checked" + (f": {parts}" if parts else "")


def detail_lines(result: CheckResult | None) -> list[str]:
    """Plain-text lines for a detail pane (render as text, never as markup)."""
    from pingdesk.wp.checks import age_text

    if result is None:
        return ["Source check: never (v in the UI, or pingdesk verify ID)"]
    status = f" (HTTP {result.http_status})" if result.http_status else ""
    age = age_text(result.age())
    when = age if age in ("just now", "?") else f"{age} ago"
    lines = [f"Source check: {result.result}{status}, {when}"]
    if result.reason:
        lines.append(f"Reason: {result.reason}")
    if result.final_url and result.final_url != result.source_url:
        lines.append(f"Final URL: {result.final_url}")
    if result.title:
        lines.append(f"Page title: {result.title}")
    if result.excerpt:
        lines.append(f"Excerpt: {result.excerpt}")
    if result.checked_at:
        lines.append(f"Checked at: {result.checked_at}")
    return lines


class VerifyService:
    """The TUI's `v` / `V` service (see pingdesk.tui.services.CheckService).

    All methods are synchronous and meant for worker threads: ``run`` starts its
    own event loop there. ``settings`` defaults to the config's [verify] section
    plus PINGDESK_VERIFY_ALLOW, with the blog's home in the User-Agent.
    """

    key = "check"
    header = "SOURCE"
    width = 11

    def __init__(self, settings: VerifySettings | None = None, config: Any = None) -> None:
        self.settings = settings
        self.config = config

    def _settings_for(self, desk: Any) -> VerifySettings:
        if self.settings is not None:
            if self.settings.home is None:
                self.settings.home = desk.blog.option("home")
            return self.settings
        verify_config = getattr(self.config, "verify", None)
        if self.config is None:
            try:
                from pingdesk.config import load_config

                verify_config = load_config().verify
            except Exception:  # a broken config file must not break the key
                verify_config = None
        return VerifySettings.from_config(verify_config, home=desk.blog.option("home"))

    def values(self, desk: Any, pings: Sequence[Any]) -> dict[int, str]:
        from pingdesk.wp.checks import load_results

        return {i: r.result for i, r in load_results(desk.blog, [p.id for p in pings]).items()}

    def results(self, desk: Any, ids: Iterable[int]) -> dict[int, CheckResult]:
        from pingdesk.wp.checks import load_results

        return load_results(desk.blog, ids)

    def details(self, desk: Any, ping: Any) -> list[str]:
        from pingdesk.wp.checks import load_results

        return detail_lines(load_results(desk.blog, [ping.id]).get(ping.id))

    def run(
        self,
        desk: Any,
        ids: Sequence[int],
        *,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> str:
        pings = desk.pings(ids)
        total = len(pings)
        done = 0
        if progress is not None:
            progress(0, total)

        def on_result(_: CheckResult) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        results = run_check_pings(
            desk.blog,
            pings,
            settings=self._settings_for(desk),
            on_result=on_result,
            cancel=should_stop,
        )
        text = summarize(results)
        if len(results) < total:
            text += f" (stopped; {total - len(results)} not checked)"
        return text
