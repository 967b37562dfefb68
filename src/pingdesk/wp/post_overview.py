"""Posts as the Posts screen shows them: ping status (effective, with the old-post rule),
pings received per kind, and trackbacks still waiting to be sent (to_ping)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from pingdesk.wp.blog import Blog
from pingdesk.wp.discussion import effective, read_settings
from pingdesk.wp.outgoing import get_pung, get_to_ping
from pingdesk.wp.pings import kind_condition
from pingdesk.wp.posts import _INTERNAL_TYPES
from pingdesk.wp.urls import like_escape

# Posts whose pings mean something to a reader: visible ones.
_STATUSES = ("publish", "future", "private")


@dataclass(frozen=True)
class PostOverview:
    id: int
    title: str
    post_type: str
    status: str
    date_gmt: datetime | None
    ping_status: str  # as stored
    effective: str  # what pings_open() answers: open / closed / closed (older than N days)
    received: Counter[str] = field(default_factory=Counter)  # kind → pings (pending + approved)
    to_ping: int = 0  # trackbacks waiting
    pinged: int = 0  # URLs already pinged


def post_overview(blog: Blog, *, limit: int = 500, search: str | None = None) -> list[PostOverview]:
    """The newest ``limit`` visible posts (title matching ``search``), newest first."""
    p, c = blog.tables.posts, blog.tables.comments
    q = select(
        p.c.ID,
        p.c.post_title,
        p.c.post_type,
        p.c.post_status,
        p.c.post_date_gmt,
        p.c.ping_status,
        p.c.to_ping,
        p.c.pinged,
    ).where(
        p.c.post_status.in_(_STATUSES),
        p.c.post_type.not_in([*_INTERNAL_TYPES, "attachment"]),
    )
    if search:
        words = [w for w in search.split() if w]
        q = q.where(
            *(p.c.post_title.like(f"%{like_escape(w)}%", escape="\\") for w in words)
            if not search.strip().isdigit()
            else [or_(p.c.ID == int(search), p.c.post_title.like(f"%{search.strip()}%"))]
        )
    settings = read_settings(blog)
    with blog.engine.connect() as conn:
        rows = conn.execute(q.order_by(p.c.post_date_gmt.desc(), p.c.ID.desc()).limit(limit)).all()
        ids = [int(r.ID) for r in rows]
        received: dict[int, Counter[str]] = {i: Counter() for i in ids}
        if ids:
            counts = conn.execute(
                select(c.c.comment_post_ID, c.c.comment_type, func.count())
                .where(
                    c.c.comment_post_ID.in_(ids),
                    c.c.comment_approved.in_(["0", "1"]),
                    kind_condition(blog, "all"),
                )
                .group_by(c.c.comment_post_ID, c.c.comment_type)
            )
            for post_id, ctype, n in counts:
                kind = ctype if ctype in ("pingback", "trackback") else "webmention"
                received[int(post_id)][kind] += int(n)
    return [
        PostOverview(
            id=int(r.ID),
            title=r.post_title or "",
            post_type=r.post_type or "",
            status=r.post_status or "",
            date_gmt=r.post_date_gmt,
            ping_status=r.ping_status or "",
            effective=effective(settings, r.ping_status or "", r.post_type or "", r.post_date_gmt),
            received=received[int(r.ID)],
            to_ping=len(get_to_ping(r.to_ping or "")),
            pinged=len([u for u in get_pung(r.pinged or "") if u]),
        )
        for r in rows
    ]
