"""The Akismet outbox: spam / ham reports waiting to be sent, in the journal's file.

Reports are staged with the change they report (``Journal.stage``) and become
``ready`` when that change is committed in WordPress, so a crash can neither
lose a report nor send one for a change that never happened. A report keeps
the exact request it will send (built when the moderator acted: deleting the
ping afterwards loses nothing) but never the API key.

Senders **claim** reports with a lease before sending them: two pingdesks (a
TUI and an ``akismet retry`` from cron) never send one report twice, and a
sender that dies leaves its claims to expire. Only the oldest waiting report of
each ping is claimable, so a spam report and the ham report that undoes it
reach Akismet in order.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pingdesk.store.journal import LOCK_WAIT_S, Journal, JournalUnavailable, immediate


@dataclass(frozen=True)
class QueuedReport:
    id: int
    blog_key: str
    comment_id: int
    verdict: str
    blog_url: str
    user_ip: str
    fields: dict[str, str]
    created: float
    attempts: int
    last_error: str | None
    not_before: float | None


_COLS = (
    "id, blog_key, comment_id, verdict, blog_url, user_ip, fields, created, attempts,"
    " last_error, not_before"
)


def _report(r: Sequence[object]) -> QueuedReport:
    return QueuedReport(
        id=int(r[0]),  # type: ignore[call-overload]
        blog_key=str(r[1]),
        comment_id=int(r[2]),  # type: ignore[call-overload]
        verdict=str(r[3]),
        blog_url=str(r[4]),
        user_ip=str(r[5]),
        fields=dict(json.loads(str(r[6]))),
        created=float(r[7]),  # type: ignore[arg-type]
        attempts=int(r[8]),  # type: ignore[call-overload]
        last_error=None if r[9] is None else str(r[9]),
        not_before=None if r[10] is None else float(r[10]),  # type: ignore[arg-type]
    )


class Outbox:
    """Its own connection to the journal's file, with NORMAL sync: deleting a sent
    report is frequent and, lost to a power cut, costs one report sent twice."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            # Creates the file and the tables when no journal was opened before.
            Journal(self.path).close()
            self._db = sqlite3.connect(
                str(self.path), check_same_thread=False, isolation_level=None, timeout=LOCK_WAIT_S
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise JournalUnavailable(f"cannot open pingdesk's outbox {self.path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return immediate(self._db, self._lock, self._unavailable)

    def _unavailable(self, exc: BaseException) -> JournalUnavailable:
        return JournalUnavailable(f"cannot write pingdesk's outbox {self.path}: {exc}")

    # -- sending -----------------------------------------------------------------------

    def claim(
        self,
        blog_key: str,
        owner: str,
        *,
        limit: int,
        lease_s: float,
        force: bool = False,
        now: float | None = None,
    ) -> list[QueuedReport]:
        """Take up to ``limit`` due reports for this blog, oldest first, for ``lease_s``."""
        now = time.time() if now is None else now
        due = "" if force else "AND (o.not_before IS NULL OR o.not_before <= :now)"
        with self._tx() as db:
            rows = db.execute(
                f"SELECT {', '.join('o.' + c.strip() for c in _COLS.split(','))} FROM outbox o"
                " WHERE o.blog_key = :blog AND o.ready = 1"
                " AND (o.claimed_until IS NULL OR o.claimed_until < :now)"
                f" {due}"
                " AND o.id = (SELECT MIN(p.id) FROM outbox p"
                "             WHERE p.blog_key = o.blog_key AND p.comment_id = o.comment_id)"
                " ORDER BY o.id LIMIT :limit",
                {"blog": blog_key, "now": now, "limit": int(limit)},
            ).fetchall()
            found = [_report(r) for r in rows]
            db.executemany(
                "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                [(owner, now + lease_s, r.id) for r in found],
            )
        return found

    def done(self, report_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (report_id,))

    def failed(
        self,
        report_id: int,
        error: str,
        *,
        not_before: float | None = None,
        keep_claim: bool = False,
    ) -> None:
        """Akismet did not take it; ``keep_claim``: the sender keeps it out of its own
        run (and gives it back with ``release_mine`` at the end)."""
        release = "" if keep_claim else ", claimed_by = NULL, claimed_until = NULL"
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ?"
                f"{release} WHERE id = ?",
                (error, not_before, report_id),
            )

    def release(self, report_ids: Sequence[int]) -> None:
        """Give back claimed reports that were not tried."""
        with self._tx() as db:
            db.executemany(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                [(int(i),) for i in report_ids],
            )

    def release_mine(self, owner: str) -> None:
        """A sender's run is over: whatever it still holds is free for the next."""
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?",
                (owner,),
            )

    def postpone(self, blog_key: str, not_before: float) -> None:
        """After a 429 with Retry-After: nothing for this blog is due before then."""
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET not_before = MAX(COALESCE(not_before, 0), ?) WHERE blog_key = ?",
                (not_before, blog_key),
            )

    # -- reading -----------------------------------------------------------------------

    def waiting(self, blog_key: str | None = None) -> list[QueuedReport]:
        """Ready reports, oldest first."""
        sql = f"SELECT {_COLS} FROM outbox WHERE ready = 1"
        args: tuple[object, ...] = ()
        if blog_key is not None:
            sql += " AND blog_key = ?"
            args = (blog_key,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [_report(r) for r in rows]

    def left(self, blog_key: str, owner: str) -> tuple[int, int]:
        """(waiting, of which another sender holds a live claim on), read at one instant."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(claimed_until >= ? AND claimed_by IS NOT ?), 0)"
                " FROM outbox WHERE ready = 1 AND blog_key = ?",
                (time.time(), owner, blog_key),
            ).fetchone()
        return int(row[0]), int(row[1])

    def count(self, blog_key: str | None = None, *, due_only: bool = False) -> int:
        sql = "SELECT COUNT(*) FROM outbox WHERE ready = 1"
        args: list[object] = []
        if blog_key is not None:
            sql += " AND blog_key = ?"
            args.append(blog_key)
        if due_only:
            sql += " AND (not_before IS NULL OR not_before <= ?)"
            args.append(time.time())
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return int(row[0])
