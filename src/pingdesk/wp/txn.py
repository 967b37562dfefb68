"""Write transactions that lock what they read, on MariaDB and on SQLite."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from pingdesk.wp.blog import Blog

T = TypeVar("T")

# MariaDB: 1213 deadlock, 1205 lock wait timeout. SQLite: "database is locked".
_RETRYABLE_MYSQL = {1213, 1205}


@contextmanager
def write_txn(blog: Blog) -> Iterator[Connection]:
    """A transaction in which SELECT ... FOR UPDATE holds rows until commit.

    SQLite has no row locks; BEGIN IMMEDIATE takes the database write lock up
    front so WordPress (or another pingdesk) cannot change a row between our
    read of it and our write.
    """
    with blog.engine.connect() as conn:
        if blog.dialect == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError) and isinstance(exc, DBAPIError):
        orig = exc.orig
        args = getattr(orig, "args", ())
        if args and isinstance(args[0], int) and args[0] in _RETRYABLE_MYSQL:
            return True
        if "database is locked" in str(orig):
            return True
    return False


def with_retry(fn: Callable[[], T], *, attempts: int = 4) -> T:
    """Run one transaction, retrying deadlocks and lock timeouts with backoff."""
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if attempt == attempts - 1 or not is_retryable(exc):
                raise
            time.sleep(0.05 * (2**attempt))
    raise AssertionError("unreachable")
