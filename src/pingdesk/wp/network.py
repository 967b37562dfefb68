"""Many sites of one multisite network read as one: their live sites, and the pings
of all of them in batched UNION ALLs over the sites' own tables.

A network of 10,000 sites must not cost 10,000 serial queries per screen: each
query here covers ``BATCH`` sites, a site without matching pings costs one index
probe inside it, and the results are merged in Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, literal, select, text, union_all
from sqlalchemy.engine import Connection

from pingdesk.wp.blog import Blog
from pingdesk.wp.connect import NetworkSite, _list_sites
from pingdesk.wp.pings import Counts, PingFilter, count_selects, counts_of, id_selects
from pingdesk.wp.schema import Tables

# Sites per query: MariaDB takes a UNION of a few hundred SELECTs in a few ms to
# plan; far more makes one statement long to parse and one slow site holds all.
BATCH = 200

_T = TypeVar("_T")


def live_sites(blog: Blog) -> list[NetworkSite]:
    """The network's sites that WordPress's network admin moderates: not archived,
    not flagged spam, not deleted, and with their tables there (a site row whose
    creation failed halfway has none)."""
    base = blog.tables.base_prefix
    with blog.engine.connect() as conn:
        have = _comment_tables(conn, base)
        sites = _list_sites(conn, base, {f"{base}blogs"}, options=False)
    return [
        s
        for s in sites
        if not (s.archived or s.spam or s.deleted) and f"{s.prefix}comments" in have
    ]


def _comment_tables(conn: Connection, base: str) -> set[str]:
    """Names of the comments tables under ``base`` (one catalogue query, not one
    reflection of 110,000 tables)."""
    if conn.dialect.name == "sqlite":
        q = text("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE :p")
    else:
        q = text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = DATABASE() AND table_name LIKE :p"
        )
    return {str(n) for (n,) in conn.execute(q, {"p": f"{base}%comments"})}


def site_blog(main: Blog, site: NetworkSite) -> Blog:
    """The Blog of one site of ``main``'s network: the same engine, its own tables."""
    return Blog(
        engine=main.engine,
        tables=Tables(site.prefix, main.tables.base_prefix),
        label=main.label,
        site_id=site.blog_id,
        akismet_key=main.akismet_key,
        multisite=True,
        wp_config=main.wp_config,
    )


def site_names(main: Blog, sites: Sequence[NetworkSite]) -> dict[int, str]:
    """blogname of each site, read ``BATCH`` sites per query."""
    names: dict[int, str] = {}
    with main.engine.connect() as conn:
        for batch in _batches(list(sites)):
            parts = []
            for s in batch:
                opt = Tables(s.prefix, main.tables.base_prefix).options
                parts.append(
                    select(literal(s.blog_id), opt.c.option_value).where(
                        opt.c.option_name == "blogname"
                    )
                )
            for blog_id, value in conn.execute(union_all(*parts)):
                names[int(blog_id)] = str(value or "")
    return names


@dataclass(frozen=True)
class Member:
    """One blog of a queue across blogs: its number in the queue, its Blog."""

    no: int
    blog: Blog


def counts_by_member(members: Sequence[Member]) -> dict[int, Counts]:
    """Each member's ping counts (status x kind); members share one engine."""
    if not members:
        return {}
    rows: dict[int, list[tuple[Any, Any, Any]]] = {m.no: [] for m in members}
    with members[0].blog.engine.connect() as conn:
        for batch in _batches(list(members)):
            parts = [_tagged(s, m.no) for m in batch for s in count_selects(m.blog)]
            for no, status, kind, n in conn.execute(union_all(*parts)):
                rows[int(no)].append((status, kind, n))
    return {no: counts_of(r) for no, r in rows.items()}


def dated_ids(
    members: Sequence[Member], flt: PingFilter, *, limit: int | None = None
) -> list[tuple[datetime | None, int, int]]:
    """(comment_date_gmt, member, comment id) of the pings the filter matches on every
    member (members share one engine), in no order. ``limit``: each site's newest
    that many only, so the first screen of 10,000 sites reads few rows."""
    found: list[tuple[datetime | None, int, int]] = []
    if not members:
        return found
    seen: set[tuple[int, int]] = set()
    with members[0].blog.engine.connect() as conn:
        for batch in _batches(list(members)):
            parts: list[Select[Any]] = []
            for m in batch:
                c = m.blog.tables.comments
                for s in id_selects(m.blog, flt):
                    if limit is not None:
                        s = s.order_by(c.c.comment_date_gmt.desc(), c.c.comment_ID.desc())
                        s = s.limit(limit)
                    parts.append(_tagged(s, m.no))
            for no, cid, date in conn.execute(union_all(*parts)):
                key = (int(no), int(cid))
                if key not in seen:  # a webmention with two protocol rows comes twice
                    seen.add(key)
                    found.append((date, key[0], key[1]))
    return found


def _tagged(s: Select[Any], no: int) -> Select[Any]:
    """``s`` as a subquery with the member's number in front: a SELECT with its own
    ORDER BY/LIMIT stays valid inside a UNION on every dialect."""
    sub = s.subquery()
    return select(literal(no), *sub.c)


def _batches(items: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
