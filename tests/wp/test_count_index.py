"""The opt-in count index: created and dropped on a WordPress-installed MariaDB and on
SQLite, WordPress keeps working with it, and counts are the same with or without it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from pingdesk.wp import count_index as tuning
from pingdesk.wp.pings import count_pings
from tests.support.wpbed import seed_pings


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_index_on_mariadb_keeps_counts_and_wordpress_working(wp_site: Any) -> None:
    site = wp_site()
    seed_pings(site, 4, 40, random.Random(3))
    blog = site.blog()
    before = count_pings(blog).to_json()
    assert tuning.add_index(blog) is True
    assert tuning.add_index(blog) is False and tuning.has_index(blog)
    assert count_pings(blog).to_json() == before
    # WordPress still reads and writes comments with the extra index in place.
    counted = site.php1({"cmd": "count_comments"})
    assert counted
    assert tuning.drop_index(blog) is True and not tuning.has_index(blog)
    blog.engine.dispose()


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_index_on_sqlite(wp_site: Any, tmp_path: Path) -> None:
    site = wp_site()
    seed_pings(site, 4, 40, random.Random(4))
    blog = site.sqlite_blog(tmp_path / "blog.sqlite")
    before = count_pings(blog).to_json()
    assert tuning.add_index(blog) and tuning.has_index(blog)
    assert count_pings(blog).to_json() == before
    assert tuning.drop_index(blog) and not tuning.drop_index(blog)
    blog.engine.dispose()
