"""The view's snapshot answers `domain:` and self terms in memory and groups by domain:
exactly the ids the SQL path (LIKE prefilter + host check, page by page) gives, and
exactly the groups the page-by-page domain view made — on SQLite and on a blog that
WordPress made in MariaDB, with hostile source URLs among the pings."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from pingdesk.services.desk import Desk
from pingdesk.services.domain_view import group_by_domain
from pingdesk.services.snapshot import fill
from pingdesk.store.journal import Journal
from pingdesk.wp.akismet_meta import ERROR_KEY, RESULT_KEY, USER_RESULT_KEY
from pingdesk.wp.blog import Blog
from pingdesk.wp.meta_scan import scan_meta
from pingdesk.wp.pings import PingFilter, iter_pings, ping_ids
from pingdesk.wp.verify_meta import META_KEY, VerifyResult, store_results
from tests.support.blogdata import PingSpec, add_pings, default_pings, sqlite_desk
from tests.support.domain_oracle import group_by_domain_paged
from tests.support.wpbed import seed_pings

H = timedelta(hours=1)

# Source URLs a database may hold: WordPress cleans what wp_new_comment stores, but rows
# come from plugins, imports and old versions too.
HOSTILE_URLS = [
    "http://Spam.Example/UP",
    "HTTP://WWW.SPAM.EXAMPLE/shout",
    "http://a.spam.example:8080/port",
    "http://user:pw@b.spam.example/userinfo",
    "http://spam.example@evil.test/userinfo-trick",
    "http://spam.example.evil.test/suffix-trick",
    "http://notspam.example/lookalike",
    "http://spam.example./trailing-dot",
    "http://spa\tm.example/tab",
    "http://spam.exa\nmple/newline",
    "  http://spam.example/leading-space",
    "http://www.www.spam.example/double-www",
    "http://sub.www.spam.example/www-inside",
    "http://[2001:db8::1]/v6",
    "http://203.0.113.5:81/ip",
    "",
    "spam.example/no-scheme",
    "javascript:alert(1)",
    "http://bücher.example/idn",
    "http://xn--bcher-kva.example/puny",
    "http://spam.example%2Eevil.test/percent",
    "http://100%.example/like-wildcard",
    "http://under_score.example/like-wildcard",
    "http://blog.test/?p=2",
    "http://www.blog.test/self-www",
    "http://BLOG.TEST:80/self-upper",
    "http://[/broken",
    "http://x.github.io/psl",
    "http://y.github.io/psl",
]
# Webmentions: the source meta says where they come from, not the author URL.
WEBMENTION_URLS = ["http://wm.spam.example/wm", "https://Gamma.Example:443/wm", ""]

DOMAINS = [
    "spam.example",
    "www.spam.example",
    "SPAM.EXAMPLE",
    "a.spam.example",
    "spam.example:8080",
    "spam.example/some/path",
    "https://www.spam.example/x",
    "example",
    "evil.test",
    "notspam.example",
    "gamma.example",
    "blog.test",
    "203.0.113.5",
    "bücher.example",
    "xn--bcher-kva.example",
    "100%.example",
    "under_score.example",
    "%",
    "_",
    "github.io",
    "nowhere.example",
]


def _specs() -> list[PingSpec]:
    specs = list(default_pings())
    for n, url in enumerate(HOSTILE_URLS):
        kind = "trackback" if n % 3 == 0 else "pingback"
        status = "spam" if n % 7 == 6 else "0"
        specs.append(PingSpec(kind, status, url, f"Hostile {n}", 1 + n % 3, age=(n + 7) * H))
    for n, url in enumerate(WEBMENTION_URLS):
        specs.append(PingSpec("webmention", "0", url, f"WM {n}", 2, age=(n + 3) * H))
    # Two pings at the same second: display order falls back to the id.
    specs.append(PingSpec("pingback", "0", "http://tie.spam.example/1", "Tie 1", 1, age=8 * H))
    specs.append(PingSpec("pingback", "0", "http://tie.spam.example/2", "Tie 2", 1, age=8 * H))
    return specs


def _evidence(blog: Blog, ids: list[int]) -> None:
    """Verification results and Akismet meta on some pings, duplicates included."""
    results = ["linked", "gone", "no-link"]
    store_results(
        blog, [VerifyResult(ping_id=i, result=results[n % 3]) for n, i in enumerate(ids[::2])]
    )
    m = blog.tables.commentmeta
    rows: list[dict[str, Any]] = []
    for n, i in enumerate(ids):
        if n % 5 == 0:
            rows.append({"comment_id": i, "meta_key": RESULT_KEY, "meta_value": "true"})
        elif n % 5 == 1:
            rows.append({"comment_id": i, "meta_key": RESULT_KEY, "meta_value": "false"})
            rows.append({"comment_id": i, "meta_key": RESULT_KEY, "meta_value": "true"})
        elif n % 5 == 2:
            rows.append({"comment_id": i, "meta_key": RESULT_KEY, "meta_value": "true"})
            rows.append({"comment_id": i, "meta_key": USER_RESULT_KEY, "meta_value": "false"})
        elif n % 5 == 3 and n % 2:
            rows.append({"comment_id": i, "meta_key": ERROR_KEY, "meta_value": "1"})
    if ids:
        # Unreadable verification meta: the ping counts as unchecked, as load_results reads.
        rows.append({"comment_id": ids[1], "meta_key": META_KEY, "meta_value": "{not json"})
    with blog.engine.begin() as conn:
        conn.execute(insert(m), rows)


FILTERS = [
    PingFilter(status="pending"),
    PingFilter(status="all"),
    PingFilter(status="spam"),
    PingFilter(status="all", kind="webmention"),
    PingFilter(status="pending", kind="pingback"),
    PingFilter(status="all", post_id=2),
    PingFilter(status="all", search="Hostile"),
]


def _sql_ids(blog: Blog, flt: PingFilter) -> list[int]:
    """The SQL path: LIKE prefilter in the database, host check in Python, keyset pages."""
    return [p.id for p in iter_pings(blog, flt, batch=7)]


def _check_domain_filter(desk: Desk) -> None:
    for view in FILTERS:
        snap = desk.snapshot(view)
        assert snap.ids() == ping_ids(desk.blog, view)  # the snapshot is the view
        for domain in DOMAINS:
            flt = replace(view, domain=domain)
            assert snap.covers(flt)
            expected = _sql_ids(desk.blog, flt)
            assert snap.ids(flt) == expected, (view, domain)
            assert snap.filter_domain(domain) == expected
            assert desk.ids(flt) == expected  # ping_ids answers domain terms from the index
        for flt in (replace(view, self_only=True), replace(view, self_only=True, domain="blog")):
            assert snap.ids(flt) == _sql_ids(desk.blog, flt), flt


def _check_groups(desk: Desk) -> None:
    for view in [*FILTERS, PingFilter(status="all", domain="spam.example")]:
        expected = [g.to_json() for g in group_by_domain_paged(desk, view)]
        assert [g.to_json() for g in group_by_domain(desk, view)] == expected, view
        snap = desk.snapshot(view)
        groups = snap.group(view)
        assert not any(g.evidence for g in groups)  # the fast pass leaves the columns
        fill(groups, snap.evidence(desk, view))
        assert [g.to_json() for g in groups] == expected
        assert all(g.evidence for g in groups)
        seen = snap.statuses(view)
        for g in groups:
            assert g.seen == {i: seen[i] for i in g.ids}


def test_sqlite_domain_filter_equals_sql_path(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path, _specs())
    snap = desk.snapshot(PingFilter(status="all"))
    # The cases the SQL prefilter used to miss (user info, trailing dot, a tab) and the
    # tricks that must not match.
    matched = {
        p.author_url
        for p in desk.pings(snap.filter_domain("spam.example"))
        if p.kind != "webmention"
    }
    assert {
        "http://user:pw@b.spam.example/userinfo",
        "http://spam.example./trailing-dot",
        "http://spa\tm.example/tab",
        "HTTP://WWW.SPAM.EXAMPLE/shout",
        "http://a.spam.example:8080/port",
    } <= matched
    assert not matched & {
        "http://spam.example@evil.test/userinfo-trick",
        "http://spam.example.evil.test/suffix-trick",
        "http://notspam.example/lookalike",
        "http://spam.example%2Eevil.test/percent",
    }
    _check_domain_filter(desk)


def test_sqlite_groups_equal_the_paged_domain_view(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path, _specs())
    _evidence(desk.blog, ping_ids(desk.blog, PingFilter(status="all")))
    _check_groups(desk)
    groups = {g.domain: g for g in group_by_domain(desk, PingFilter(status="all"))}
    assert groups["spam.example"].kinds["webmention"] == 1  # by its source, not author URL
    assert groups["blog.test"].self_pings == 4
    assert "(no host)" in groups and "x.github.io" in groups


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_mariadb_blog_made_by_wordpress(wp_site: Any, tmp_path: Path) -> None:
    site = wp_site()
    seeded = seed_pings(site, 6, 60, random.Random(5))
    blog = site.blog()
    with blog.engine.begin() as conn:
        specs = [replace(s, post=seeded.posts[s.post % len(seeded.posts)]) for s in _specs()]
        add_pings(conn, blog.tables, specs)
    desk = Desk(blog, Journal(tmp_path / "journal.sqlite3"))
    try:
        _evidence(blog, ping_ids(blog, PingFilter(status="all"))[::3])
        home_host = site.home.split("://")[1].split("/")[0]
        assert desk.snapshot(PingFilter(status="all")).ids(
            PingFilter(status="all", self_only=True)
        ), f"the seeded blog has self-pings from {home_host}"
        _check_domain_filter(desk)
        _check_groups(desk)
    finally:
        desk.journal.close()
        blog.engine.dispose()


def test_meta_scan_by_key_and_by_id_read_the_same_rows(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path, _specs())
    blog = desk.blog
    ids = ping_ids(blog, PingFilter(status="all"))
    _evidence(blog, ids)
    m = blog.tables.commentmeta
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(blog.engine, "before_cursor_execute", seen)

    def reference(keys: list[str], wanted: set[int]) -> list[tuple[int, str, str | None]]:
        with blog.engine.connect() as conn:
            rows = conn.execute(
                select(m.c.comment_id, m.c.meta_key, m.c.meta_value)
                .where(m.c.meta_key.in_(keys), m.c.comment_id.in_(sorted(wanted)))
                .order_by(m.c.meta_id)
            )
            return [(int(c), k, v) for c, k, v in rows]

    def per_comment(rows: list[tuple[int, str, str | None]]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        for cid, key, value in rows:
            out.setdefault(cid, []).append((key, value))  # a comment's rows in meta_id order
        return out

    keys = [RESULT_KEY, USER_RESULT_KEY, ERROR_KEY]
    for wanted, by_id in [(set(ids[:3]), True), (set(ids), False)]:
        statements.clear()
        got = list(scan_meta(blog, keys, wanted))
        assert any("comment_id IN" in s for s in statements) == by_id
        assert per_comment(got) == per_comment(reference(keys, wanted))
    event.remove(blog.engine, "before_cursor_execute", seen)


def test_any_number_of_odd_statuses(tmp_path: Path) -> None:
    # comment_approved is free text to the database: 200 made-up values in one view.
    specs = [PingSpec("pingback", f"odd{n}", f"http://s{n % 7}.example/", "X") for n in range(200)]
    desk = sqlite_desk(tmp_path, specs)
    view = PingFilter(status="all")
    snap = desk.snapshot(view)
    assert snap.ids() == ping_ids(desk.blog, view)
    assert len(set(snap.statuses().values())) == 200
    expected = [g.to_json() for g in group_by_domain_paged(desk, view)]
    assert [g.to_json() for g in group_by_domain(desk, view)] == expected
