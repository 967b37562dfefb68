"""Test WordPress sites: installed once per session as templates, cloned per test."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from pingdesk.wp.blog import Blog
from pingdesk.wp.schema import Tables, site_prefix

from . import mariadb, php
from .php import Running
from .snapshot import Snapshot, copy_to_sqlite, take

DEFAULT_HOME = "http://blog.test"
SUB_SITE_PATH = "/sub/"


@dataclass
class Bed:
    """Session-wide state: our WP_CONTENT_DIR, installed templates, what to clean up."""

    root: Path
    content_dir: Path
    keep: bool = False
    templates: dict[tuple[str, str, bool], str] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)
    # Made once for the session (like templates) and shared by tests: a test's clean-up
    # must not drop them; the session's does.
    pinned: set[str] = field(default_factory=set)
    engines: list[Engine] = field(default_factory=list)

    def site_config(
        self, db: str, prefix: str, home: str, *, multisite: bool = False, path: str = "/"
    ) -> dict[str, Any]:
        return {
            "db_name": db,
            "db_user": mariadb.USER,
            "db_password": mariadb.PASSWORD,
            "db_host": mariadb.bridge_host(),
            "prefix": prefix,
            "home": home,
            "content_dir": str(self.content_dir),
            "multisite": multisite,
            "path": path,
        }

    def engine(self, url: str) -> Engine:
        engine = create_engine(url, pool_pre_ping=False)
        self.engines.append(engine)
        return engine

    def new_database(self, tag: str = "") -> str:
        name = mariadb.new_name(tag)
        mariadb.create_database(name)
        self.databases.append(name)
        return name

    def clone_database(self, src: str) -> str:
        name = mariadb.new_name()
        self.databases.append(name)
        mariadb.clone_database(src, name)
        return name

    def template(self, prefix: str, home: str, multisite: bool) -> str:
        """A database with a fresh WordPress install, made once per session."""
        key = (prefix, home, multisite)
        if key not in self.templates:
            db = self.new_database("_tpl")
            single = self.site_config(db, prefix, home)
            commands: list[dict[str, Any]] = [{"cmd": "install", "title": "Test Blog"}]
            if multisite:
                commands.append({"cmd": "install_network", "title": "Test Network"})
            php.run(single, commands)
            if multisite:
                network = self.site_config(db, prefix, home, multisite=True)
                php.run(network, [{"cmd": "create_blog", "path": SUB_SITE_PATH, "title": "Sub"}])
            self.templates[key] = db
        return self.templates[key]

    def release(self, databases: Sequence[str], *, session_end: bool = False) -> None:
        """Close every engine made so far and drop ``databases`` (pinned ones only at
        the session's end)."""
        for engine in self.engines:
            engine.dispose()
        self.engines.clear()
        if self.keep:
            return
        for name in databases:
            if name in self.pinned and not session_end:
                continue
            mariadb.drop_database(name)
            if name in self.databases:
                self.databases.remove(name)

    def site(
        self, prefix: str = "wp_", home: str = DEFAULT_HOME, *, multisite: bool = False
    ) -> WPSite:
        db = self.clone_database(self.template(prefix, home, multisite))
        return WPSite(bed=self, db=db, base_prefix=prefix, home=home, multisite=multisite)


@dataclass
class WPSite:
    """One WordPress site in one MariaDB database (see tests/conftest.py for the API)."""

    bed: Bed
    db: str
    base_prefix: str
    home: str
    multisite: bool = False
    blog_id: int = 1
    path: str = "/"
    # A WP_CONTENT_DIR of this site's own (php.make_content_dir), for tests that write
    # into it (must-use plugins); None: the bed's shared one.
    content_dir: Path | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _tables: Tables | None = field(default=None, repr=False)

    @property
    def prefix(self) -> str:
        return site_prefix(self.base_prefix, self.blog_id)

    @property
    def url(self) -> str:
        return mariadb.url(self.db)

    @property
    def site_home(self) -> str:
        """This (sub-)site's home URL, without a trailing slash."""
        parts = urlsplit(self.home)
        return f"{parts.scheme}://{parts.netloc}{self.path}".rstrip("/")

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            self._tables = Tables(self.prefix, self.base_prefix)
        return self._tables

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.bed.engine(self.url)
        return self._engine

    @property
    def label(self) -> str:
        return f"{mariadb.USER}@{mariadb.HOST}/{self.db}"

    def config(self) -> dict[str, Any]:
        config = self.bed.site_config(
            self.db, self.base_prefix, self.home, multisite=self.multisite, path=self.path
        )
        if self.content_dir is not None:
            config["content_dir"] = str(self.content_dir)
        return config

    def php(self, commands: list[dict[str, Any]], timeout: float = 300) -> list[Any]:
        """Run bridge commands (one PHP process) on this site; one result per command."""
        return php.run(self.config(), commands, timeout=timeout)

    def php1(self, command: dict[str, Any]) -> Any:
        return self.php([command])[0]

    def php_background(self, commands: list[dict[str, Any]]) -> Running:
        """Start the commands in a background thread; ``.result()`` waits for them."""
        return Running(self.config(), commands)

    def blog(self, *, engine: Engine | None = None) -> Blog:
        """pingdesk's handle on this site (a new engine unless one is given)."""
        return Blog(
            engine=engine or self.bed.engine(self.url),
            tables=Tables(self.prefix, self.base_prefix),
            label=self.label,
            site_id=self.blog_id if self.multisite else None,
            multisite=self.multisite,
        )

    def sub_site(self, blog_id: int = 2, path: str = SUB_SITE_PATH) -> WPSite:
        """The same database seen as a multisite sub-site (tables {base}{blog_id}_*)."""
        assert self.multisite, "only a multisite network has sub-sites"
        return WPSite(
            bed=self.bed,
            db=self.db,
            base_prefix=self.base_prefix,
            home=self.home,
            multisite=True,
            blog_id=blog_id,
            path=path,
        )

    def clone(self, name: str | None = None) -> WPSite:
        """A twin database with identical content (and AUTO_INCREMENT counters)."""
        db = mariadb.new_name(f"_{name}" if name else "")
        self.bed.databases.append(db)
        mariadb.clone_database(self.db, db)
        return WPSite(
            bed=self.bed,
            db=db,
            base_prefix=self.base_prefix,
            home=self.home,
            multisite=self.multisite,
            blog_id=self.blog_id,
            path=self.path,
        )

    def to_sqlite(self, path: Path | str) -> Engine:
        """Copy every row of this site's WordPress tables into a new SQLite file."""
        engine = copy_to_sqlite(self.engine, self.tables, Path(path))
        self.bed.engines.append(engine)
        return engine

    def sqlite_blog(self, path: Path | str) -> Blog:
        """to_sqlite(path) and pingdesk's Blog on that file."""
        engine = self.to_sqlite(path)
        return Blog(engine=engine, tables=self.tables, label=str(path))

    def snapshot(self) -> Snapshot:
        return take(self.engine, self.tables)


def keep_databases() -> bool:
    return os.environ.get("PINGDESK_TEST_KEEP_DBS", "") not in ("", "0")
