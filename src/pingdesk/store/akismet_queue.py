"""Spam / ham reports that could not be sent wait here until Akismet answers.

The table ``akismet_queue`` lives in the journal's SQLite file (one local file
for everything pingdesk remembers). A report keeps the exact request it would
have sent — built when the moderator acted, so deleting the ping afterwards
loses nothing — but never the API key: that is looked up again at retry time.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pingdesk.config import journal_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS akismet_queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    blog_key    TEXT    NOT NULL,
    comment_id  INTEGER NOT NULL,
    verdict     TEXT    NOT NULL CHECK (verdict IN ('spam', 'ham')),
    blog_url    TEXT    NOT NULL,
    user_ip     TEXT    NOT NULL,
    fields      TEXT    NOT NULL,
    created     REAL    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    not_before  REAL
);
CREATE INDEX IF NOT EXISTS akismet_queue_blog ON akismet_queue (blog_key, id);
"""


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


class ReportQueue:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else journal_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        # Short-lived connections: the journal shares the file, and a TUI and a CLI
        # may run at once; the busy timeout waits out the other writer.
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def add(
        self,
        *,
        blog_key: str,
        comment_id: int,
        verdict: str,
        blog_url: str,
        user_ip: str,
        fields: dict[str, str],
        error: str | None = None,
        not_before: float | None = None,
    ) -> int:
        with self._conn() as conn:
            cur = conn.execute(
                "INSERT INTO akismet_queue (blog_key, comment_id, verdict, blog_url, user_ip,"
                " fields, created, attempts, last_error, not_before)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    blog_key,
                    int(comment_id),
                    verdict,
                    blog_url,
                    user_ip,
                    json.dumps(fields, sort_keys=True),
                    time.time(),
                    error,
                    not_before,
                ),
            )
            return int(cur.lastrowid or 0)

    def waiting(
        self, blog_key: str | None = None, *, due_only: bool = False, now: float | None = None
    ) -> list[QueuedReport]:
        """Waiting reports, oldest first (a spam then a ham report must arrive in order)."""
        sql = "SELECT * FROM akismet_queue"
        cond: list[str] = []
        args: list[object] = []
        if blog_key is not None:
            cond.append("blog_key = ?")
            args.append(blog_key)
        if due_only:
            cond.append("(not_before IS NULL OR not_before <= ?)")
            args.append(time.time() if now is None else now)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        sql += " ORDER BY id"
        with self._conn() as conn:
            conn.row_factory = sqlite3.Row
            rows = conn.execute(sql, args).fetchall()
        return [
            QueuedReport(
                id=int(r["id"]),
                blog_key=str(r["blog_key"]),
                comment_id=int(r["comment_id"]),
                verdict=str(r["verdict"]),
                blog_url=str(r["blog_url"]),
                user_ip=str(r["user_ip"]),
                fields=dict(json.loads(r["fields"])),
                created=float(r["created"]),
                attempts=int(r["attempts"]),
                last_error=r["last_error"],
                not_before=r["not_before"],
            )
            for r in rows
        ]

    def count(self, blog_key: str | None = None) -> int:
        with self._conn() as conn:
            if blog_key is None:
                row = conn.execute("SELECT COUNT(*) FROM akismet_queue").fetchone()
            else:
                row = conn.execute(
                    "SELECT COUNT(*) FROM akismet_queue WHERE blog_key = ?", (blog_key,)
                ).fetchone()
        return int(row[0])

    def done(self, report_id: int) -> None:
        with self._conn() as conn:
            conn.execute("DELETE FROM akismet_queue WHERE id = ?", (report_id,))

    def failed(self, report_id: int, error: str, *, not_before: float | None = None) -> None:
        with self._conn() as conn:
            conn.execute(
                "UPDATE akismet_queue SET attempts = attempts + 1, last_error = ?,"
                " not_before = ? WHERE id = ?",
                (error, not_before, report_id),
            )

    def postpone(self, blog_key: str, not_before: float) -> None:
        """After a 429 with Retry-After: nothing for this blog is due before then."""
        with self._conn() as conn:
            conn.execute(
                "UPDATE akismet_queue SET not_before = MAX(COALESCE(not_before, 0), ?)"
                " WHERE blog_key = ?",
                (not_before, blog_key),
            )
