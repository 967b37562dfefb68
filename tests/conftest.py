"""Shared fixtures: real WordPress on real MariaDB (no mocks).

The machine needs MariaDB on 127.0.0.1:3306 (root, no password; override with
PINGDESK_TEST_MYSQL_HOST/PORT/USER/PASSWORD), php-cli + php-mysql and Debian's
WordPress in /usr/share/wordpress. ``bash .ci/test`` installs and starts all of it.
If something is missing, the first test that needs it FAILS with a clear message
(nothing is skipped).

Fixtures
--------
``wp_site`` (function scope) — a factory::

    site = wp_site()                       # prefix "wp_", home "http://blog.test"
    site = wp_site(prefix="blog7_")        # any prefix WordPress allows
    site = wp_site(home="http://127.0.0.1:8123")

Each call gives a ``wpbed.WPSite`` in a NEW database ``pd_t_<pid>_<random>``, cloned
from a WordPress install made once per session per (prefix, home) — cheap (~50 ms).
Databases are dropped when the test ends (keep them: PINGDESK_TEST_KEEP_DBS=1); those
of a killed session are dropped by the next session.
A ``WPSite`` has:

- ``url`` — SQLAlchemy URL ``mysql+pymysql://root@127.0.0.1:3306/<db>?charset=utf8mb4``;
  ``db``, ``prefix`` (e.g. "wp_", or "wp_2_" for a sub-site), ``base_prefix``,
  ``home`` / ``site_home``, ``tables`` (``Tables(prefix, base_prefix)``), ``engine``.
- ``php(commands) -> list`` — run bridge commands in ONE WordPress process on this site
  (see tests/wpbed/bridge.php for the commands: create_posts, new_comments, apply,
  moderate, sequence, set_option, get_option, permalinks, trackback_urls,
  count_comments, comment_status, trash_posts, info, ...). ``php1(command)`` runs one.
  Raises ``BridgeError`` (an AssertionError) when WordPress fails.
- ``blog()`` — ``pingdesk.wp.blog.Blog`` on a new engine for this site.
- ``clone(name=None)`` — a twin database with identical content and counters.
- ``to_sqlite(path) -> Engine`` — every row of the site's tables copied into a SQLite
  file made by ``Tables.metadata.create_all``; ``sqlite_blog(path)`` gives a ``Blog``.
- ``snapshot()`` — ``Snapshot`` of comments, commentmeta (multiset, meta_id and
  _wp_trash_meta_time values ignored) and posts; compare with ``==``, explain with
  ``a.diff(b)``. ``wpbed.snapshot.take(engine, tables)`` snapshots any engine.

``wp_multisite`` (function scope) — a ``WPSite`` for the main site of a fresh network
(path install, home http://blog.test) that has a sub-site, blog_id 2 at /sub/, with
tables wp_2_*; ``wp_multisite.sub_site()`` is the ``WPSite`` of blog 2.

``wp_network`` (function scope) — a ``wpbed.network.WPNetwork``: a subdirectory network
made by WordPress's own code (install_network(), populate_network(), wpmu_create_blog(),
wp_new_comment(), update_blog_status()), built once per session and cloned per test.
Sites 1 "/" (an approved pingback, nothing pending), 2 "/sub/" (pending pingbacks,
trackbacks, a webmention and a reader's comment; approved and spam pings), 3 "/site3/"
(pending pingbacks/trackbacks), 4 "/site4/" ARCHIVED with pending pings, 5 "/site5/" no
pings, 6 "/site6/" SPAM-flagged and 7 "/site7/" DELETED, each with a pending ping.
``.pings`` (``NetPing``: id, site, kind, status, post, date_gmt, source_url), ``.live``,
``.expected(status, sites=…)`` newest first, ``.site(blog_id)`` (a ``WPSite``),
``.wp_comments(status)`` / ``.wp_counts()`` (WordPress's answers after switch_to_blog(),
bridge commands network_comments / site_comment_counts), ``.set_status(site, archived=1)``.

``seed_pings(site, n_posts, n_pings, rng)`` (``from wpbed import seed_pings``; pytest puts
tests/ on sys.path) fills a site through wp_new_comment with pingbacks, trackbacks,
webmentions and normal comments (replies to pings included) across
approved/pending/spam/trash, and returns ``Seeded`` (ids by kind, post and parent).

``wp_bed`` (session) — the ``Bed`` behind the factories.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from tests.support.wpbed import Bed, WPSite, mariadb, network, php
from tests.support.wpbed.network import WPNetwork
from tests.support.wpbed.site import DEFAULT_HOME, keep_databases

# Settings a developer's shell may carry that must not steer the tests (test knobs stay).
_USER_ENV = re.compile(r"^PINGDESK_(?!TEST_|DIFF_)")


def pytest_configure(config: pytest.Config) -> None:
    """Keep every test away from the user's own files and settings, also when pytest is run
    by hand: XDG directories in a temporary directory, no PINGDESK_* from the shell
    (.ci/test does the same before it starts pytest)."""
    for name in [n for n in os.environ if _USER_ENV.match(n)]:
        del os.environ[name]
    home = Path(tempfile.mkdtemp(prefix="pingdesk-xdg-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
        (home / var.lower()).mkdir()
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


@pytest.fixture(scope="session")
def wp_bed() -> Iterator[Bed]:
    why = mariadb.ping()
    if why is not None:
        pytest.fail(
            f"MariaDB does not answer on {mariadb.HOST}:{mariadb.PORT} as {mariadb.USER} ({why}). "
            "Run the suite with `bash .ci/test`, which installs and starts it.",
            pytrace=False,
        )
    missing = php.missing_prerequisites()
    if missing:
        pytest.fail(
            "The WordPress test bed needs: "
            + "; ".join(missing)
            + ". `bash .ci/test` installs them.",
            pytrace=False,
        )
    mariadb.drop_orphans()
    root = Path(tempfile.mkdtemp(prefix="pingdesk-bed-"))
    php.use_opcache(root / "opcache")
    bed = Bed(root=root, content_dir=php.make_content_dir(root), keep=keep_databases())
    try:
        yield bed
    finally:
        bed.release(list(bed.databases), session_end=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def wp_site(wp_bed: Bed) -> Iterator[Callable[..., WPSite]]:
    mine: list[str] = []

    def make(prefix: str = "wp_", home: str = DEFAULT_HOME) -> WPSite:
        before = set(wp_bed.databases)
        site = wp_bed.site(prefix=prefix, home=home)
        mine.extend(d for d in wp_bed.databases if d not in before)
        return site

    yield make
    # Databases made by clone() of these sites are the test's too.
    templates = set(wp_bed.templates.values())
    wp_bed.release([d for d in wp_bed.databases if d not in templates])
    mine.clear()


@pytest.fixture
def wp_multisite(wp_bed: Bed) -> Iterator[WPSite]:
    site = wp_bed.site(multisite=True)
    yield site
    templates = set(wp_bed.templates.values())
    wp_bed.release([d for d in wp_bed.databases if d not in templates])


@pytest.fixture
def wp_network(wp_bed: Bed) -> Iterator[WPNetwork]:
    net = network.network(wp_bed)
    yield net
    templates = set(wp_bed.templates.values())
    wp_bed.release([d for d in wp_bed.databases if d not in templates])


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every TCP connection pingdesk's HTTP stack opens goes through here; only
    127.0.0.1 passes (network tests never reach another address). Returns the hosts."""
    seen: list[str] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def guarded(self: Any, host: str, port: int, **kw: Any) -> Any:
        seen.append(host)
        assert host == "127.0.0.1", f"tried to connect to {host}:{port}"
        return await real(self, host, port, **kw)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", guarded)
    return seen


def pytest_report_header() -> list[str]:
    return [
        f"pingdesk test bed: MariaDB {mariadb.HOST}:{mariadb.PORT}, WordPress {php.WP_ROOT}"
    ] + (
        ["PINGDESK_DIFF_SEQUENCES=" + os.environ["PINGDESK_DIFF_SEQUENCES"]]
        if "PINGDESK_DIFF_SEQUENCES" in os.environ
        else []
    )
