"""Write transactions that lock what they read, on MariaDB and on SQLite."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from pingdesk.errors import DatabaseUnavailable
from pingdesk.store.journal import Journal, NewItem, NewReport
from pingdesk.wp.blog import Blog

T = TypeVar("T")


class CommitUnknown(Exception):
    """The COMMIT was sent and the connection failed: it may or may not have happened.

    Whatever the journal staged for this transaction must stay staged: the next
    start reconciles it from the rows themselves.
    """

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


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
            try:
                conn.commit()
            except DBAPIError as exc:
                raise CommitUnknown(exc) from exc


def short_reason(exc: BaseException) -> str:
    """The driver's own words, without the SQL statement and its parameters."""
    if isinstance(exc, CommitUnknown):
        exc = exc.cause
    orig = getattr(exc, "orig", None) or exc
    args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        text = f"{args[0]} {args[1]}"
    else:
        text = str(orig).split("\n", 1)[0]
    return " ".join(text.split())[:120]


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


class Stager:
    """What one journaled transaction staged; see ``journaled_txn``."""

    def __init__(self, journal: Journal | None, action_id: int | None, blog_key: str) -> None:
        self.journal, self.action_id, self.blog_key = journal, action_id, blog_key
        self.ids: list[int] = []

    def stage(self, items: Sequence[NewItem], reports: Sequence[NewReport] = ()) -> list[int]:
        """Commit items (and reports) to the journal: call it before changing any row."""
        if self.journal is None or self.action_id is None or not items:
            return []
        ids = self.journal.stage(self.action_id, self.blog_key, items, reports)
        self.ids.extend(ids)
        return ids


@contextmanager
def journaled_txn(
    blog: Blog, journal: Journal | None, action_id: int | None
) -> Iterator[tuple[Connection, Stager]]:
    """A write transaction whose changes the journal knows before they commit.

    Stage (journal commit) → WordPress commit → applied (journal commit). When
    the WordPress transaction rolls back, its items are dropped; when the COMMIT
    itself fails the outcome is unknown and the items stay staged for
    reconciliation (``wp/reconcile.py``). A journal that cannot be written fails
    ``stage`` and so rolls the WordPress transaction back.
    """
    stager = Stager(journal, action_id, blog.key)
    try:
        with write_txn(blog) as conn:
            yield conn, stager
    except CommitUnknown:
        raise
    except BaseException:
        if journal is not None and stager.ids:
            # Left staged: reconciliation finds the rows unchanged and drops them.
            with contextlib.suppress(DatabaseUnavailable):
                journal.drop(stager.ids)
        raise
    if journal is not None and stager.ids:
        journal.applied(stager.ids)
