"""Closing and opening pings on posts, and the Discussion settings for pings.

WordPress's own bulk edit closes pings through wp_update_post(): that bumps
post_modified and re-schedules outgoing pings for every link in every post,
999 posts a page. Here only posts.ping_status changes, in chunked
transactions that touch only posts still in the state we read, journaled so
that undo re-opens exactly those posts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from pingdesk.errors import ConfigError
from pingdesk.journal import Journal, NewItem, staged
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import Conflict
from pingdesk.wp.txn import with_retry, write_txn

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
_AGE = re.compile(r"^\s*(\d+)\s*([hdwmy]?)\s*$")


def parse_age(text: str) -> timedelta:
    """'90d', '12w', '6m', '1y', '48h'; a bare number is days."""
    m = _AGE.match(text or "")
    if not m:
        raise ConfigError(f"cannot read age {text!r}: use e.g. 90d, 12w, 6m, 1y or 48h")
    n, unit = int(m.group(1)), m.group(2) or "d"
    days = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}[unit]
    return timedelta(days=n * days)


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


def _where(blog: Blog, flt: PostFilter, from_status: str, now: datetime) -> list[Any]:
    p = blog.tables.posts
    where: list[Any] = [p.c.ping_status == from_status]
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
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
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
    action_id = journal.begin(blog.key, action) if journal is not None else None
    result.journal_id = action_id
    try:
        for a in range(lo, hi + 1, chunk_size):
            if should_stop is not None and should_stop():
                result.cancelled = True
                break
            b = min(a + chunk_size - 1, hi)

            def run(a: int = a, b: int = b) -> int:
                with staged(journal, action_id) as record, write_txn(blog) as conn:
                    in_range = [p.c.ID.between(a, b), *where]
                    still = [
                        int(i)
                        for (i,) in conn.execute(select(p.c.ID).where(*in_range).with_for_update())
                    ]
                    if not still:
                        return 0
                    record(
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
    finally:
        if journal is not None and action_id is not None:
            summary = result.to_json() | {"posts": []}
            journal.finish(action_id, "done" if result.changed else "failed", summary)
    result.matched = result.changed
    return result


def undo_post_items(blog: Blog, items: Sequence[Any]) -> tuple[list[int], list[Conflict]]:
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


# -- Discussion settings ------------------------------------------------------

SETTINGS = ("default_ping_status", "default_pingback_flag")
SETTING_HELP = {
    "default_ping_status": "Allow pings on NEW posts (existing posts keep their own setting).",
    "default_pingback_flag": "Send pingbacks to blogs this site links to; links between "
    "your own posts then make self-pings.",
}


@dataclass(frozen=True)
class Settings:
    default_ping_status: str
    default_pingback_flag: str
    close_comments_for_old_posts: bool
    close_comments_days_old: int

    @property
    def new_posts_pings(self) -> str:
        return "open" if self.default_ping_status == "open" else "closed"

    @property
    def send_pingbacks(self) -> bool:
        return self.default_pingback_flag not in ("", "0")

    def to_json(self) -> dict[str, Any]:
        return {
            "new_posts_pings": self.new_posts_pings,
            "send_pingbacks": self.send_pingbacks,
            "close_comments_for_old_posts": self.close_comments_for_old_posts,
            "close_comments_days_old": self.close_comments_days_old,
        }


def read_settings(blog: Blog) -> Settings:
    o = blog.options(
        [*SETTINGS, "close_comments_for_old_posts", "close_comments_days_old"], fresh=True
    )
    try:
        days = int(o["close_comments_days_old"] or 0)
    except ValueError:
        days = 0
    return Settings(
        default_ping_status=o["default_ping_status"] or "",
        default_pingback_flag=o["default_pingback_flag"] or "",
        close_comments_for_old_posts=(o["close_comments_for_old_posts"] or "") not in ("", "0"),
        close_comments_days_old=days,
    )


def write_settings(
    blog: Blog,
    journal: Journal | None,
    *,
    new_posts_pings: str | None = None,
    send_pingbacks: bool | None = None,
) -> dict[str, tuple[str, str]]:
    """Write options as Settings > Discussion does: a checked box stores its value
    ('open' / '1'), an unchecked one an empty string."""
    wanted: dict[str, str] = {}
    if new_posts_pings is not None:
        if new_posts_pings not in ("open", "closed"):
            raise ConfigError("pings on new posts must be 'open' or 'closed'")
        wanted["default_ping_status"] = "open" if new_posts_pings == "open" else ""
    if send_pingbacks is not None:
        wanted["default_pingback_flag"] = "1" if send_pingbacks else ""
    if not wanted:
        return {}
    o = blog.tables.options
    changes: dict[str, tuple[str, str]] = {}

    def run() -> None:
        with write_txn(blog) as conn:
            current = dict(
                conn.execute(
                    select(o.c.option_name, o.c.option_value)
                    .where(o.c.option_name.in_(list(wanted)))
                    .with_for_update()
                ).all()
            )
            for name, value in wanted.items():
                old = current.get(name)
                if old == value:
                    continue
                if old is None:
                    from sqlalchemy import insert

                    conn.execute(
                        insert(o).values(option_name=name, option_value=value, autoload="yes")
                    )
                else:
                    conn.execute(
                        update(o).where(o.c.option_name == name).values(option_value=value)
                    )
                changes[name] = (old or "", value)

    with_retry(run)
    if changes and journal is not None:
        aid = journal.begin(blog.key, "settings")
        ids = journal.add_items(
            aid, [NewItem("option", k, {"value": a}, {"value": b}) for k, (a, b) in changes.items()]
        )
        journal.mark_applied(ids)
        journal.finish(aid, "done", {"changed": sorted(changes)})
    blog.forget_options()
    return changes


def undo_option_items(blog: Blog, items: Sequence[Any]) -> tuple[list[int], list[Conflict]]:
    o = blog.tables.options
    restored: list[int] = []
    conflicts: list[Conflict] = []
    with write_txn(blog) as conn:
        for n, it in enumerate(items):
            res = conn.execute(
                update(o)
                .where(o.c.option_name == it.object_id, o.c.option_value == it.after["value"])
                .values(option_value=it.before["value"])
            )
            if res.rowcount:
                restored.append(n)
            else:
                conflicts.append(Conflict(n, it.after["value"], None))
    blog.forget_options()
    return restored, conflicts


def effective_ping_status(blog: Blog, post_id: int) -> tuple[str, str]:
    """(stored ping_status, effective status with the reason) as pings_open() sees it."""
    from pingdesk.errors import NotFound

    p = blog.tables.posts
    with blog.engine.connect() as conn:
        row = conn.execute(
            select(p.c.ping_status, p.c.post_type, p.c.post_date_gmt).where(p.c.ID == post_id)
        ).first()
    if row is None:
        raise NotFound(f"no post #{post_id}")
    s = read_settings(blog)
    stored = row.ping_status
    if stored != "open":
        return stored, "closed"
    if (
        s.close_comments_for_old_posts
        and s.close_comments_days_old
        and row.post_type == "post"
        and row.post_date_gmt is not None
        and datetime.now(UTC).replace(tzinfo=None) - row.post_date_gmt
        > timedelta(days=s.close_comments_days_old)
    ):
        return stored, f"closed (older than {s.close_comments_days_old} days)"
    return stored, "open"
