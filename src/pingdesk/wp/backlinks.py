"""Who links to the blog: its approved pings and webmentions, read in one pass.

The approved pings already are the list of pages that link to the blog (WordPress
verified each link when the ping arrived); with pingdesk's stored verification results
beside them (``_pingdesk_check``) they also say which links still stand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from pingdesk.wp.blog import Blog
from pingdesk.wp.pings import WEBMENTION_PROTOCOL, WEBMENTION_SOURCE_KEY
from pingdesk.wp.verify_meta import META_KEY as CHECK_KEY

_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Backlink:
    """One approved ping: a page that linked to one of the blog's posts."""

    ping_id: int
    post_id: int
    post_title: str
    kind: str  # pingback | trackback | webmention
    source_url: str
    date_gmt: datetime | None
    check: str | None  # the stored verification result, if any
    checked_at: str | None


def backlinks(
    blog: Blog, *, since: datetime | None = None, post_id: int | None = None
) -> Iterator[Backlink]:
    """Every approved ping (all three kinds), in no particular order, streamed.

    Two plain reads rather than one with an OR: pingbacks and trackbacks by their type
    (the range of approved comments), webmentions from their protocol meta. One query
    asking "is this a webmention?" of every approved comment probed commentmeta 600,000
    times on a 1M-comment blog (19 s against 1.2 s).
    """
    c, m, p = blog.tables.comments, blog.tables.commentmeta, blog.tables.posts
    chk = m.alias("chk")
    wm = m.alias("wm")
    columns = (
        c.c.comment_ID,
        c.c.comment_post_ID,
        c.c.comment_type,
        c.c.comment_author_url,
        c.c.comment_date_gmt,
        p.c.post_title,
        chk.c.meta_value.label("check"),
        wm.c.meta_value.label("wm_source"),
    )
    conds = [c.c.comment_approved == "1"]
    if since is not None:
        conds.append(c.c.comment_date_gmt >= since)
    if post_id is not None:
        conds.append(c.c.comment_post_ID == post_id)

    def joined(base: Any) -> Any:
        return (
            base.outerjoin(p, p.c.ID == c.c.comment_post_ID)
            .outerjoin(chk, and_(chk.c.comment_id == c.c.comment_ID, chk.c.meta_key == CHECK_KEY))
            .outerjoin(
                wm, and_(wm.c.comment_id == c.c.comment_ID, wm.c.meta_key == WEBMENTION_SOURCE_KEY)
            )
        )

    typed = (
        select(*columns)
        .select_from(joined(c))
        .where(c.c.comment_type.in_(["pingback", "trackback"]), *conds)
    )
    proto = m.alias("proto")
    mentions = (
        select(*columns)
        .select_from(joined(proto.join(c, c.c.comment_ID == proto.c.comment_id)))
        .where(
            proto.c.meta_key == WEBMENTION_PROTOCOL[0],
            proto.c.meta_value == WEBMENTION_PROTOCOL[1],
            c.c.comment_type.not_in(["pingback", "trackback"]),
            *conds,
        )
    )
    seen: set[int] = set()
    with blog.engine.connect() as conn:
        for query in (typed, mentions):
            # Streamed (a server-side cursor on MariaDB): memory stays flat on any blog.
            result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
            for r in result:
                cid = int(r.comment_ID)
                if cid in seen:  # a second meta row of either key: the first one counts
                    continue
                seen.add(cid)
                kind = r.comment_type if r.comment_type in ("pingback", "trackback") else ""
                check, checked_at = _check(r.check)
                yield Backlink(
                    ping_id=cid,
                    post_id=int(r.comment_post_ID),
                    post_title=r.post_title or "",
                    kind=kind or "webmention",
                    source_url=(r.wm_source if not kind and r.wm_source else "")
                    or (r.comment_author_url or ""),
                    date_gmt=r.comment_date_gmt,
                    check=check,
                    checked_at=checked_at,
                )


def _check(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    try:
        data = json.loads(value)
        return str(data["result"]), str(data.get("checked_at") or "") or None
    except (ValueError, TypeError, KeyError):
        return None, None  # a newer or broken writer: treat as unchecked
