"""Many sites of one multisite network read as one: their live sites, and the pings
of all of them in batched UNION ALLs over the sites' own tables.

A network of 10,000 sites must not cost 10,000 serial queries per screen: each
query here covers ``BATCH`` sites, a site without matching pings costs one index
probe inside it, and the results are merged in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import Select, literal, select, text, union_all
from sqlalchemy.engine import Connection

from pingdesk.wp.blog import Blog
from pingdesk.wp.connect import NetworkSite, _list_sites
from pingdesk.wp.pings import (
    Counts,
    Ping,
    PingFilter,
    build_pings,
    count_selects,
    counts_of,
    id_selects,
    ping_select,
)
from pingdesk.wp.schema import Tables, WPDateTime

# Sites per query: MariaDB takes a UNION of a few hundred SELECTs in a few ms to
# plan; far more makes one statement long to parse and one slow site holds all.
BATCH = 200
# Batches read at once (each on its own connection): enough to use the server's cores,
# few enough to leave connections for wp-admin's own requests.
CONCURRENCY = 3

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
    rows: dict[int, list[tuple[Any, Any, Any]]] = {m.no: [] for m in members}
    for no, status, kind, n in _union(members, count_selects):
        rows[int(no)].append((status, kind, n))
    return {no: counts_of(r) for no, r in rows.items()}


def dated_ids(
    members: Sequence[Member], flt: PingFilter, *, limit: int | None = None
) -> list[tuple[datetime | None, int, int]]:
    """(comment_date_gmt, member, comment id) of the pings the filter matches on every
    member (members share one engine), in no order. ``limit``: each site's newest
    that many only, so the first screen of 10,000 sites reads few rows."""

    def parts(blog: Blog) -> list[Select[Any]]:
        c = blog.tables.comments
        found = id_selects(blog, flt)
        if limit is None:
            return found
        return [
            s.order_by(c.c.comment_date_gmt.desc(), c.c.comment_ID.desc()).limit(limit)
            for s in found
        ]

    out: list[tuple[datetime | None, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for no, cid, date in _union(members, parts, newest=limit):
        key = (int(no), int(cid))
        if key not in seen:  # a webmention with two protocol rows comes twice
            seen.add(key)
            out.append((date if isinstance(date, datetime) else None, key[0], key[1]))
    return out


def pings_by_member(wanted: Sequence[tuple[Member, Sequence[int]]]) -> dict[int, list[Ping]]:
    """Pings by id on several members (sharing one MySQL/MariaDB engine) in a few
    statements: a first screen of 150 pings from 60 sites is one UNION ALL, not 60
    queries each compiled by SQLAlchemy for its own tables."""
    wanted = [(m, [int(i) for i in ids]) for m, ids in wanted if ids]
    if not wanted:
        return {}
    engine = wanted[0][0].blog.engine
    template = Blog(engine, Tables(_TEMPLATE, wanted[0][0].blog.tables.base_prefix), "")
    # The ids differ from site to site: a marker in the compiled text takes them, as
    # integers (int() above), so nothing but digits and commas goes into the SQL.
    stmt = ping_select(template).where(text(f"{_TEMPLATE}comments.comment_ID IN ({_IDS})"))
    compiled = stmt.compile(engine, compile_kwargs={"render_postcompile": True})
    sql, params = str(compiled), dict(compiled.params)
    dates = WPDateTime()
    out: dict[int, list[Ping]] = {}
    with engine.connect() as conn:
        _prefill_options([m for m, _ in wanted], conn)
        for batch in _batches(wanted):
            union = " UNION ALL ".join(
                f"SELECT {int(m.no)} AS pd_no, t.* FROM ("
                + sql.replace(_TEMPLATE, m.blog.tables.prefix).replace(
                    _IDS, ",".join(map(str, ids))
                )
                + ") AS t"
                for m, ids in batch
            )
            by_no: dict[int, list[Any]] = {}
            for row in conn.exec_driver_sql(union, params):
                r = dict(row._mapping)
                for name in ("comment_date", "comment_date_gmt"):
                    r[name] = dates.process_result_value(r[name], engine.dialect)
                by_no.setdefault(int(r.pop("pd_no")), []).append(SimpleNamespace(**r))
            for m, _ in batch:
                out[m.no] = build_pings(m.blog, conn, by_no.get(m.no, []))
    return out


def _prefill_options(members: Sequence[Member], conn: Connection) -> None:
    """Each member's home and siteurl (its own hosts, for self-pings) in one query."""
    todo = [m for m in members if "home" not in m.blog._options]
    if not todo:
        return
    found: dict[int, dict[str, str | None]] = {m.no: {"home": None, "siteurl": None} for m in todo}
    for batch in _batches(todo):
        parts = []
        for m in batch:
            opt = m.blog.tables.options
            parts.append(
                select(literal(m.no), opt.c.option_name, opt.c.option_value).where(
                    opt.c.option_name.in_(("home", "siteurl"))
                )
            )
        for no, name, value in conn.execute(union_all(*parts)):
            found[int(no)][str(name)] = value
    for m in todo:
        m.blog._options.update(found[m.no])


IndexRow = tuple[int, int, int, int, str, str, str]  # member, id, date, post, status, type, url


def index_rows(members: Sequence[Member], flt: PingFilter) -> list[IndexRow]:
    """Every member's rows of the view as ping_index reads them (``flt`` without its
    domain and self terms), in no order; a webmention with two protocol rows once."""
    from pingdesk.wp.ping_index import date_number, index_selects

    out: list[IndexRow] = []
    seen: set[tuple[int, int]] = set()
    for no, cid, d, post, status, ctype, url in _union(
        members, lambda blog: index_selects(blog, flt)
    ):
        key = (int(no), int(cid))
        if key in seen:
            continue
        seen.add(key)
        out.append(
            (
                key[0],
                key[1],
                date_number(d),
                int(post or 0),
                str(status),
                str(ctype or ""),
                str(url or ""),
            )
        )
    return out


def webmention_sources_by_member(
    wanted: Sequence[tuple[Member, Sequence[int]]],
) -> dict[tuple[int, int], str]:
    """(member, id) -> webmention_source_url, for the few webmentions of a view."""
    from pingdesk.wp.ping_index import webmention_sources

    out: dict[tuple[int, int], str] = {}
    todo = [(m, list(ids)) for m, ids in wanted if ids]
    if not todo:
        return out
    with todo[0][0].blog.engine.connect() as conn:
        for m, ids in todo:
            for cid, source in webmention_sources(conn, m.blog, ids).items():
                out[(m.no, cid)] = source
    return out


def own_hosts(members: Sequence[Member]) -> frozenset[str]:
    """Every member's home and siteurl hosts (their options read in one query)."""
    from pingdesk.wp.pings import blog_hosts

    if members:
        with members[0].blog.engine.connect() as conn:
            _prefill_options(members, conn)
    return frozenset().union(*(blog_hosts(m.blog) for m in members))


# Stands for a site's prefix in the one statement compiled for all sites (see _union).
_TEMPLATE = "pdsitetemplate_"
_IDS = "pd_ids_marker"
_PARAM = re.compile(r"%\((\w+)\)s")


def _union(
    members: Sequence[Member],
    build: Callable[[Blog], list[Select[Any]]],
    *,
    newest: int | None = None,
) -> Iterator[Sequence[Any]]:
    """Rows of ``build(site)`` for every member, each led by the member's number:
    UNION ALLs of ``BATCH`` sites.

    On MySQL/MariaDB the SELECTs are compiled once, for a template site, and each
    site's copy differs only in its table prefix: SQLAlchemy compiling 2,000
    subqueries per screen cost more than MariaDB running them (2.5 s against 0.3 s
    on 960 sites). The prefix is validated (schema.validate_prefix), so putting it
    into the text is as safe as SQLAlchemy putting it into identifiers; values stay
    bound parameters, the same for every site. ``newest``: rows are (no, id, date);
    each batch gives only its newest that many (MariaDB sorts, fewer rows travel).
    """
    if not members:
        return
    engine = members[0].blog.engine
    if engine.dialect.paramstyle != "pyformat":
        with engine.connect() as conn:
            for batch in _batches(list(members)):
                parts = [_tagged(s, m.no) for m in batch for s in build(m.blog)]
                yield from conn.execute(union_all(*parts))
        return
    template = Blog(engine, Tables(_TEMPLATE, members[0].blog.tables.base_prefix), "")
    pieces: list[str] = []
    params: dict[str, Any] = {}
    for k, stmt in enumerate(build(template)):
        compiled = stmt.compile(engine, compile_kwargs={"render_postcompile": True})
        # Each piece's parameters get a name of their own: two pieces may both have
        # a comment_approved_1, with different values.
        pieces.append(_PARAM.sub(rf"%(\1_{k})s", str(compiled)))
        params.update({f"{name}_{k}": v for name, v in compiled.params.items()})

    def run(batch: list[Member]) -> list[Sequence[Any]]:
        sql = " UNION ALL ".join(
            f"SELECT {int(m.no)} AS pd_no, t.* FROM "
            f"({piece.replace(_TEMPLATE, m.blog.tables.prefix)}) AS t"
            for m in batch
            for piece in pieces
        )
        if newest is not None:
            sql = f"SELECT * FROM ({sql}) AS u ORDER BY 3 DESC, 2 DESC LIMIT {int(newest)}"
        with engine.connect() as conn:
            return list(conn.exec_driver_sql(sql, params))

    batches = list(_batches(list(members)))
    if len(batches) == 1:
        yield from run(batches[0])
        return
    # A few batches at once, each on its own connection: the server opens the
    # sites' tables on more than one core while the rows of another batch travel.
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for rows in pool.map(run, batches):
            yield from rows


def _tagged(s: Select[Any], no: int) -> Select[Any]:
    """``s`` as a subquery with the member's number in front: a SELECT with its own
    ORDER BY/LIMIT stays valid inside a UNION on every dialect."""
    sub = s.subquery()
    return select(literal(no), *sub.c)


def _batches(items: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
