"""Akismet for both front ends: deliver reports, check pings, key status.

A spam / not-spam report is not sent here when the moderator acts: the Desk's
moderation stages it in pingdesk's outbox, in the same step as the journal
items of its chunk, and writes the plugin's trail in the same WordPress
transaction as the status change (``wp/moderation.py``). ``deliver`` then
sends what waits — claimed with a lease so two senders never send one report
twice, with bounded concurrency, the key verified once per run, and at most one
timeout's wait when Akismet hangs. Reports that Akismet cannot take now stay
queued for the next run (the TUI's background sender, ``pingdesk akismet
retry``, or the next ``spam`` / ``unspam``).

``check`` is the plugin's "Check for Spam" (Akismet::recheck_comment) with
bounded concurrency instead of one request at a time, and it changes no status
unless asked (``move_spam``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx

from pingdesk.config import Config
from pingdesk.net.akismet_client import (
    DEFAULT_TIMEOUT,
    AkismetClient,
    AkismetFailure,
    Alert,
    UsageLimit,
    Verdict,
)
from pingdesk.progress import ShouldStop
from pingdesk.services.reporting import KeySource, resolve_key
from pingdesk.store.journal import Journal, this_owner
from pingdesk.store.outbox import Outbox, QueuedReport
from pingdesk.wp.akismet_meta import (
    CheckRecord,
    CommentRow,
    read_rows,
    record_checks,
)
from pingdesk.wp.akismet_payload import (
    SiteInfo,
    Skip,
    build_payload,
    fallback_permalink,
    site_info,
)
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import ModerationResult, moderate
from pingdesk.wp.permalinks import permalinks

T = TypeVar("T")
# Failures after which sending more requests now is pointless (or rude: 429).
STOP_KINDS = frozenset({"missing-key", "invalid-key", "unreachable", "timeout", "rate-limited"})
FLUSH_EVERY = 50  # check answers per trail transaction
FLUSH_SECONDS = 1.0  # ... or at least this often, so the trail keeps up with a slow run


@dataclass
class AkismetSettings:
    """What the service needs of the config's ``[akismet]`` section."""

    key: str | None = None
    endpoint: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    concurrency: int = 16

    @classmethod
    def from_config(cls, config: Config) -> AkismetSettings:
        """``[akismet]``, with PINGDESK_AKISMET_ENDPOINT over its endpoint."""
        section = config.akismet
        return cls(
            key=section.key or None,
            endpoint=config.akismet_endpoint,
            timeout=float(section.timeout),
            concurrency=max(1, int(section.concurrency)),
        )


# --- results ------------------------------------------------------------------------------


@dataclass
class CheckOutcome:
    ping_id: int
    state: Literal["checked", "skipped", "error"]
    verdict: Verdict | None = None
    message: str = ""
    moved: bool = False
    status: str | None = None  # the ping's status when it was read
    guid: str | None = None

    @property
    def is_spam(self) -> bool:
        return self.verdict in ("spam", "discard")

    def label(self) -> str:
        if self.state == "checked" and self.verdict is not None:
            return {"spam": "spam", "ham": "ham", "discard": "spam (discard)"}[self.verdict]
        return self.state

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ping_id,
            "state": self.state,
            "verdict": self.verdict,
            "message": self.message,
            "moved": self.moved,
        }


@dataclass
class CheckSummary:
    results: list[CheckOutcome] = field(default_factory=list)
    requested: int = 0
    not_checked: int = 0  # cancelled or stopped before their turn
    cancelled: bool = False
    stopped: str | None = None  # why the run stopped early (Akismet down, 429, bad key)
    moved: list[int] = field(default_factory=list)
    move_problem: str | None = None
    alert: Alert | None = None

    def count(self, what: str) -> int:
        if what in ("spam", "ham", "discard"):
            return sum(1 for r in self.results if r.verdict == what)
        return sum(1 for r in self.results if r.state == what)

    def line(self) -> str:
        """'Akismet: 3 spam, 12 ham' (with errors and why it stopped, if so)."""
        text = f"Akismet: {self.count('spam') + self.count('discard'):,} spam, "
        text += f"{self.count('ham'):,} ham"
        if self.count("error"):
            text += f", {self.count('error'):,} errors"
        if self.stopped:
            text += f" (stopped: {self.stopped})"
        elif self.cancelled or self.not_checked:
            text += f" ({self.not_checked:,} not checked)"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "spam": self.count("spam"),
            "discard": self.count("discard"),
            "ham": self.count("ham"),
            "skipped": self.count("skipped"),
            "errors": self.count("error"),
            "not_checked": self.not_checked,
            "cancelled": self.cancelled,
            "stopped": self.stopped,
            "moved": self.moved,
            "move_problem": self.move_problem,
            "alert": None if self.alert is None else vars(self.alert),
            "results": [r.to_json() for r in self.results],
        }


@dataclass
class AkismetStatus:
    key_source: KeySource
    endpoint: str
    key_valid: bool | None = None  # None: not known (no key, or Akismet unreachable)
    problem: str | None = None
    usage: UsageLimit | None = None
    usage_problem: str | None = None
    alert: Alert | None = None
    queued: int = 0  # waiting reports for this blog
    queued_total: int = 0  # all blogs
    last_error: str | None = None  # why the oldest waiting report is waiting
    # The kind of failure behind ``problem`` (net.akismet_client.FailureKind), if any.
    failure: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key_source": self.key_source,
            "endpoint": self.endpoint,
            "key_valid": self.key_valid,
            "problem": self.problem,
            "usage": None if self.usage is None else self.usage.raw,
            "usage_problem": self.usage_problem,
            "alert": None if self.alert is None else vars(self.alert),
            "queued": self.queued,
            "queued_total": self.queued_total,
            "last_error": self.last_error,
        }


@dataclass
class RetrySummary:
    """One delivery run: sent now, failed now, still waiting, waiting but not due yet."""

    sent: int = 0
    failed: int = 0
    remaining: int = 0
    not_due: int = 0
    message: str | None = None  # why the run stopped early (Akismet down, 429, no key)
    elsewhere: int = 0  # of ``remaining``, being sent right now by another pingdesk
    # The kind of failure behind ``message`` (net.akismet_client.FailureKind), if any.
    failure: str | None = None

    def line(self) -> str:
        text = f"Akismet: {self.sent:,} reported"
        if self.remaining:
            text += f", {self.remaining:,} waiting"
        if self.message:
            text += f" ({self.message})"
        return text

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


OnResult = Callable[[CheckOutcome, int, int], None]


def _cancelled(cancel: ShouldStop | None) -> bool:
    return cancel is not None and bool(cancel())


# --- the service -------------------------------------------------------------------------


class AkismetService:
    """Akismet for one blog. Use as ``async with AkismetService(...) as s:`` (closes our client)."""

    def __init__(
        self,
        blog: Blog,
        settings: AkismetSettings | None = None,
        *,
        moderator: str | None = None,
        outbox: Outbox | str | Path | None = None,
        journal: Journal | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.blog = blog
        self.settings = settings or AkismetSettings()
        self.moderator = moderator or None
        self.journal = journal
        self.key, self.key_source = resolve_key(self.settings.key, blog)
        self.site: SiteInfo = site_info(blog)
        self.client = AkismetClient(
            self.key,
            self.site.home,
            endpoint=self.settings.endpoint,
            timeout=self.settings.timeout,
            max_connections=max(1, self.settings.concurrency),
            transport=transport,
        )
        self._outbox_arg = outbox
        self._outbox: Outbox | None = outbox if isinstance(outbox, Outbox) else None
        # One writer at a time: SQLite would otherwise see concurrent transactions.
        self._db_lock = asyncio.Lock()

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            arg = self._outbox_arg
            if arg is None or isinstance(arg, Outbox):
                if self.journal is None:
                    raise ValueError("AkismetService needs an outbox or a journal")
                arg = self.journal.path
            self._outbox = Outbox(arg)
        return self._outbox

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> AkismetService:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async with self._db_lock:
            return await asyncio.to_thread(fn, *args, **kwargs)

    def _permalinks(self, post_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted(set(post_ids))
        found = permalinks(self.blog, ids)
        # A post get_permalink() cannot place still has WordPress's plain form.
        return {i: found.get(i) or fallback_permalink(self.site, i) for i in ids}

    def _rows_and_links(self, ids: Sequence[int]) -> tuple[dict[int, CommentRow], dict[int, str]]:
        rows = read_rows(self.blog, ids)
        return rows, self._permalinks(r.post_id for r in rows.values())

    # --- delivering the outbox ------------------------------------------------------------

    async def deliver(
        self,
        *,
        force: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        cancel: ShouldStop | None = None,
    ) -> RetrySummary:
        """Send this blog's waiting reports, oldest first per ping, until none is left
        or Akismet cannot take more now."""
        outbox = self.outbox
        blog_key = self.blog.key
        summary = RetrySummary()
        due = outbox.count(blog_key, due_only=not force)
        if not due:
            summary.remaining = summary.not_due = outbox.count(blog_key)
            return summary
        if not self.key:
            summary.remaining = outbox.count(blog_key)
            summary.message = "no Akismet API key: reports keep waiting"
            summary.failure = "missing-key"
            return summary
        try:
            await self.client.verify()
        except AkismetFailure as f:
            if f.retry_after is not None:
                outbox.postpone(blog_key, time.time() + f.retry_after)
            summary.remaining = outbox.count(blog_key)
            summary.message = f.message
            summary.failure = f.kind
            return summary
        owner = f"{this_owner()}:{id(self)}"
        # Long enough for every request in a batch to time out, so a claim outlives
        # its sender only when the sender died.
        lease = self.settings.timeout * 4 + 30
        concurrency = max(1, self.settings.concurrency)
        stop: AkismetFailure | None = None
        last: AkismetFailure | None = None

        def halted() -> bool:
            return stop is not None or _cancelled(cancel)

        # A pool of ``concurrency`` senders fed from claims made as the pool drains, so
        # a slow answer never holds up a whole batch. A report that fails keeps its
        # claim until the run ends: this run does not try it twice.
        work: asyncio.Queue[QueuedReport | None] = asyncio.Queue()
        busy = 0

        async def sender() -> None:
            nonlocal stop, last, busy
            while (r := await work.get()) is not None:
                if halted():
                    continue  # left claimed; released below
                busy += 1
                try:
                    await self.client.submit(r.verdict, r.user_ip, r.fields)  # type: ignore[arg-type]
                except AkismetFailure as f:
                    last = f
                    if f.kind in STOP_KINDS:
                        stop = stop or f
                    not_before = None if f.retry_after is None else time.time() + f.retry_after
                    outbox.failed(r.id, f.message, not_before=not_before, keep_claim=True)
                    summary.failed += 1
                else:
                    outbox.done(r.id)
                    summary.sent += 1
                finally:
                    busy -= 1
                if on_progress is not None:
                    on_progress(summary.sent + summary.failed, due)

        async def feeder() -> None:
            while not halted():
                if work.qsize() >= concurrency:
                    await asyncio.sleep(0.002)
                    continue
                batch = outbox.claim(
                    blog_key, owner, limit=concurrency * 2, lease_s=lease, force=force
                )
                if batch:
                    for r in batch:
                        work.put_nowait(r)
                elif busy == 0 and work.empty():
                    break  # nothing claimable and nothing in flight that could unlock more
                else:
                    await asyncio.sleep(0.005)  # a ping's next report waits for its first
            for _ in range(concurrency):
                work.put_nowait(None)

        try:
            await asyncio.gather(feeder(), *(sender() for _ in range(concurrency)))
        finally:
            outbox.release_mine(owner)
        if stop is not None and stop.retry_after is not None:
            outbox.postpone(blog_key, time.time() + stop.retry_after)
        why = stop or last
        summary.message = None if why is None else why.message
        summary.failure = None if why is None else why.kind
        summary.remaining, summary.elsewhere = outbox.left(blog_key, owner)
        return summary

    # --- check ----------------------------------------------------------------------------

    async def check(
        self,
        ping_ids: Iterable[int],
        *,
        move_spam: bool = False,
        on_result: OnResult | None = None,
        cancel: ShouldStop | None = None,
        moderator: str | None = None,
    ) -> CheckSummary:
        """comment-check each ping (recheck_reason 'recheck_queue'), record the answers.

        Raises AkismetFailure when Akismet cannot be used at all (no key, bad key,
        unreachable at verification). A failure later stops the run (or, for a
        5xx / an error answer, marks just that ping); the summary says so.
        """
        user = moderator or self.moderator
        ids = list(dict.fromkeys(int(i) for i in ping_ids))
        summary = CheckSummary(requested=len(ids))
        await self.client.verify()
        total = len(ids)
        work: asyncio.Queue[tuple[CommentRow | None, int, str | None] | None] = asyncio.Queue(
            maxsize=max(2, self.settings.concurrency * 2)
        )
        stop: list[AkismetFailure] = []
        done = 0

        async def produce() -> None:
            try:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    if stop or _cancelled(cancel):
                        break
                    rows, links = await asyncio.to_thread(self._rows_and_links, chunk)
                    for i in chunk:
                        if stop or _cancelled(cancel):
                            break
                        row = rows.get(i)
                        await work.put((row, i, None if row is None else links.get(row.post_id)))
            finally:
                for _ in range(workers):
                    await work.put(None)

        # The trail is written in batches: one transaction (one fsync) per many answers
        # instead of one per ping, so the database does not pace the requests.
        records: list[CheckRecord] = []
        last_flush = time.monotonic()

        async def flush() -> None:
            nonlocal last_flush
            batch = records[:]
            records.clear()
            last_flush = time.monotonic()
            if batch:
                await self._db(record_checks, self.blog, batch, user)

        async def consume() -> None:
            nonlocal done
            while (item := await work.get()) is not None:
                row, i, link = item
                if stop or _cancelled(cancel):
                    continue  # drain: counted as not checked
                result, record = await self._check_one(row, i, link, stop)
                if record is not None:
                    records.append(record)
                summary.results.append(result)
                done += 1
                if on_result is not None:
                    on_result(result, done, total)
                if len(records) >= FLUSH_EVERY or time.monotonic() - last_flush > FLUSH_SECONDS:
                    await flush()

        workers = max(1, min(self.settings.concurrency, total or 1))
        try:
            await asyncio.gather(produce(), *(consume() for _ in range(workers)))
        finally:
            await flush()
        summary.not_checked = total - len(summary.results)
        summary.cancelled = _cancelled(cancel) and summary.not_checked > 0
        if stop:
            summary.stopped = stop[0].message
        summary.alert = self.client.alert
        position = {i: n for n, i in enumerate(ids)}
        summary.results.sort(key=lambda r: position[r.ping_id])

        if move_spam:
            await self._move(summary)
        return summary

    async def _check_one(
        self,
        row: CommentRow | None,
        ping_id: int,
        permalink: str | None,
        stop: list[AkismetFailure],
    ) -> tuple[CheckOutcome, CheckRecord | None]:
        """One comment-check; the record to write, if any (the caller batches writes)."""
        if row is None:
            return CheckOutcome(ping_id, "skipped", message="no such ping"), None
        built = build_payload(row, self.site, permalink, purpose="check")
        if isinstance(built, Skip):
            return CheckOutcome(ping_id, "skipped", message=built.reason, status=row.status), None
        try:
            verdict, info = await self.client.comment_check(built.user_ip, built.fields)
        except AkismetFailure as f:
            if f.kind in STOP_KINDS and not stop:
                stop.append(f)
            # recheck_comment(): an answer other than true/false is recorded as 'error'.
            return (
                CheckOutcome(ping_id, "error", message=f.message, status=row.status),
                CheckRecord(ping_id, "error", response=f.response),
            )
        answer = "false" if verdict == "ham" else "true"
        return (
            CheckOutcome(ping_id, "checked", verdict, status=row.status, guid=info.guid),
            CheckRecord(ping_id, answer),
        )

    async def _move(self, summary: CheckSummary) -> None:
        # Like the plugin's "Check for Spam", only pending pings are moved.
        ids = [r.ping_id for r in summary.results if r.is_spam and r.status == "0"]
        if not ids:
            return
        try:
            outcome = await self._db(self._default_move, ids)
        except Exception as exc:  # the verdicts stand even if the move fails
            summary.move_problem = f"could not move spam: {exc}"
            return
        moved = {int(i) for i in outcome.changed}
        summary.moved = [i for i in ids if i in moved]
        for r in summary.results:
            r.moved = r.ping_id in moved

    def _default_move(self, ids: list[int]) -> ModerationResult:
        return moderate(self.blog, "spam", {i: "0" for i in ids}, journal=self.journal)

    # --- status and retry -------------------------------------------------------------

    async def status(self) -> AkismetStatus:
        st = AkismetStatus(key_source=self.key_source, endpoint=self.client.endpoint_host)
        waiting = self.outbox.waiting(self.blog.key)
        st.queued = len(waiting)
        st.queued_total = self.outbox.count()
        st.last_error = waiting[0].last_error if waiting else None
        if not self.key:
            st.problem = (
                "no Akismet API key (pingdesk config akismet.key, WPCOM_API_KEY in "
                "wp-config.php, or the wordpress_api_key option)"
            )
            st.failure = "missing-key"
            return st
        try:
            await self.client.verify(force=True)
        except AkismetFailure as f:
            st.key_valid = False if f.kind == "invalid-key" else None
            st.problem = f.message
            st.failure = f.kind
            st.alert = self.client.alert
            return st
        st.key_valid = True
        try:
            st.usage = await self.client.usage_limit()
        except AkismetFailure as f:
            st.usage_problem = f.message
        st.alert = self.client.alert
        return st

    async def retry(self, *, force: bool = False) -> RetrySummary:
        """``pingdesk akismet retry``: deliver now, ``force`` also what is not due yet."""
        return await self.deliver(force=force)


# --- one-call helpers for the front ends ------------------------------------------------


async def check(
    blog: Blog,
    ping_ids: Iterable[int],
    *,
    settings: AkismetSettings | None = None,
    moderator: str | None = None,
    move_spam: bool = False,
    on_result: OnResult | None = None,
    cancel: ShouldStop | None = None,
    journal: Journal | None = None,
) -> CheckSummary:
    async with AkismetService(blog, settings, moderator=moderator, journal=journal) as svc:
        return await svc.check(ping_ids, move_spam=move_spam, on_result=on_result, cancel=cancel)


async def status(
    blog: Blog, *, settings: AkismetSettings | None = None, journal: Journal | None = None
) -> AkismetStatus:
    async with AkismetService(blog, settings, journal=journal) as svc:
        return await svc.status()


async def deliver(
    blog: Blog,
    journal: Journal,
    *,
    settings: AkismetSettings | None = None,
    force: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: ShouldStop | None = None,
) -> RetrySummary:
    async with AkismetService(blog, settings, journal=journal) as svc:
        return await svc.deliver(force=force, on_progress=on_progress, cancel=cancel)


def run_sync(coro: Awaitable[T]) -> T:
    """For synchronous callers (the CLI): run one of the coroutines above."""

    async def main() -> T:
        return await coro

    return asyncio.run(main())


# --- delivering in the background (the terminal UI) -----------------------------------------


@dataclass(frozen=True)
class SenderState:
    """What the background sender has to say, for a status line."""

    sent: int  # reported in the current burst
    total: int  # sent + still waiting, for "3,200 of 10,000"
    waiting: int
    problem: str | None = None  # why reports wait (Akismet unreachable, 429, no key)
    retry_in: float | None = None  # seconds until the next attempt, when waiting on a problem
    session: int = 0  # reported since the sender started

    def line(self) -> str | None:
        if self.problem and self.waiting:
            when = f"; retrying in {self.retry_in:.0f} s" if self.retry_in else ""
            return f"Akismet: {self.waiting:,} report(s) waiting ({self.problem}{when})"
        if self.waiting:
            return f"Akismet: {self.sent:,} of {self.total:,} reported"
        if self.session:
            return f"Akismet: {self.session:,} reported"
        return None


class ReportSender:
    """Delivers a blog's outbox from a thread of its own, never blocking moderation.

    It looks at the outbox every ``poll_s`` (a COUNT on an index), so whatever
    queues reports — this process or another — needs not tell it; reports left
    from an earlier session go out at start. When Akismet cannot take them it
    waits 15 s, then twice as long each time, up to 5 minutes (or what
    Retry-After says). ``on_update`` is called from the thread, at most 10 times
    a second.
    """

    BACKOFF_FIRST, BACKOFF_MAX = 15.0, 300.0

    def __init__(
        self,
        blog: Blog,
        journal: Journal,
        settings: AkismetSettings,
        on_update: Callable[[SenderState], None],
        *,
        poll_s: float = 0.5,
    ) -> None:
        import threading

        self.blog, self.journal, self.settings = blog, journal, settings
        self.on_update = on_update
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by stop(): a sleep ends at once
        self._thread = threading.Thread(target=self._run, name="akismet-sender", daemon=True)
        self._last_update = 0.0
        self.state = SenderState(0, 0, 0)

    def start(self) -> ReportSender:
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _emit(self, state: SenderState, *, force: bool = False) -> None:
        self.state = state
        now = time.monotonic()
        if force or now - self._last_update >= 0.1:
            self._last_update = now
            self.on_update(state)

    def _run(self) -> None:
        outbox = Outbox(self.journal.path)
        backoff: float | None = None
        sent = 0  # in the current burst: "3,200 of 10,000"
        session = 0
        try:
            while not self._stop.is_set():
                waiting = outbox.count(self.blog.key, due_only=True)
                if not waiting:
                    if sent:
                        self._emit(SenderState(sent, sent, 0, session=session), force=True)
                        sent = 0
                    self._sleep(self.poll_s)
                    continue
                base, before = sent, session

                def progress(done: int, due: int, base: int = base, before: int = before) -> None:
                    self._emit(
                        SenderState(base + done, base + due, due - done, session=before + done)
                    )

                try:
                    summary = asyncio.run(
                        deliver(
                            self.blog,
                            self.journal,
                            settings=self.settings,
                            on_progress=progress,
                            cancel=self._stop.is_set,
                        )
                    )
                except Exception as exc:  # a sender must not die: say why and wait
                    summary = RetrySummary(remaining=waiting, message=str(exc))
                sent += summary.sent
                session += summary.sent
                left = summary.remaining
                if summary.message and left:
                    backoff = min(self.BACKOFF_MAX, (backoff or self.BACKOFF_FIRST / 2) * 2)
                    pause = max(backoff, self._not_due_for(outbox))
                    state = SenderState(
                        sent, sent + left, left, summary.message, pause, session=session
                    )
                    self._emit(state, force=True)
                    self._sleep(pause)
                else:
                    backoff = None
                    self._emit(SenderState(sent, sent + left, left, session=session), force=True)
        finally:
            outbox.close()

    def _not_due_for(self, outbox: Outbox) -> float:
        """Seconds until the earliest postponed report is due (Retry-After)."""
        soonest = [r.not_before for r in outbox.waiting(self.blog.key)[:1] if r.not_before]
        return max(0.0, soonest[0] - time.time()) if soonest else 0.0

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()
