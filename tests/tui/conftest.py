"""Fixtures for the UI tests: the same WordPress-made blog on MariaDB and on SQLite.

``env`` is parametrized: "mariadb" runs the UI on a real WordPress database from
the test bed (tests/conftest.py ``wp_site``); "sqlite" on a SQLite copy of it.
Tests check the database afterwards, not only the screen.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).parent))

from pingdesk.journal import Journal
from pingdesk.ops import Desk
from pingdesk.tui.app import PingdeskApp
from pingdesk.wp.blog import Blog
from pingdesk.wp.pings import PingFilter
from pingdesk.wp.schema import Tables

NOW_REAL = None  # live tests use the real clock


@dataclass
class Env:
    backend: str
    desk: Desk
    site: Any  # wpbed.WPSite (the MariaDB original; for sqlite: the source site)

    @property
    def blog(self) -> Blog:
        return self.desk.blog

    @property
    def engine(self) -> Engine:
        return self.desk.blog.engine

    @property
    def tables(self) -> Tables:
        return self.desk.blog.tables

    def status(self, cid: int) -> str | None:
        c = self.tables.comments
        with self.engine.connect() as conn:
            return conn.execute(
                select(c.c.comment_approved).where(c.c.comment_ID == cid)
            ).scalar_one_or_none()

    def meta(self, cid: int) -> dict[str, str]:
        m = self.tables.commentmeta
        with self.engine.connect() as conn:
            return {
                k: v
                for k, v in conn.execute(
                    select(m.c.meta_key, m.c.meta_value).where(m.c.comment_id == cid)
                )
            }

    def comment_count(self, post_id: int) -> int:
        p = self.tables.posts
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(p.c.comment_count).where(p.c.ID == post_id)).scalar_one()
            )

    def post_of(self, cid: int) -> int:
        c = self.tables.comments
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(c.c.comment_post_ID).where(c.c.comment_ID == cid)).scalar_one()
            )

    def ids(self, status: str = "pending", **kw: Any) -> list[int]:
        return self.desk.ids(PingFilter(status=status, **kw))


@pytest.fixture(params=["sqlite", "mariadb"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    from wpbed import seed_pings

    make_site = request.getfixturevalue("wp_site")
    site = make_site()
    seed_pings(site, 5, 40, random.Random(11))
    if request.param == "mariadb":
        blog = site.blog()
    else:
        blog = site.sqlite_blog(tmp_path / "blog.sqlite")
    desk = Desk(blog, Journal(tmp_path / "journal.sqlite3"))
    yield Env(request.param, desk, site)
    desk.journal.close()


@pytest.fixture
def make_app() -> Callable[..., PingdeskApp]:
    def make(desk: Desk, **kw: Any) -> PingdeskApp:
        kw.setdefault("refresh_interval", None)
        return PingdeskApp(desk, **kw)

    return make
