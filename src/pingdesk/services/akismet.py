"""Akismet for both front ends: report spam / ham, check pings, key status, retry.

The status change itself is the Desk's (pingdesk.wp.moderation.moderate);
``report`` runs after it, leaves the plugin's trail in commentmeta and sends the
report. When Akismet cannot take it (unreachable, slow, 429, 5xx, an error
answer, a bad key), the status change stands and the exact request waits in
the journal's ``akismet_queue`` table for ``retry`` (on the next start or
``pingdesk akismet retry``).

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
from pingdesk.services.akismet_payload import (
    Payload,
    SiteInfo,
    Skip,
    build_payload,
    fallback_permalink,
    site_info,
)
from pingdesk.services.desk import Desk
from pingdesk.store.akismet_queue import ReportQueue
from pingdesk.store.journal import Journal
from pingdesk.wp.akismet_meta import (
    TRANSITION_NAMES,
    CheckRecord,
    CommentRow,
    plugin_active,
    read_rows,
    record_checks,
    record_report,
    record_status_change,
)
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import ModerationResult, moderate
from pingdesk.wp.permalinks import permalinks

T = TypeVar("T")
KeySource = Literal["config", "wp-config", "option", "none"]
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


def resolve_key(configured: str | None, blog: Blog) -> tuple[str | None, KeySource]:
    """The key as the plugin finds it, with pingdesk's config first:
    config akismet.key, else WPCOM_API_KEY in wp-config.php, else option wordpress_api_key."""
    if configured and configured.strip():
        return configured.strip(), "config"
    if blog.akismet_key and blog.akismet_key.strip():
        return blog.akismet_key.strip(), "wp-config"
    option = blog.option("wordpress_api_key")
    if option and option.strip():
        return option.strip(), "option"
    return None, "none"


# --- results ------------------------------------------------------------------------------


@dataclass
class ReportOutcome:
    ping_id: int
    verdict: str
    # sent: Akismet took it; queued: waits for retry; recorded: no key, history only
    # (as the plugin does); skipped: nothing written, see message.
    state: Literal["sent", "queued", "recorded", "skipped"]
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ping_id,
            "verdict": self.verdict,
            "state": self.state,
            "message": self.message,
        }


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
    sent: int = 0
    failed: int = 0
    remaining: int = 0
    not_due: int = 0
    message: str | None = None

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
        queue: ReportQueue | str | Path | None = None,
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
        self._queue_arg = queue
        self._queue: ReportQueue | None = queue if isinstance(queue, ReportQueue) else None
        # One writer at a time: SQLite would otherwise see concurrent transactions.
        self._db_lock = asyncio.Lock()

    @property
    def queue(self) -> ReportQueue:
        if self._queue is None:
            arg = self._queue_arg
            self._queue = ReportQueue(None if isinstance(arg, ReportQueue) else arg)
        return self._queue

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

    # --- report ------------------------------------------------------------------------

    async def report(
        self, ping_ids: Iterable[int], verdict: str, moderator: str | None = None
    ) -> list[ReportOutcome]:
        """Report pings whose status the moderator just changed: 'spam' or 'ham'."""
        if verdict not in ("spam", "ham"):
            raise ValueError(f"verdict must be 'spam' or 'ham', not {verdict!r}")
        user = moderator or self.moderator
        ids = list(dict.fromkeys(int(i) for i in ping_ids))
        rows, links = await asyncio.to_thread(self._rows_and_links, ids)
        outcomes: dict[int, ReportOutcome] = {}
        payloads: list[Payload] = []
        for i in ids:
            row = rows.get(i)
            if row is None:
                outcomes[i] = ReportOutcome(i, verdict, "skipped", "no such ping")
                continue
            # The plugin reports spam only for a comment now in spam, ham only for one
            # that left spam for approved / pending.
            wanted = ("spam",) if verdict == "spam" else ("0", "1")
            if row.status not in wanted:
                outcomes[i] = ReportOutcome(
                    i, verdict, "skipped", f"not reported: its status is {row.status!r}"
                )
                continue
            await self._db(
                record_report, self.blog, i, verdict, user, key_configured=bool(self.key)
            )
            if not self.key:
                outcomes[i] = ReportOutcome(
                    i,
                    verdict,
                    "recorded",
                    "no Akismet API key: recorded in the ping's Akismet history only",
                )
                continue
            built = build_payload(row, self.site, links.get(row.post_id), purpose="report")
            if isinstance(built, Skip):
                outcomes[i] = ReportOutcome(i, verdict, "skipped", f"not sent: {built.reason}")
                continue
            payloads.append(built)

        if payloads:
            for outcome in await self._send_reports(payloads, verdict):
                outcomes[outcome.ping_id] = outcome
        return [outcomes[i] for i in ids]

    async def _send_reports(self, payloads: list[Payload], verdict: str) -> list[ReportOutcome]:
        # Reports about one ping must reach Akismet in order: try the backlog first,
        # and queue behind it whatever still has an older report waiting.
        if self.queue.count(self.blog.key):
            await self.retry()
        behind = {q.comment_id for q in self.queue.waiting(self.blog.key)}
        stop: AkismetFailure | None = None
        sem = asyncio.Semaphore(max(1, self.settings.concurrency))

        async def one(p: Payload) -> ReportOutcome:
            nonlocal stop
            if p.comment_id in behind:
                return self._enqueue(p, verdict, "an older report for this ping is still waiting")
            async with sem:
                if stop is not None:
                    return self._enqueue(p, verdict, stop.message, stop.retry_after)
                try:
                    await self.client.submit(verdict, p.user_ip, p.fields)  # type: ignore[arg-type]
                except AkismetFailure as f:
                    if f.kind in STOP_KINDS:
                        stop = f
                    return self._enqueue(p, verdict, f.message, f.retry_after)
            return ReportOutcome(p.comment_id, verdict, "sent", f"reported as {verdict}")

        return list(await asyncio.gather(*(one(p) for p in payloads)))

    def _enqueue(
        self, p: Payload, verdict: str, error: str, retry_after: float | None = None
    ) -> ReportOutcome:
        self.queue.add(
            blog_key=self.blog.key,
            comment_id=p.comment_id,
            verdict=verdict,
            blog_url=p.blog_url,
            user_ip=p.user_ip,
            fields=p.fields,
            error=error,
            not_before=None if retry_after is None else time.time() + retry_after,
        )
        return ReportOutcome(p.comment_id, verdict, "queued", f"report waits for retry: {error}")

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
        waiting = self.queue.waiting(self.blog.key)
        st.queued = len(waiting)
        st.queued_total = self.queue.count()
        st.last_error = waiting[0].last_error if waiting else None
        if not self.key:
            st.problem = (
                "no Akismet API key (pingdesk config akismet.key, WPCOM_API_KEY in "
                "wp-config.php, or the wordpress_api_key option)"
            )
            return st
        try:
            await self.client.verify(force=True)
        except AkismetFailure as f:
            st.key_valid = False if f.kind == "invalid-key" else None
            st.problem = f.message
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
        """Send waiting reports for this blog, oldest first; stop when Akismet is down."""
        summary = RetrySummary()
        items = self.queue.waiting(self.blog.key, due_only=not force)
        summary.not_due = self.queue.count(self.blog.key) - len(items)
        if not items:
            summary.remaining = summary.not_due
            return summary
        if not self.key:
            summary.remaining = self.queue.count(self.blog.key)
            summary.message = "no Akismet API key: reports keep waiting"
            return summary
        for item in items:
            try:
                await self.client.submit(item.verdict, item.user_ip, item.fields)  # type: ignore[arg-type]
            except AkismetFailure as f:
                summary.failed += 1
                not_before = None if f.retry_after is None else time.time() + f.retry_after
                self.queue.failed(item.id, f.message, not_before=not_before)
                if f.kind in STOP_KINDS:
                    if not_before is not None:
                        self.queue.postpone(self.blog.key, not_before)
                    summary.message = f.message
                    break
                continue
            self.queue.done(item.id)
            summary.sent += 1
        summary.remaining = self.queue.count(self.blog.key)
        return summary


# --- reporting after every moderation (ops.Desk.after_moderation) ---------------------------


def outcomes_line(outcomes: Sequence[ReportOutcome]) -> str | None:
    """'3 reported to Akismet; 2 waiting to be reported (pingdesk akismet retry)'."""
    if not outcomes:
        return None
    by_state: dict[str, int] = {}
    for o in outcomes:
        by_state[o.state] = by_state.get(o.state, 0) + 1
    words = {
        "sent": "reported to Akismet",
        "queued": "waiting to be reported (pingdesk akismet retry)",
        "recorded": "recorded without an Akismet key",
        "skipped": "not reported",
    }
    return "; ".join(f"{n:,} {words.get(k, k)}" for k, n in by_state.items())


def classify_transitions(
    transitions: dict[int, tuple[str, str]],
) -> tuple[list[int], list[int], list[tuple[int, str]]]:
    """Akismet::transition_comment_status(): which changes are reports.

    Spam from pending/approved is a spam report; pending/approved from spam is a
    ham report; any other change (not a delete) is a ``status-<new>`` history row.
    """
    spam: list[int] = []
    ham: list[int] = []
    other: list[tuple[int, str]] = []
    for cid, (old, new) in sorted(transitions.items()):
        if old == new:
            continue
        if new == "spam" and old in ("0", "1"):
            spam.append(cid)
        elif old == "spam" and new in ("0", "1"):
            ham.append(cid)
        elif new in TRANSITION_NAMES:
            other.append((cid, TRANSITION_NAMES[new]))
    return spam, ham, other


class AkismetReporting:
    """The hook ops.Desk runs after each moderation: report spam / ham, like wp-admin.

    In a thread without an event loop (the CLI, a TUI worker thread) it reports
    before returning and keeps the outcomes in ``last``; inside a running loop it
    schedules the reports as a task and hands the outcomes to ``notify``.
    """

    def __init__(
        self,
        settings: AkismetSettings,
        *,
        moderator: str | None = None,
        queue: ReportQueue | str | Path | None = None,
        notify: Callable[[list[ReportOutcome]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.moderator = moderator
        self.queue = queue
        self.notify = notify
        self.last: list[ReportOutcome] = []
        self._tasks: set[asyncio.Task[list[ReportOutcome]]] = set()

    def __call__(self, desk: Desk, result: ModerationResult) -> str | None:
        blog = desk.blog
        user = desk.moderator or self.moderator
        spam, ham, other = classify_transitions(dict(result.transitions))
        # With the plugin active, wp-admin would log these moderator changes too.
        if other and plugin_active(blog):
            for cid, name in other:
                record_status_change(blog, cid, name, user)
        self.last = []
        if not spam and not ham:
            return None
        coro = self._report(blog, spam, ham, user, desk.journal)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.last = asyncio.run(coro)
            if self.notify is not None:
                self.notify(self.last)
            return outcomes_line(self.last)
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return None

    def _done(self, task: asyncio.Task[list[ReportOutcome]]) -> None:
        self._tasks.discard(task)
        if task.cancelled() or task.exception() is not None:
            return
        self.last = task.result()
        if self.notify is not None:
            self.notify(self.last)

    async def _report(
        self, blog: Blog, spam: list[int], ham: list[int], user: str | None, journal: Journal
    ) -> list[ReportOutcome]:
        async with AkismetService(
            blog, self.settings, moderator=user, queue=self.queue, journal=journal
        ) as svc:
            out: list[ReportOutcome] = []
            if spam:
                out += await svc.report(spam, "spam")
            if ham:
                out += await svc.report(ham, "ham")
            return out


def install_reporting(
    desk: Desk,
    config: Config,
    *,
    notify: Callable[[list[ReportOutcome]], None] | None = None,
    queue: ReportQueue | str | Path | None = None,
) -> AkismetReporting:
    """Hook Akismet reporting into ``desk.after_moderation``; returns the hook."""
    hook = AkismetReporting(
        AkismetSettings.from_config(config),
        moderator=config.moderator.login,
        queue=queue,
        notify=notify,
    )
    desk.after_moderation.append(hook)
    return hook


def retry_on_start(desk: Desk, settings: AkismetSettings) -> RetrySummary | None:
    """Send the reports still waiting from an earlier session (None: nothing was due).

    Blocking (up to the Akismet timeout): call it from a worker thread in the TUI.
    """
    queue = ReportQueue()
    if not queue.waiting(desk.blog.key, due_only=True):
        return None
    return run_sync(retry(desk.blog, settings=settings, queue=queue))


# --- one-call helpers for the CLI / ops layer -----------------------------------------------


async def report(
    blog: Blog,
    ping_ids: Iterable[int],
    verdict: str,
    moderator: str | None = None,
    *,
    settings: AkismetSettings | None = None,
    queue: ReportQueue | str | Path | None = None,
) -> list[ReportOutcome]:
    async with AkismetService(blog, settings, moderator=moderator, queue=queue) as svc:
        return await svc.report(ping_ids, verdict)


async def check(
    blog: Blog,
    ping_ids: Iterable[int],
    *,
    settings: AkismetSettings | None = None,
    moderator: str | None = None,
    move_spam: bool = False,
    on_result: OnResult | None = None,
    cancel: ShouldStop | None = None,
    queue: ReportQueue | str | Path | None = None,
    journal: Journal | None = None,
) -> CheckSummary:
    async with AkismetService(
        blog, settings, moderator=moderator, queue=queue, journal=journal
    ) as svc:
        return await svc.check(ping_ids, move_spam=move_spam, on_result=on_result, cancel=cancel)


async def status(
    blog: Blog,
    *,
    settings: AkismetSettings | None = None,
    queue: ReportQueue | str | Path | None = None,
) -> AkismetStatus:
    async with AkismetService(blog, settings, queue=queue) as svc:
        return await svc.status()


async def retry(
    blog: Blog,
    *,
    settings: AkismetSettings | None = None,
    queue: ReportQueue | str | Path | None = None,
    force: bool = False,
) -> RetrySummary:
    async with AkismetService(blog, settings, queue=queue) as svc:
        return await svc.retry(force=force)


def run_sync(coro: Awaitable[T]) -> T:
    """For synchronous callers (the CLI): run one of the coroutines above."""

    async def main() -> T:
        return await coro

    return asyncio.run(main())
