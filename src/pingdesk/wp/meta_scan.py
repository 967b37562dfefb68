"""Comment meta of a whole view's pings, read in one pass: by key, or by id in large
chunks, whichever reads fewer rows.

Reading meta page by page (every Akismet key of 500 ids at a time) was 220 round trips
and 5.8 s for the verification and Akismet columns of 110k pending pings on the bench
blog. Two ways remain, and each wins somewhere:

* by key: every row of the keys on the blog, through WordPress's meta_key index, keeping
  the wanted comments' — 0.05 s for pingdesk's 11k verification results, but 1 s for
  the 415k akismet_result rows of a blog that has run Akismet for years;
* by id: the keys of 5,000 comments a query, through the comment_id index — 0.4 s for
  110k pings, whatever the blog holds.

A count bounded at twice the wanted ids (it stops there) tells which.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from sqlalchemy import func, literal, select

from pingdesk.wp.blog import Blog

_STREAM_ROWS = 10_000
_ID_CHUNK = 5000


def scan_meta(
    blog: Blog, keys: Sequence[str], ids: Collection[int]
) -> Iterator[tuple[int, str, str | None]]:
    """(comment id, key, value) of these keys for comments in ``ids``; a comment's rows
    oldest first (meta_id order: what get_comment_meta(..., true) takes as "the" value)."""
    if not ids:
        return
    m = blog.tables.commentmeta
    wanted = ids if isinstance(ids, set | frozenset) else set(ids)
    rows = select(m.c.comment_id, m.c.meta_key, m.c.meta_value).where(m.c.meta_key.in_(list(keys)))
    with blog.engine.connect() as conn:
        limit = 2 * len(wanted)
        bounded = select(literal(1)).where(m.c.meta_key.in_(list(keys))).limit(limit).subquery()
        by_key = conn.execute(select(func.count()).select_from(bounded)).scalar_one() < limit
        if by_key:
            result = conn.execution_options(stream_results=True, yield_per=_STREAM_ROWS).execute(
                rows.order_by(m.c.meta_id)
            )
            for cid, key, value in result:
                if cid in wanted:
                    yield int(cid), key, value
            return
        ordered = sorted(wanted)
        for start in range(0, len(ordered), _ID_CHUNK):
            chunk = ordered[start : start + _ID_CHUNK]
            # Sorted here: ORDER BY meta_id makes MariaDB walk the primary key (the
            # whole table) for each chunk instead of probing comment_id.
            q = rows.add_columns(m.c.meta_id).where(m.c.comment_id.in_(chunk))
            found = list(conn.execute(q))
            found.sort(key=lambda r: r[3])
            for cid, key, value, _ in found:
                yield int(cid), key, value
