"""A view's pings as one compact index: ids in display order with what grouping and the
`domain:` filter need (source host, kind, post, GMT date, status), read in one query.

`pingdesk domains` and the TUI's domain view used to read full ping rows page by page
(15.7 s for 110k pending pings); the `domain:` filter re-read the database on every
change (14.9 s to a first row). This reads the view once — the same UNION ALL as
``pings.ping_ids``, plus a few short columns, 1.15x its time — and everything after is
arithmetic on arrays: filtering a domain takes ~10 ms, grouping 110k pings ~0.3 s
(services.snapshot).

Rows are kept as parallel arrays; a source host is stored once in ``hosts`` and rows
carry its index, so a flood of 100k pings from 20k hosts costs 20k strings, and a
question about hosts (does it match the domain? is it the blog's own?) is asked once per
host, not once per row.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, cast, func, select, type_coerce, union_all
from sqlalchemy.engine import Connection

from pingdesk.wp.blog import Blog
from pingdesk.wp.pings import (
    KINDS,
    WEBMENTION_PROTOCOL,
    WEBMENTION_SOURCE_KEY,
    PingFilter,
    blog_hosts,
    where_clauses,
)
from pingdesk.wp.urls import domain_matches, domain_term, host_of

_TYPED = ("pingback", "trackback")
_KIND_CODE = {k: n for n, k in enumerate(KINDS)}  # pingback 0, trackback 1, webmention 2
_DATE_DIGITS = str.maketrans("", "", "-: ")
_STREAM_ROWS = 5000


def view_filter(flt: PingFilter) -> PingFilter:
    """The part of a filter the database answers: all but the domain and self terms,
    which the index answers in memory."""
    return replace(flt, domain=None, self_only=False)


@dataclass
class PingIndex:
    """Parallel arrays, one entry per ping, in display order (newest first)."""

    flt: PingFilter  # the view read (view_filter of what was asked)
    own_hosts: frozenset[str]  # the blog's home and siteurl hosts: self-pings
    ids: array[int] = field(default_factory=lambda: array("q"))
    host_ix: array[int] = field(default_factory=lambda: array("l"))  # index into hosts
    kinds: array[int] = field(default_factory=lambda: array("b"))  # index into KINDS
    posts: array[int] = field(default_factory=lambda: array("q"))
    dates: array[int] = field(default_factory=lambda: array("q"))  # YYYYMMDDhhmmss; 0: none
    # Index into statuses: a handful in a sane blog, any number in a hostile one.
    status_ix: array[int] = field(default_factory=lambda: array("l"))
    hosts: list[str] = field(default_factory=list)  # '' for a ping without a source host
    statuses: list[str] = field(default_factory=list)  # raw comment_approved values

    def __len__(self) -> int:
        return len(self.ids)

    def status(self, row: int) -> str:
        return self.statuses[self.status_ix[row]]

    def host_mask(self, flt: PingFilter) -> bytearray | None:
        """Per host, 1 when pings from it pass the filter's domain and self terms
        (None: the filter has neither, every host passes)."""
        if not flt.domain and not flt.self_only:
            return None
        domain = domain_term(flt.domain) if flt.domain else None
        own = self.own_hosts
        return bytearray(
            (not domain or domain_matches(h, domain)) and (not flt.self_only or (h in own))
            for h in self.hosts
        )

    def rows(self, flt: PingFilter) -> list[int]:
        """Row numbers of the pings ``flt`` matches (its view must be this index's)."""
        mask = self.host_mask(flt)
        if mask is None:
            return list(range(len(self.ids)))
        return [n for n, h in enumerate(self.host_ix) if mask[h]]

    def select(self, flt: PingFilter) -> list[int]:
        """Ids of the pings ``flt`` matches, in display order: what ``ping_ids`` gives."""
        mask = self.host_mask(flt)
        if mask is None:
            return self.ids.tolist()
        return [i for i, h in zip(self.ids, self.host_ix, strict=True) if mask[h]]


def date_of(value: int) -> datetime | None:
    """A date as stored in ``PingIndex.dates``."""
    if not value:
        return None
    rest, second = divmod(value, 100)
    rest, minute = divmod(rest, 100)
    rest, hour = divmod(rest, 100)
    rest, day = divmod(rest, 100)
    year, month = divmod(rest, 100)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def date_number(text: Any) -> int:
    # '2026-11-25 12:00:00[.000000]' -> 20261125120000. The zero date (and garbage) is
    # 0, as pings.Ping reads it as None.
    if isinstance(text, int):
        return text
    if isinstance(text, Decimal):  # MariaDB's DATETIME + 0, read without SQLAlchemy's types
        return int(text)
    if not text or text.startswith("0000"):
        return 0
    digits = text[:19].translate(_DATE_DIGITS)
    return int(digits) if len(digits) == 14 and digits.isdigit() else 0


def _date_column(blog: Blog) -> Any:
    """comment_date_gmt as the number YYYYMMDDhhmmss, computed by the database: the
    driver's DATETIME decoding is a regex per row, parsing text a tenth of the read."""
    d = blog.tables.comments.c.comment_date_gmt
    if blog.dialect in ("mysql", "mariadb"):
        return type_coerce(d, Integer) + 0  # a DATETIME in a numeric context; zero date: 0
    if blog.dialect == "sqlite":
        return cast(func.strftime("%Y%m%d%H%M%S", d), Integer)
    return cast(d, String)  # parsed by date_number


def _columns(blog: Blog) -> list[Any]:
    c = blog.tables.comments
    return [
        c.c.comment_ID.label("id"),
        _date_column(blog).label("d"),
        c.c.comment_post_ID.label("post"),
        c.c.comment_approved.label("status"),
        c.c.comment_type.label("type"),
        c.c.comment_author_url.label("url"),
    ]


def index_selects(blog: Blog, flt: PingFilter) -> list[Any]:
    """SELECTs of (id, d, post, status, type, url) whose UNION ALL is the view (a
    webmention with two protocol rows comes twice); the network queue unions them
    over many sites."""
    # No webmention source here: a meta_value (LONGTEXT) in the union would make MariaDB
    # sort the whole view in an on-disk temporary table; the few sources are read after.
    c, m = blog.tables.comments, blog.tables.commentmeta
    if flt.kind != "all":
        return [select(*_columns(blog)).where(*where_clauses(blog, flt))]
    # pings.ping_ids' shape: typed pings from WordPress's (comment_approved, date)
    # index, webmentions through their protocol meta; an OR of the two scans.
    base: list[ColumnElement[bool]] = where_clauses(blog, flt, with_kind=False)
    typed = select(*_columns(blog)).where(c.c.comment_type.in_(_TYPED), *base)
    wm_meta = m.alias("wm")  # the filters' own EXISTS on commentmeta must not correlate
    wm = (
        select(*_columns(blog))
        .select_from(wm_meta.join(c, c.c.comment_ID == wm_meta.c.comment_id))
        .where(
            wm_meta.c.meta_key == WEBMENTION_PROTOCOL[0],
            wm_meta.c.meta_value == WEBMENTION_PROTOCOL[1],
            c.c.comment_type.not_in(_TYPED),
            *base,
        )
    )
    return [typed, wm]


def _query(blog: Blog, flt: PingFilter) -> Any:
    parts = index_selects(blog, flt)
    source: Any = parts[0] if len(parts) == 1 else union_all(*parts)
    q = source.subquery()
    return select(*q.c).order_by(q.c.d.desc(), q.c.id.desc())


def webmention_sources(conn: Connection, blog: Blog, ids: list[int]) -> dict[int, str]:
    """webmention_source_url of these comments (their first such meta row), as
    pings.Ping reads it."""
    m = blog.tables.commentmeta
    sources: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        for cid, value in conn.execute(
            select(m.c.comment_id, m.c.meta_value)
            .where(m.c.comment_id.in_(ids[start : start + 1000]))
            .where(m.c.meta_key == WEBMENTION_SOURCE_KEY)
            .order_by(m.c.meta_id)
        ):
            sources.setdefault(int(cid), value or "")
    return sources


def read_ping_index(blog: Blog, flt: PingFilter) -> PingIndex:
    """The view ``flt`` names (without its domain and self terms), in display order."""
    view = view_filter(flt)
    index = PingIndex(view, blog_hosts(blog))
    ids, host_ix, kinds, posts, dates, status_ix = (
        index.ids,
        index.host_ix,
        index.kinds,
        index.posts,
        index.dates,
        index.status_ix,
    )
    host_number: dict[str, int] = {}
    status_number: dict[str, int] = {}
    webmentions: dict[int, tuple[int, str]] = {}  # id -> (row, author URL)
    typed = {k: _KIND_CODE[k] for k in _TYPED}
    wm = _KIND_CODE["webmention"]
    # Bound once: this loop runs per ping (110k on the bench blog).
    add_id, add_host, add_kind, add_post, add_date, add_status = (
        ids.append,
        host_ix.append,
        kinds.append,
        posts.append,
        dates.append,
        status_ix.append,
    )
    with blog.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=_STREAM_ROWS).execute(
            _query(blog, view)
        )
        for cid, d, post, status, ctype, url in result:
            kind = typed.get(ctype)
            if kind is not None:
                host = host_of(url)
            elif cid in webmentions:
                continue  # a webmention with two protocol rows: keep the first, as ping_ids
            else:
                kind = wm
                webmentions[cid] = (len(ids), url or "")
                host = ""  # its source is read below
            h = host_number.get(host)
            if h is None:
                h = host_number[host] = len(host_number)
            s = status_number.get(status)
            if s is None:
                s = status_number[status] = len(status_number)
            add_id(cid)
            add_host(h)
            add_kind(kind)
            add_post(post or 0)
            add_date(d if d.__class__ is int else date_number(d))
            add_status(s)
        if webmentions:
            sources = webmention_sources(conn, blog, list(webmentions))
            for cid, (row, url) in webmentions.items():
                host = host_of(sources.get(cid) or url)
                h = host_number.get(host)
                if h is None:
                    h = host_number[host] = len(host_number)
                host_ix[row] = h
    index.hosts = list(host_number)
    index.statuses = list(status_number)
    return index
