"""Closing and opening pings on existing posts (posts.ping_status).

WordPress's own bulk edit closes pings through wp_update_post(): that bumps
post_modified and re-schedules outgoing pings for every link in every post,
999 posts a page. Here only posts.ping_status changes, in chunked
transactions that touch only posts still in the state we read, journaled so
that undo re-opens exactly those posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, update

from pingdesk.progress import Progress, ShouldStop
from pingdesk.store.journal import Item, Journal, NewItem
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import Conflict
from pingdesk.wp.txn import journaled_txn, with_retry, write_txn

POST_ACTIONS = ("close-pings", "open-pings")
# Post types whose ping_status means nothing to a reader.
_INTERNAL_TYPES = (
    "revision",
    "nav_menu_item",
    "customize_changeset",
    "oembed_cache",
    "wp_global_styles",
    "wp_template",
    "wp_template_part",
    "wp_navigation",
    "user_request",
    "wp_block",
)


@dataclass(frozen=True)
class PostFilter:
    older_than: timedelta | None = None
    post_types: tuple[str, ...] = ()
    post_statuses: tuple[str, ...] = ()
    post_ids: tuple[int, ...] = ()


@dataclass
class ClosingResult:
    action: str
    matched: int = 0
    changed: int = 0
    conflicts: int = 0
    sample: list[tuple[int, str]] = field(default_factory=list)  # (ID, title) for dry runs
    journal_id: int | None = None
    cancelled: bool = False
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "matched": self.matched,
            "changed": self.changed,
            "conflicts": self.conflicts,
            "dry_run": self.dry_run,
            "cancelled": self.cancelled,
            "journal_id": self.journal_id,
            "posts": [{"id": i, "title": t} for i, t in self.sample],
        }


def _where(
    blog: Blog, flt: PostFilter, from_status: str, now: datetime
) -> list[ColumnElement[bool]]:
    p = blog.tables.posts
    where: list[ColumnElement[bool]] = [p.c.ping_status == from_status]
    if flt.post_types:
        where.append(p.c.post_type.in_(list(flt.post_types)))
    else:
        where.append(p.c.post_type.not_in(list(_INTERNAL_TYPES)))
    if flt.post_statuses:
        where.append(p.c.post_status.in_(list(flt.post_statuses)))
    else:
        where.append(p.c.post_status.not_in(["auto-draft", "inherit"]))
    if flt.post_ids:
        where.append(p.c.ID.in_(list(flt.post_ids)))
    if flt.older_than is not None:
        cutoff = (now - flt.older_than).replace(tzinfo=None)
        where.append(p.c.post_date_gmt < cutoff)
        where.append(p.c.post_date_gmt > datetime(1000, 1, 1))  # undated drafts stay
    return where


def count_posts(blog: Blog, flt: PostFilter, *, closing: bool = True) -> int:
    p = blog.tables.posts
    where = _where(blog, flt, "open" if closing else "closed", datetime.now(UTC))
    with blog.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(p).where(*where)).scalar_one())


def set_ping_status(
    blog: Blog,
    flt: PostFilter,
    *,
    close: bool = True,
    journal: Journal | None = None,
    dry_run: bool = False,
    chunk_size: int = 5000,
    sample: int = 50,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ClosingResult:
    """Close (or open) pings on the posts ``flt`` matches.

    The real run walks the primary key in ranges: each range is one short
    transaction that locks the matching rows, journals exactly their IDs and
    flips them, so no up-front scan of the whole table is needed and undo
    re-opens precisely what was closed.
    """
    p = blog.tables.posts
    src, dst = ("open", "closed") if close else ("closed", "open")
    action = POST_ACTIONS[0] if close else POST_ACTIONS[1]
    result = ClosingResult(action, dry_run=dry_run)
    where = _where(blog, flt, src, datetime.now(UTC))
    if dry_run:
        with blog.engine.connect() as conn:
            ids = [int(i) for (i,) in conn.execute(select(p.c.ID).where(*where).order_by(p.c.ID))]
            first = ids[:sample]
            if first:
                titles = dict(
                    conn.execute(select(p.c.ID, p.c.post_title).where(p.c.ID.in_(first))).all()
                )
                result.sample = [(i, titles.get(i, "")) for i in first]
        result.matched = len(ids)
        return result
    with blog.engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(p.c.ID), func.max(p.c.ID))).one()
    if lo is None:
        return result
    lo, hi = int(lo), int(hi)
    action_id = journal.begin(blog.key, action, total=hi - lo + 1) if journal is not None else None
    result.journal_id = action_id
    finished = False
    try:
        for a in range(lo, hi + 1, chunk_size):
            if should_stop is not None and should_stop():
                result.cancelled = True
                break
            b = min(a + chunk_size - 1, hi)

            def run(a: int = a, b: int = b) -> int:
                with journaled_txn(blog, journal, action_id) as (conn, stager):
                    in_range = [p.c.ID.between(a, b), *where]
                    still = [
                        int(i)
                        for (i,) in conn.execute(select(p.c.ID).where(*in_range).with_for_update())
                    ]
                    if not still:
                        return 0
                    stager.stage(
                        [
                            NewItem(
                                "posts", a, {"ping_status": src, "ids": still}, {"ping_status": dst}
                            )
                        ]
                    )
                    # The rows are locked: the same condition hits exactly ``still``.
                    conn.execute(update(p).where(*in_range).values(ping_status=dst))
                return len(still)

            result.changed += with_retry(run)
            if progress is not None:
                progress(b - lo + 1, hi - lo + 1)
        finished = True
    finally:
        if journal is not None and action_id is not None:
            if finished:
                summary = result.to_json() | {"posts": []}
                journal.finish(action_id, "done" if result.changed else "failed", summary)
            else:
                journal.release(action_id)  # reconciliation settles what committed
    result.matched = result.changed
    return result


def undo_post_items(blog: Blog, items: Sequence[Item]) -> tuple[list[int], list[Conflict]]:
    p = blog.tables.posts
    restored: list[int] = []
    conflicts: list[Conflict] = []
    for it in items:
        src, dst = it.after["ping_status"], it.before["ping_status"]
        ids = [int(i) for i in it.before["ids"]]

        def run(ids: list[int] = ids, src: str = src, dst: str = dst) -> set[int]:
            with write_txn(blog) as conn:
                still = {
                    int(i)
                    for (i,) in conn.execute(
                        select(p.c.ID)
                        .where(p.c.ID.in_(ids), p.c.ping_status == src)
                        .with_for_update()
                    )
                }
                if still:
                    conn.execute(
                        update(p)
                        .where(p.c.ID.in_(sorted(still)), p.c.ping_status == src)
                        .values(ping_status=dst)
                    )
            return still

        still = with_retry(run)
        restored.extend(sorted(still))
        conflicts.extend(Conflict(i, src, None) for i in ids if i not in still)
    return restored, conflicts
