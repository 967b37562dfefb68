"""The MariaDB test server: connection settings, databases, exact clones."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pymysql
from pymysql.connections import Connection

HOST = os.environ.get("PINGDESK_TEST_MYSQL_HOST", "127.0.0.1")
PORT = int(os.environ.get("PINGDESK_TEST_MYSQL_PORT", "3306"))
USER = os.environ.get("PINGDESK_TEST_MYSQL_USER", "root")
PASSWORD = os.environ.get("PINGDESK_TEST_MYSQL_PASSWORD", "")
DB_PREFIX = "pd_t_"


def url(db: str) -> str:
    """SQLAlchemy URL of one test database."""
    auth = USER if not PASSWORD else f"{USER}:{PASSWORD}"
    return f"mysql+pymysql://{auth}@{HOST}:{PORT}/{db}?charset=utf8mb4"


def bridge_host() -> str:
    """DB_HOST as WordPress's wp-config.php spells it."""
    return f"{HOST}:{PORT}"


@contextmanager
def connect(db: str | None = None) -> Iterator[Connection]:
    conn = pymysql.connect(
        host=HOST,
        port=PORT,
        user=USER,
        password=PASSWORD,
        database=db,
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=5,
    )
    try:
        yield conn
    finally:
        conn.close()


def ping() -> str | None:
    """None if the server answers, else why not."""
    try:
        with connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            cur.fetchone()
        return None
    except pymysql.MySQLError as exc:
        return str(exc)


def new_name(tag: str = "") -> str:
    """pd_t_<pid>_<random><tag>: the pid tells whose database it is (see drop_orphans)."""
    return f"{DB_PREFIX}{os.getpid()}_{secrets.token_hex(4)}{tag}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_orphans() -> list[str]:
    """Drop test databases left by test sessions that died (killed before teardown).

    Only names pd_t_<pid>_... whose process no longer exists: a running session's
    databases are never touched.
    """
    dropped = []
    with connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES LIKE 'pd\\_t\\_%'")
        names = [row[0] for row in cur.fetchall()]
    for name in names:
        pid = name[len(DB_PREFIX) :].split("_", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            drop_database(name)
            dropped.append(name)
    return dropped


def create_database(name: str) -> None:
    with connect() as conn, conn.cursor() as cur:
        cur.execute(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"
        )


def drop_database(name: str) -> None:
    assert name.startswith(DB_PREFIX), name  # never anything but our own
    with connect() as conn, conn.cursor() as cur:
        cur.execute("SET SESSION lock_wait_timeout = 20")
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def clone_database(src: str, dst: str) -> None:
    """A twin of ``src``: same tables, indexes, rows and AUTO_INCREMENT counters.

    SHOW CREATE TABLE carries the AUTO_INCREMENT value, so rows inserted later get
    the same IDs in both databases even after deletes.
    """
    create_database(dst)
    with connect(src) as conn, conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        tables = [row[0] for row in cur.fetchall()]
        for table in tables:
            cur.execute(f"SHOW CREATE TABLE `{src}`.`{table}`")
            ddl = cur.fetchone()[1]
            cur.execute(f"USE `{dst}`")
            cur.execute(ddl)
            cur.execute(f"INSERT INTO `{dst}`.`{table}` SELECT * FROM `{src}`.`{table}`")
            cur.execute(f"USE `{src}`")


def table_names(db: str) -> list[str]:
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        return [row[0] for row in cur.fetchall()]
