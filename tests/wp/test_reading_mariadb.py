"""Reading on a WordPress-installed MariaDB: id snapshots, keyset pages and counts agree
with each other and with a plain count of the rows WordPress wrote."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import func, select

from pingdesk.wp.pings import (
    STATUSES,
    WEBMENTION_PROTOCOL,
    PingFilter,
    count_pings,
    iter_pings,
    ping_ids,
)
from tests.support.wpbed import seed_pings

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]


@pytest.fixture
def blog(wp_site: Any) -> Any:
    site = wp_site()
    seed_pings(site, 6, 80, random.Random(11))
    b = site.blog()
    yield b
    b.engine.dispose()


@pytest.mark.parametrize(
    "flt",
    [
        PingFilter(status="pending"),
        PingFilter(status="all"),
        PingFilter(status="all", kind="webmention"),
        PingFilter(status="approved", kind="pingback"),
        PingFilter(status="all", self_only=True),
        PingFilter(status="all", search="a"),
    ],
)
def test_snapshot_equals_keyset_iteration(blog: Any, flt: PingFilter) -> None:
    ids = ping_ids(blog, flt)
    assert ids, "the seeded blog has pings of every kind this filter names"
    assert ids == [p.id for p in iter_pings(blog, flt, batch=7)]


def test_counts_match_the_rows(blog: Any) -> None:
    c, m = blog.tables.comments, blog.tables.commentmeta
    counts = count_pings(blog).to_json()
    with blog.engine.connect() as conn:
        for name, code in STATUSES.items():
            for kind in ("pingback", "trackback"):
                n = conn.execute(
                    select(func.count()).where(
                        c.c.comment_type == kind, c.c.comment_approved == code
                    )
                ).scalar_one()
                assert counts[name][kind] == n
            wm = conn.execute(
                select(func.count(func.distinct(c.c.comment_ID)))
                .select_from(m.join(c, c.c.comment_ID == m.c.comment_id))
                .where(
                    m.c.meta_key == WEBMENTION_PROTOCOL[0],
                    m.c.meta_value == WEBMENTION_PROTOCOL[1],
                    c.c.comment_approved == code,
                )
            ).scalar_one()
            assert counts[name]["webmention"] == wm
    assert sum(counts["pending"].values()) == len(ping_ids(blog, PingFilter(status="pending")))
