"""Reading pings: one ping, pages of pings (keyset), counts and id snapshots.

A ping is a comment of type pingback or trackback, or a webmention: the
Webmention plugin stores those with a semantic type (mention, like, ...) and
marks them with commentmeta protocol=webmention, their source in
webmention_source_url.

Pages are keyset-paginated on (comment_date_gmt, comment_ID), newest first,
which MariaDB serves from WordPress's own (comment_approved, comment_date_gmt)
index: the cost of a page does not grow with how deep the moderator scrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Connection, Row

from pingdesk.errors import UsageError
from pingdesk.wp.akismet_meta import verdict_filter
from pingdesk.wp.blog import Blog
from pingdesk.wp.urls import domain_matches, domain_term, host_of, like_escape
from pingdesk.wp.verify_meta import check_filter

KINDS: tuple[str, ...] = ("pingback", "trackback", "webmention")
STATUSES: dict[str, str] = {"pending": "0", "approved": "1", "spam": "spam", "trash": "trash"}
STATUS_NAMES: dict[str, str] = {v: k for k, v in STATUSES.items()} | {"post-trashed": "trash"}
WEBMENTION_PROTOCOL = ("protocol", "webmention")
WEBMENTION_SOURCE_KEY = "webmention_source_url"


def status_code(name: str) -> str | None:
    """'pending' -> '0' ...; 'all' -> None. Raw codes pass through."""
    if name == "all":
        return None
    if name in STATUSES:
        return STATUSES[name]
    if name in STATUS_NAMES or name == "post-trashed":
        return name
    raise UsageError(f"unknown status {name!r}: use pending, approved, spam, trash or all")


# A queue across blogs (a network's sites, several profiles) keys each row by the
# blog's number in the queue and its comment id in one int, so the table, marks and
# selections work as they do for one blog. Comment ids stay far below 2**40.
KEY_SHIFT = 40


def queue_key(no: int, comment_id: int) -> int:
    return (no << KEY_SHIFT) | comment_id


def split_key(key: int) -> tuple[int, int]:
    """(the blog's number in the queue, its comment id); number 0 for one blog."""
    return key >> KEY_SHIFT, key & ((1 << KEY_SHIFT) - 1)


@dataclass(frozen=True)
class Ping:
    id: int  # comment_ID, or a queue_key in a queue across blogs
    post_id: int
    kind: str
    comment_type: str
    status: str  # raw comment_approved
    author: str
    author_url: str
    source_url: str
    domain: str
    ip: str
    agent: str
    content: str
    date: datetime | None
    date_gmt: datetime | None
    parent: int
    user_id: int
    post_title: str
    post_type: str
    post_status: str
    post_ping_status: str
    is_self: bool
    permalink: str | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)
    site: str | None = None  # which blog, in a queue across blogs
    site_id: int | None = None  # and its blog_id, when it is a network's site

    @property
    def comment_id(self) -> int:
        return split_key(self.id)[1]

    @property
    def ref(self) -> str:
        """How the moderator names it: '#12', or 'news:12' across blogs."""
        return f"{self.site}:{self.comment_id}" if self.site else f"#{self.id}"

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def cursor(self) -> tuple[datetime | None, int]:
        return (self.date_gmt, self.id)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of `pingdesk list --json`."""
        site: dict[str, Any] = {"site": self.site} if self.site else {}
        if self.site_id is not None:
            site["site_id"] = self.site_id
        return site | {
            "id": self.comment_id,
            "post_id": self.post_id,
            "type": self.kind,
            "status": self.status_name,
            "source_url": self.source_url,
            "domain": self.domain,
            "author": self.author,
            "date_gmt": self.date_gmt.isoformat(" ", "seconds") if self.date_gmt else None,
            "ip": self.ip,
            "self": self.is_self,
            "post_title": self.post_title,
        }


@dataclass(frozen=True)
class PingFilter:
    status: str = "pending"  # pending | approved | spam | trash | all
    kind: str = "all"  # pingback | trackback | webmention | all
    post_id: int | None = None
    domain: str | None = None
    search: str | None = None
    self_only: bool = False
    check: str | None = None  # stored verification result (see pingdesk.wp.verify_meta)
    akismet: str | None = None  # Akismet's stored verdict (see pingdesk.wp.akismet_meta)
    ids: tuple[int, ...] | None = None
    # A queue across blogs (services.fleet): only this blog's pings. One blog ignores it.
    site: str | None = None

    def __post_init__(self) -> None:
        status_code(self.status)
        if self.kind != "all" and self.kind not in KINDS:
            raise UsageError(
                f"unknown type {self.kind!r}: use pingback, trackback, webmention or all"
            )

    @property
    def needs_post_filter(self) -> bool:
        return bool(self.domain) or self.self_only


@dataclass(frozen=True)
class Page:
    pings: list[Ping]
    next_cursor: tuple[datetime | None, int] | None


def blog_hosts(blog: Blog) -> frozenset[str]:
    """The blog's own hosts (home and siteurl), for self-ping detection."""
    opts = blog.options(["home", "siteurl"])
    return frozenset(h for h in (host_of(opts["home"]), host_of(opts["siteurl"])) if h)


def _webmention_exists(blog: Blog) -> Any:
    c, m = blog.tables.comments, blog.tables.commentmeta
    return exists().where(
        m.c.comment_id == c.c.comment_ID,
        m.c.meta_key == WEBMENTION_PROTOCOL[0],
        m.c.meta_value == WEBMENTION_PROTOCOL[1],
    )


def _webmention_probe(blog: Blog) -> Any:
    """Is this row a webmention? Asked per candidate row through commentmeta.comment_id.

    As an EXISTS inside an OR, MariaDB materialises every protocol=webmention meta
    row of the blog for each page (~90 ms cold on a 1M-comment blog); this scalar
    subquery costs one index probe per candidate row instead.
    """
    c, m = blog.tables.comments, blog.tables.commentmeta
    probe = (
        select(m.c.meta_id)
        .where(
            m.c.comment_id == c.c.comment_ID,
            m.c.meta_key == WEBMENTION_PROTOCOL[0],
            m.c.meta_value == WEBMENTION_PROTOCOL[1],
        )
        .limit(1)
        .scalar_subquery()
    )
    return probe.is_not(None)


def kind_condition(blog: Blog, kind: str = "all") -> ColumnElement[bool]:
    c = blog.tables.comments
    if kind in ("pingback", "trackback"):
        return c.c.comment_type == kind
    not_typed = c.c.comment_type.not_in(["pingback", "trackback"])
    if kind == "webmention":
        # Webmentions alone: few rows, a semi-join from their meta is the fast way.
        return and_(not_typed, _webmention_exists(blog))
    return or_(
        c.c.comment_type.in_(["pingback", "trackback"]), and_(not_typed, _webmention_probe(blog))
    )


def _host_like(column: ColumnElement[str], host: str) -> ColumnElement[bool]:
    """A LIKE prefilter for URLs on ``host`` or its subdomains; exact matching (host_of,
    then domain_matches or the blog's hosts) happens in Python, so this must let through
    every URL whose host could match: any URL containing the host (ports, user info,
    upper case, a trailing dot), and those with a tab or newline, which urlsplit removes
    before it reads the host ("exa<TAB>mple.com" is example.com)."""
    pats = [f"%{like_escape(host)}%", "%\t%", "%\n%", "%\r%"]
    return or_(*(column.like(p, escape="\\") for p in pats))


def where_clauses(
    blog: Blog, flt: PingFilter, *, with_kind: bool = True
) -> list[ColumnElement[bool]]:
    c, m = blog.tables.comments, blog.tables.commentmeta
    where: list[ColumnElement[bool]] = [kind_condition(blog, flt.kind)] if with_kind else []
    code = status_code(flt.status)
    if code is not None:
        where.append(c.c.comment_approved == code)
    if flt.post_id is not None:
        where.append(c.c.comment_post_ID == flt.post_id)
    if flt.ids is not None:
        where.append(c.c.comment_ID.in_(list(flt.ids)) if flt.ids else false())
    if flt.search:
        pat = f"%{like_escape(flt.search)}%"
        where.append(
            or_(
                c.c.comment_author.like(pat, escape="\\"),
                c.c.comment_author_url.like(pat, escape="\\"),
                c.c.comment_content.like(pat, escape="\\"),
                c.c.comment_author_IP.like(pat, escape="\\"),
            )
        )
    hosts: list[str] = []
    if flt.domain:
        hosts.append(domain_term(flt.domain))
    if flt.self_only:
        hosts.extend(blog_hosts(blog))
        if not hosts:
            where.append(false())
    if hosts:
        wm_src = exists().where(
            m.c.comment_id == c.c.comment_ID,
            m.c.meta_key == WEBMENTION_SOURCE_KEY,
            or_(*(_host_like(m.c.meta_value, h) for h in hosts)),
        )
        where.append(or_(*(_host_like(c.c.comment_author_url, h) for h in hosts), wm_src))
    if flt.check:
        where.append(check_filter(blog, flt.check))
    if flt.akismet:
        where.append(verdict_filter(blog, flt.akismet))
    return where


# What a listing shows (`pingdesk list`): reading only these makes a 100k-row list ~2x
# faster (the driver decodes every column of every row in Python; the content is the
# largest of them).
BRIEF_COLUMNS = (
    "comment_ID",
    "comment_post_ID",
    "comment_author",
    "comment_author_url",
    "comment_author_IP",
    "comment_date_gmt",
    "comment_approved",
    "comment_type",
)


def _columns(blog: Blog, *, brief: bool = False) -> list[Any]:
    c, p = blog.tables.comments, blog.tables.posts
    if brief:
        # The date as text: the driver's DATETIME decoding (a regex per row) was a tenth of
        # a 100k-row listing; datetime.fromisoformat is C.
        columns: list[Any] = [c.c[name] for name in BRIEF_COLUMNS]
        columns[BRIEF_COLUMNS.index("comment_date_gmt")] = cast(c.c.comment_date_gmt, String)
        return [*columns, func.coalesce(p.c.post_title, "")]
    return [
        *c.c,
        func.coalesce(p.c.post_title, "").label("post_title"),
        func.coalesce(p.c.post_type, "").label("post_type"),
        func.coalesce(p.c.post_status, "").label("post_status"),
        func.coalesce(p.c.ping_status, "").label("post_ping_status"),
    ]


def _select(blog: Blog, *, brief: bool = False) -> Select[Any]:
    c, p = blog.tables.comments, blog.tables.posts
    return select(*_columns(blog, brief=brief)).select_from(
        c.outerjoin(p, c.c.comment_post_ID == p.c.ID)
    )


def _after(blog: Blog, cursor: tuple[datetime | None, int]) -> ColumnElement[bool]:
    c = blog.tables.comments
    d, i = cursor
    dv: Any = d if d is not None else None
    # Written out (not a row comparison) so MariaDB uses a range on the index.
    return or_(
        c.c.comment_date_gmt < literal(dv, c.c.comment_date_gmt.type),
        and_(c.c.comment_date_gmt == literal(dv, c.c.comment_date_gmt.type), c.c.comment_ID < i),
    )


def _order(blog: Blog) -> list[Any]:
    c = blog.tables.comments
    return [c.c.comment_date_gmt.desc(), c.c.comment_ID.desc()]


def ping_select(blog: Blog) -> Select[Any]:
    """The SELECT every Ping is built from (``build_pings``); callers add which ids."""
    return _select(blog).where(kind_condition(blog))


def build_pings(blog: Blog, conn: Connection, rows: Sequence[Any]) -> list[Ping]:
    """Pings from ``ping_select`` rows (anything with its columns as attributes)."""
    return _Builder(blog, conn).build(rows)


class _Builder:
    """Turns rows into Pings, loading webmention sources in one extra query."""

    def __init__(self, blog: Blog, conn: Connection) -> None:
        self.blog, self.conn = blog, conn
        self.hosts = blog_hosts(blog)

    def build(self, rows: Sequence[Row[Any]]) -> list[Ping]:
        if not rows:
            return []
        sources = self._webmention_sources(
            [r.comment_ID for r in rows if r.comment_type not in ("pingback", "trackback")]
        )
        out = []
        for r in rows:
            kind = r.comment_type if r.comment_type in ("pingback", "trackback") else "webmention"
            source = sources.get(r.comment_ID, "") if kind == "webmention" else ""
            source = source or (r.comment_author_url or "")
            host = host_of(source)
            out.append(
                Ping(
                    id=int(r.comment_ID),
                    post_id=int(r.comment_post_ID),
                    kind=kind,
                    comment_type=r.comment_type or "",
                    status=r.comment_approved,
                    author=r.comment_author or "",
                    author_url=r.comment_author_url or "",
                    source_url=source,
                    domain=host,
                    ip=r.comment_author_IP or "",
                    agent=r.comment_agent or "",
                    content=r.comment_content or "",
                    date=r.comment_date,
                    date_gmt=r.comment_date_gmt,
                    parent=int(r.comment_parent or 0),
                    user_id=int(r.user_id or 0),
                    post_title=r.post_title or "",
                    post_type=r.post_type or "",
                    post_status=r.post_status or "",
                    post_ping_status=r.post_ping_status or "",
                    is_self=bool(host) and host in self.hosts,
                )
            )
        return out

    def build_brief(self, rows: Sequence[Any]) -> list[Ping]:
        """Pings from BRIEF_COLUMNS rows: what a listing shows; the content, agent, local
        date, parent, user and the post's type and statuses are left empty."""
        if not rows:
            return []
        sources = self._webmention_sources(
            [r[0] for r in rows if r[7] not in ("pingback", "trackback")]
        )
        hosts = self.hosts
        out = []
        for cid, post_id, author, url, ip, date_text, approved, ctype, title in rows:
            if ctype in ("pingback", "trackback"):
                kind, source = ctype, url or ""
            else:
                kind, source = "webmention", sources.get(cid) or url or ""
            host = host_of(source)
            out.append(
                Ping(
                    id=int(cid),
                    post_id=int(post_id),
                    kind=kind,
                    comment_type=ctype or "",
                    status=approved,
                    author=author or "",
                    author_url=url or "",
                    source_url=source,
                    domain=host,
                    ip=ip or "",
                    agent="",
                    content="",
                    date=None,
                    date_gmt=_date(date_text),
                    parent=0,
                    user_id=0,
                    post_title=title or "",
                    post_type="",
                    post_status="",
                    post_ping_status="",
                    is_self=bool(host) and host in hosts,
                )
            )
        return out

    def _webmention_sources(self, ids: list[int]) -> dict[int, str]:
        """webmention_source_url of these comments (their first such meta row)."""
        sources: dict[int, str] = {}
        if ids:
            m = self.blog.tables.commentmeta
            for cid, value in self.conn.execute(
                select(m.c.comment_id, m.c.meta_value)
                .where(m.c.comment_id.in_(ids), m.c.meta_key == WEBMENTION_SOURCE_KEY)
                .order_by(m.c.meta_id)
            ):
                sources.setdefault(int(cid), value or "")
        return sources


def _date(text: str | None) -> datetime | None:
    """A DATETIME read as text, as WPDateTime reads it: the zero date is None."""
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return datetime.fromisoformat(text[:19])
    except ValueError:
        return None


def _post_filter(flt: PingFilter, hosts: frozenset[str]) -> Callable[[Ping], bool]:
    domain = domain_term(flt.domain) if flt.domain else None

    def keep(p: Ping) -> bool:
        if domain and not domain_matches(p.domain, domain):
            return False
        return not (flt.self_only and not p.is_self)

    return keep


def list_pings(
    blog: Blog,
    flt: PingFilter,
    *,
    limit: int = 50,
    after: tuple[datetime | None, int] | None = None,
    brief: bool = False,
    date_index: str | None = None,
) -> Page:
    """One page of pings, newest first, starting after ``after``. ``brief``: only what
    a listing shows (see _Builder.build_brief); ``date_index``: see status_date_index."""
    pings: list[Ping] = []
    cursor = after
    with blog.engine.connect() as conn:
        builder = _Builder(blog, conn)
        build = builder.build_brief if brief else builder.build
        keep = _post_filter(flt, builder.hosts)
        while True:
            q = _select(blog, brief=brief).where(*where_clauses(blog, flt))
            if date_index is not None:
                c = blog.tables.comments
                for dialect in ("mysql", "mariadb"):
                    q = q.with_hint(c, f"FORCE INDEX (`{date_index}`)", dialect_name=dialect)
            if cursor is not None:
                q = q.where(_after(blog, cursor))
            batch = max(limit + 1, 64) if flt.needs_post_filter else limit + 1
            rows = conn.execute(q.order_by(*_order(blog)).limit(batch)).all()
            built = build(rows)
            for p in built:
                if keep(p):
                    pings.append(p)
                    if len(pings) > limit:
                        return Page(pings[:limit], pings[limit - 1].cursor)
            if len(rows) < batch:
                return Page(pings, None)
            cursor = built[-1].cursor


STATUS_DATE_INDEX = "comment_approved_date_gmt"  # WordPress's own, on every install


def status_date_index(blog: Blog, flt: PingFilter) -> str | None:
    """The index MariaDB must be told to read a status's pages from, or None.

    For a page after a keyset cursor in the middle of a long status view, MariaDB picks a
    `ref` on (comment_approved) — reading the index down from the newest row and
    discarding every row above the cursor — over the `range` that starts at the cursor:
    on a 1M-comment blog the 30th page of pending pings took 1.4 s instead of 0.03 s, and
    the pages in between grew with depth. FORCE INDEX leaves it the range. Not when a
    post or a set of ids narrows the rows better through another index, and only when
    the blog has the index (WordPress creates it; a hand-made schema may not).
    """
    if blog.dialect not in ("mysql", "mariadb") or status_code(flt.status) is None:
        return None
    if flt.post_id is not None or flt.ids is not None:
        return None
    from sqlalchemy import inspect

    with blog.engine.connect() as conn:
        names = {ix.get("name") for ix in inspect(conn).get_indexes(blog.tables.comments.name)}
    return STATUS_DATE_INDEX if STATUS_DATE_INDEX in names else None


def iter_pages(
    blog: Blog,
    flt: PingFilter,
    *,
    batch: int = 1000,
    limit: int | None = None,
    brief: bool = False,
) -> Iterator[list[Ping]]:
    """Every matching ping (at most ``limit``), newest first, a keyset page at a time:
    each page starts after the last row of the one before, never at an OFFSET."""
    after: tuple[datetime | None, int] | None = None
    left = limit
    index = status_date_index(blog, flt)
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        page = list_pings(blog, flt, limit=size, after=after, brief=brief, date_index=index)
        if page.pings:
            yield page.pings
        if left is not None:
            left -= len(page.pings)
        if page.next_cursor is None:
            return
        after = page.next_cursor


def iter_pings(blog: Blog, flt: PingFilter, *, batch: int = 1000) -> Iterator[Ping]:
    """Every matching ping, newest first, fetched a keyset page at a time."""
    for page in iter_pages(blog, flt, batch=batch):
        yield from page


def ping_ids(blog: Blog, flt: PingFilter) -> list[int]:
    """All matching ids in display order: the snapshot a virtual table scrolls over.

    For all kinds at once the query is a UNION ALL of the typed pings (served by
    WordPress's (comment_approved, comment_date_gmt) index) and the webmentions
    (found through their meta): an OR of the two makes MariaDB scan the table.
    """
    if flt.needs_post_filter:
        # The domain and self terms are answered per host: the view's compact index, then
        # a mask (~2 s for 110k pending pings where keyset pages through the LIKE
        # prefilter took 15).
        from pingdesk.wp.ping_index import read_ping_index  # it builds on this module

        return read_ping_index(blog, flt).select(flt)
    parts = id_selects(blog, flt)
    with blog.engine.connect() as conn:
        if len(parts) == 1:
            return [int(i) for (i, _) in conn.execute(parts[0].order_by(*_order(blog)))]
        u = union_all(*parts).subquery()
        q2 = select(u.c.comment_ID).order_by(u.c.comment_date_gmt.desc(), u.c.comment_ID.desc())
        # A webmention with two protocol rows would appear twice; keep the first.
        return list(dict.fromkeys(int(i) for (i,) in conn.execute(q2)))


def id_selects(blog: Blog, flt: PingFilter) -> list[Select[Any]]:
    """SELECTs of (comment_ID, comment_date_gmt) whose UNION ALL is the view's pings
    (a webmention with two protocol rows comes twice). Not for filters that need
    Python after SQL (``flt.needs_post_filter``). The network queue unions these
    over many sites' tables."""
    c, m = blog.tables.comments, blog.tables.commentmeta
    if flt.kind != "all":
        return [select(c.c.comment_ID, c.c.comment_date_gmt).where(*where_clauses(blog, flt))]
    base = where_clauses(blog, flt, with_kind=False)
    typed = select(c.c.comment_ID, c.c.comment_date_gmt).where(
        c.c.comment_type.in_(["pingback", "trackback"]), *base
    )
    wm_meta = m.alias("wm")  # the filters' own EXISTS on commentmeta must not correlate
    wm = (
        select(c.c.comment_ID, c.c.comment_date_gmt)
        .select_from(wm_meta.join(c, c.c.comment_ID == wm_meta.c.comment_id))
        .where(
            wm_meta.c.meta_key == WEBMENTION_PROTOCOL[0],
            wm_meta.c.meta_value == WEBMENTION_PROTOCOL[1],
            c.c.comment_type.not_in(["pingback", "trackback"]),
            *base,
        )
    )
    return [typed, wm]


def get_pings(blog: Blog, ids: Iterable[int], *, with_meta: bool = False) -> list[Ping]:
    """Pings by id, in the order given; ids that are not pings are left out."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        return []
    c, m = blog.tables.comments, blog.tables.commentmeta
    found: dict[int, Ping] = {}
    with blog.engine.connect() as conn:
        builder = _Builder(blog, conn)
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = conn.execute(
                _select(blog).where(c.c.comment_ID.in_(chunk), kind_condition(blog))
            ).all()
            for p in builder.build(rows):
                found[p.id] = p
        if with_meta and found:
            metas: dict[int, dict[str, list[str]]] = {}
            for cid, key, value in conn.execute(
                select(m.c.comment_id, m.c.meta_key, m.c.meta_value)
                .where(m.c.comment_id.in_(list(found)))
                .order_by(m.c.meta_id)
            ):
                metas.setdefault(int(cid), {}).setdefault(key or "", []).append(value or "")
            found = {i: replace(p, meta=metas.get(i, {})) for i, p in found.items()}
    return [found[i] for i in wanted if i in found]


@dataclass(frozen=True)
class Counts:
    """Pings per status name x kind, with totals."""

    by_status: dict[str, dict[str, int]]

    def total(self, status: str) -> int:
        return sum(self.by_status.get(status, {}).values())

    def to_json(self) -> dict[str, dict[str, int]]:
        return {s: dict(self.by_status[s]) for s in STATUSES}


def count_pings(blog: Blog) -> Counts:
    """Counts per status x kind in one grouped query (see ``count_selects``)."""
    with blog.engine.connect() as conn:
        return counts_of(conn.execute(union_all(*count_selects(blog))))


def count_selects(blog: Blog) -> list[Select[Any]]:
    """SELECTs of (comment_approved, kind, count) whose UNION ALL counts the pings.

    Pingbacks and trackbacks are found by comment_type, webmentions through
    their protocol meta (an indexed lookup), joined with UNION ALL so neither
    half probes commentmeta for a million ordinary comments.
    """
    c, m = blog.tables.comments, blog.tables.commentmeta
    # Grouped inside each branch: the union then carries a handful of rows, not 300k.
    # Only the four views' statuses (not post-trashed), grouped in the index's order: with
    # pingdesk's optional (comment_approved, comment_type, ...) index that is 8 short
    # ranges, not a scan of the whole index (0.11 s against 0.33 s on 1M comments).
    views = list(STATUSES.values())
    typed = (
        select(c.c.comment_approved, c.c.comment_type, func.count())
        .where(c.c.comment_approved.in_(views), c.c.comment_type.in_(["pingback", "trackback"]))
        .group_by(c.c.comment_approved, c.c.comment_type)
    )
    wm = (
        select(c.c.comment_approved, literal("webmention"), func.count())
        .select_from(m.join(c, c.c.comment_ID == m.c.comment_id))
        .where(
            m.c.meta_key == WEBMENTION_PROTOCOL[0],
            m.c.meta_value == WEBMENTION_PROTOCOL[1],
            c.c.comment_type.not_in(["pingback", "trackback"]),
        )
        .group_by(c.c.comment_approved)
    )
    return [typed, wm]


def counts_of(rows: Iterable[Sequence[Any]]) -> Counts:
    """Counts from (comment_approved, kind, count) rows; statuses outside the views
    (post-trashed) are left out."""
    by_status: dict[str, dict[str, int]] = {s: dict.fromkeys(KINDS, 0) for s in STATUSES}
    names = {code: name for name, code in STATUSES.items()}
    for status, kind, n in rows:
        name = names.get(status)
        if name is None:
            continue
        by_status[name][kind] = by_status[name].get(kind, 0) + int(n)
    return Counts(by_status)
