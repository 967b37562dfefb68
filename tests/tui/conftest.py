"""Fixtures for the UI tests: the same WordPress-made blog on MariaDB and on SQLite.

``env`` is parametrized: "mariadb" runs the UI on a real WordPress database from
the test bed (tests/conftest.py ``wp_site``); "sqlite" on a SQLite copy of it.
Tests check the database afterwards, not only the screen.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pingdesk.services.desk import Desk
from pingdesk.store.journal import Journal
from pingdesk.tui.app import PingdeskApp
from tests.support.tuienv import Env


@pytest.fixture(params=["sqlite", "mariadb"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    from tests.support.wpbed import seed_pings

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
