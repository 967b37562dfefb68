"""The Discussion settings that govern pings, as Settings > Discussion stores them.

``default_ping_status`` (pings on new posts) and ``default_pingback_flag``
(send pingbacks), plus the old-post rule WordPress applies at runtime
(``close_comments_for_old_posts``), which pings_open() honours for posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from pingdesk.errors import NotFound, UsageError
from pingdesk.store.journal import Item, Journal, NewItem
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import Conflict
from pingdesk.wp.txn import journaled_txn, with_retry, write_txn

SETTINGS = ("default_ping_status", "default_pingback_flag")


@dataclass(frozen=True)
class DiscussionSettings:
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


def read_settings(blog: Blog) -> DiscussionSettings:
    o = blog.options(
        [*SETTINGS, "close_comments_for_old_posts", "close_comments_days_old"], fresh=True
    )
    try:
        days = int(o["close_comments_days_old"] or 0)
    except ValueError:
        days = 0
    return DiscussionSettings(
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
            raise UsageError("pings on new posts must be 'open' or 'closed'")
        wanted["default_ping_status"] = "open" if new_posts_pings == "open" else ""
    if send_pingbacks is not None:
        wanted["default_pingback_flag"] = "1" if send_pingbacks else ""
    if not wanted:
        return {}
    o = blog.tables.options
    changes: dict[str, tuple[str, str]] = {}
    aid = journal.begin(blog.key, "settings", total=len(wanted)) if journal is not None else None

    def run() -> None:
        changes.clear()
        with journaled_txn(blog, journal, aid) as (conn, stager):
            current = dict(
                conn.execute(
                    select(o.c.option_name, o.c.option_value)
                    .where(o.c.option_name.in_(list(wanted)))
                    .with_for_update()
                ).all()
            )
            for name, value in wanted.items():
                old = current.get(name)
                if old != value:
                    changes[name] = (old or "", value)
            # Journal first: the old values are safe before WordPress's change.
            stager.stage(
                [NewItem("option", k, {"value": a}, {"value": b}) for k, (a, b) in changes.items()]
            )
            for name, (_, value) in changes.items():
                if name not in current:
                    conn.execute(
                        insert(o).values(option_name=name, option_value=value, autoload="yes")
                    )
                else:
                    conn.execute(
                        update(o).where(o.c.option_name == name).values(option_value=value)
                    )

    try:
        with_retry(run)
    except BaseException:
        if journal is not None and aid is not None:
            journal.release(aid)
        raise
    if journal is not None and aid is not None:
        if changes:
            journal.finish(aid, "done", {"changed": sorted(changes)})
        else:
            journal.discard(aid)  # nothing changed: nothing to list or undo
    blog.forget_options()
    return changes


def undo_option_items(blog: Blog, items: Sequence[Item]) -> tuple[list[int], list[Conflict]]:
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
    p = blog.tables.posts
    with blog.engine.connect() as conn:
        row = conn.execute(
            select(p.c.ping_status, p.c.post_type, p.c.post_date_gmt).where(p.c.ID == post_id)
        ).first()
    if row is None:
        raise NotFound(f"no post #{post_id}")
    return row.ping_status, effective(
        read_settings(blog), row.ping_status, row.post_type, row.post_date_gmt
    )


def effective(
    s: DiscussionSettings,
    stored: str,
    post_type: str,
    date_gmt: datetime | None,
    now: datetime | None = None,
) -> str:
    """pings_open() with the old-post rule (_close_comments_for_old_post): 'open',
    'closed', or 'closed (older than N days)'."""
    if stored != "open":
        return "closed"
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if (
        s.close_comments_for_old_posts
        and s.close_comments_days_old
        and post_type == "post"
        and date_gmt is not None
        and now - date_gmt > timedelta(days=s.close_comments_days_old)
    ):
        return f"closed (older than {s.close_comments_days_old} days)"
    return "open"
