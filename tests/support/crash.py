"""Helpers for the crash tests: a WordPress-made bulk blog, the invariants a crash must
keep, pingdesk as a subprocess, and a private MariaDB server a test may kill.

The bulk blog is made once per session by WordPress itself (``wp_new_comment`` for
every ping, on the shared MariaDB test server) and kept as a template database plus a
SQLite copy; each run works on a fresh clone of one of them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pymysql
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pingdesk.config import load_config
from pingdesk.services.desk import Desk
from pingdesk.services.locate import Where, open_desk
from pingdesk.store.journal import Journal
from pingdesk.wp.schema import Tables
from tests.support.wpbed import Bed, WPSite, mariadb
from tests.support.wpbed.seed import bulk_ping_specs
from tests.support.wpbed.snapshot import copy_to_sqlite

KEY = "a1b2c3d4e5f6"  # FakeAkismet's default valid key
CHUNK = 1000  # moderate()'s chunk size
TRASH_KEYS = ("_wp_trash_meta_status", "_wp_trash_meta_time")
SRC = Path(__file__).resolve().parents[2] / "src"


def crash_runs(default: int = 20) -> int:
    return max(1, int(os.environ.get("PINGDESK_TEST_CRASH_RUNS", str(default))))


# --------------------------------------------------------------------------- the blog


@dataclass(frozen=True)
class BulkBlog:
    """A pristine WordPress-made blog: ``db`` on the shared server (never modified;
    clone it) and the same rows in ``sqlite`` (copy it). ``ids``: its pings, a quarter
    approved, the rest pending; every post has a few."""

    db: str
    sqlite: Path
    ids: tuple[int, ...]
    prefix: str = "wp_"


_bulk: dict[tuple[str, int], BulkBlog] = {}


def bulk_blog(bed: Bed, n: int) -> BulkBlog:
    """Made once per session (and per ``n``): WordPress creates ``n`` pings through
    wp_new_comment on 25 posts and stores an Akismet key in wordpress_api_key."""
    key = (str(bed.root), n)
    if key in _bulk:
        return _bulk[key]
    site = bed.site()
    posts = site.php1({"cmd": "create_posts", "n": 25})
    specs = bulk_ping_specs(posts, n, approved_every=4)
    site.php([{"cmd": "set_option", "name": "wordpress_api_key", "value": KEY}])
    ids: list[int] = []
    for start in range(0, n, 2500):
        ids += site.php1({"cmd": "new_comments", "comments": specs[start : start + 2500]})
    path = bed.root / f"bulk{n}.sqlite"
    copy_to_sqlite(site.engine, site.tables, path).dispose()
    site.engine.dispose()
    bed.pinned.add(site.db)  # shared by the tests of this session: no test drops it
    made = BulkBlog(db=site.db, sqlite=path, ids=tuple(sorted(ids)))
    _bulk[key] = made
    return made


def clone_mariadb(bed: Bed, bulk: BulkBlog) -> WPSite:
    """A fresh copy of the bulk blog on the shared server (dropped with the bed's)."""
    name = mariadb.new_name("_crash")
    bed.databases.append(name)
    mariadb.clone_database(bulk.db, name)
    return WPSite(bed=bed, db=name, base_prefix=bulk.prefix, home="http://blog.test")


def copy_sqlite(bulk: BulkBlog, path: Path) -> str:
    shutil.copyfile(bulk.sqlite, path)
    return f"sqlite:///{path}"


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class State:
    """What a moderation and its undo must leave exactly as it was."""

    status: dict[int, str]
    trash_meta: tuple[tuple[int, str, str], ...]  # (comment, key, value); time values blanked
    comment_count: dict[int, int]

    def diff(self, other: State) -> list[str]:
        out = [
            f"#{i}: status {self.status.get(i)!r} != {other.status.get(i)!r}"
            for i in sorted(set(self.status) | set(other.status))
            if self.status.get(i) != other.status.get(i)
        ][:10]
        if self.trash_meta != other.trash_meta:
            a, b = set(self.trash_meta), set(other.trash_meta)
            out.append(
                f"trash meta: only before {sorted(a - b)[:5]}, only after {sorted(b - a)[:5]}"
            )
            if len(self.trash_meta) != len(other.trash_meta):
                out.append(f"trash meta rows: {len(self.trash_meta)} != {len(other.trash_meta)}")
        for p in sorted(set(self.comment_count) | set(other.comment_count)):
            if self.comment_count.get(p) != other.comment_count.get(p):
                out.append(f"post {p}: {self.comment_count.get(p)} != {other.comment_count.get(p)}")
        return out


def read_state(engine: Engine, tables: Tables) -> State:
    c, m, p = tables.comments, tables.commentmeta, tables.posts
    with engine.connect() as conn:
        status = {
            int(i): str(s) for i, s in conn.execute(select(c.c.comment_ID, c.c.comment_approved))
        }
        metas = sorted(
            (int(cid), str(k), "<time>" if k == TRASH_KEYS[1] else str(v))
            for cid, k, v in conn.execute(
                select(m.c.comment_id, m.c.meta_key, m.c.meta_value).where(
                    m.c.meta_key.in_(TRASH_KEYS)
                )
            )
        )
        counts = {int(i): int(n) for i, n in conn.execute(select(p.c.ID, p.c.comment_count))}
    return State(status, tuple(metas), counts)


def recounted(engine: Engine, tables: Tables) -> dict[int, int]:
    """Every post's approved comments, as wp_update_comment_count_now() counts them."""
    c, p = tables.comments, tables.posts
    with engine.connect() as conn:
        approved = dict(
            conn.execute(
                select(c.c.comment_post_ID, func.count())
                .where(c.c.comment_approved == "1")
                .group_by(c.c.comment_post_ID)
            ).all()
        )
        return {int(i): int(approved.get(i, 0)) for (i,) in conn.execute(select(p.c.ID))}


def chunks(ids: Sequence[int], size: int = CHUNK) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def journal_rows(journal: Journal, action_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """For one action: applied items per comment, and ready reports per comment; raises
    when the action left anything unsettled (an item not applied, a report not ready)."""
    items: dict[int, int] = {}
    reports: dict[int, int] = {}
    with journal.reading() as db:
        for oid, applied in db.execute(
            "SELECT object_id, applied FROM items WHERE action_id = ?", (action_id,)
        ):
            assert applied == 1, f"item for #{oid} left unapplied after reconciliation"
            items[int(oid)] = items.get(int(oid), 0) + 1
        for cid, ready in db.execute(
            "SELECT o.comment_id, o.ready FROM outbox o JOIN items i ON i.id = o.item_id"
            " WHERE i.action_id = ?",
            (action_id,),
        ):
            assert ready == 1, f"report for #{cid} left not ready after reconciliation"
            reports[int(cid)] = reports.get(int(cid), 0) + 1
        stray = db.execute(
            "SELECT COUNT(*) FROM outbox WHERE item_id IS NOT NULL"
            " AND item_id NOT IN (SELECT id FROM items)"
        ).fetchone()[0]
    assert stray == 0, f"{stray} report(s) whose journal item is gone"
    return items, reports


def open_cli_desk(db_url: str, journal: Journal) -> Desk:
    """A Desk opened the way every front end opens one: reconciliation runs."""
    return open_desk(Where(db=db_url, prefix="wp_"), load_config(environ={}), journal)


# --------------------------------------------------------------------------- processes


def pingdesk_env(data_home: Path, **extra: str) -> dict[str, str]:
    """The environment of a pingdesk subprocess: its own XDG folders (so its own
    journal), this checkout's sources, no PINGDESK_* from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGDESK_")}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        d = data_home / var.lower()
        d.mkdir(parents=True, exist_ok=True)
        env[var] = str(d)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def journal_file(data_home: Path) -> Path:
    return data_home / "xdg_data_home" / "pingdesk" / "journal.sqlite3"


def pingdesk(args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pingdesk", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_action(journal: Path, proc: subprocess.Popen[str], timeout: float = 60) -> bool:
    """Wait until the process has begun its action in the journal (True) or exited."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if journal.exists():
            try:
                db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1)
                try:
                    row = db.execute("SELECT COUNT(*) FROM actions").fetchone()
                finally:
                    db.close()
                if row and row[0]:
                    return True
            except sqlite3.Error:
                pass  # the schema is not there yet
        time.sleep(0.003)
    raise AssertionError("pingdesk never began its action")


@contextmanager
def reaped(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Whatever happens in the block, this process (ours) does not outlive it."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            kill9(proc)


def kill9(proc: subprocess.Popen[str]) -> None:
    """SIGKILL this process (one we started) and reap it."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


# --------------------------------------------------------------------------- MariaDB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateMariaDB:
    """A mariadbd of the test's own (datadir, port and socket in ``root``), so the test
    can kill it with SIGKILL; the shared server is never touched."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.datadir = root / "data"
        self.socket = root / "mysqld.sock"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def install(self) -> PrivateMariaDB:
        self.root.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *(["--user=root"] if os.geteuid() == 0 else []),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, f"mariadb-install-db failed:\n{run.stdout}\n{run.stderr}"
        return self

    def start(self, timeout: float = 60) -> None:
        assert self.proc is None or self.proc.poll() is not None
        log = open(self.root / "mysqld.log", "ab")  # noqa: SIM115 (the server keeps it)
        self.proc = subprocess.Popen(
            [
                "mariadbd",
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--socket={self.socket}",
                f"--pid-file={self.root / 'mysqld.pid'}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=48M",
                "--innodb-flush-log-at-trx-commit=1",
                *(["--user=root"] if os.geteuid() == 0 else []),
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_tail()
            try:
                self.connect().close()
                return
            except pymysql.MySQLError:
                time.sleep(0.1)
        raise AssertionError("the private mariadbd did not start:\n" + self.log_tail())

    def log_tail(self) -> str:
        try:
            return (self.root / "mysqld.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def kill9(self) -> None:
        """SIGKILL (no shutdown, no flush): what a crash of the server looks like."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Our server only: SIGTERM, then SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def connect(self, db: str | None = None) -> pymysql.connections.Connection:
        return pymysql.connect(
            host="127.0.0.1",
            port=self.port,
            user="root",
            password="",
            database=db,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=2,
        )

    def url(self, db: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{db}?charset=utf8mb4"

    def copy_from_shared(self, src: str, dst: str) -> None:
        """Every table of ``src`` on the shared server (DDL with its AUTO_INCREMENT, rows)."""
        mine = self.connect()
        try:
            with mine.cursor() as out:
                out.execute(
                    f"CREATE DATABASE `{dst}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"
                )
                out.execute(f"USE `{dst}`")
                with mariadb.connect(src) as shared, shared.cursor() as cur:
                    cur.execute("SHOW TABLES")
                    for (table,) in list(cur.fetchall()):
                        cur.execute(f"SHOW CREATE TABLE `{table}`")
                        out.execute(cur.fetchone()[1])
                        cur.execute(f"SELECT * FROM `{table}`")
                        rows = cur.fetchall()
                        if rows:
                            marks = ",".join(["%s"] * len(rows[0]))
                            for i in range(0, len(rows), 1000):
                                out.executemany(
                                    f"INSERT INTO `{table}` VALUES ({marks})", rows[i : i + 1000]
                                )
        finally:
            mine.close()


def statuses_of(engine: Engine, tables: Tables, ids: Iterable[int]) -> dict[int, str]:
    c = tables.comments
    wanted = sorted(ids)
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(wanted), 1000):
            for cid, st in conn.execute(
                select(c.c.comment_ID, c.c.comment_approved).where(
                    c.c.comment_ID.in_(wanted[i : i + 1000])
                )
            ):
                out[int(cid)] = str(st)
    return out


def state_of(db_url: str, probe_journal: Path) -> State:
    """The blog's state as a front end opens it (the journal is a throwaway probe)."""
    journal = Journal(probe_journal)
    desk = open_cli_desk(db_url, journal)
    try:
        return read_state(desk.blog.engine, desk.blog.tables)
    finally:
        desk.close()
        journal.close()
