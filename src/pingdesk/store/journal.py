"""The local journal: every action pingdesk takes, with what it needs to undo it.

A SQLite file in the user data dir (platformdirs). Items are written and
committed *before* the WordPress transaction that changes those rows commits,
so a permanent delete can always be restored from here, even after a crash.
An item's ``applied`` flag is set once the WordPress side committed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    blog TEXT NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,          -- pending | done | failed | undone
    summary TEXT NOT NULL DEFAULT '{}',
    undo_of INTEGER
);
CREATE INDEX IF NOT EXISTS actions_blog ON actions (blog, id);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id INTEGER NOT NULL REFERENCES actions (id),
    kind TEXT NOT NULL,           -- comment | post | option
    object_id TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0,
    restored INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS items_action ON items (action_id);
CREATE INDEX IF NOT EXISTS items_object ON items (kind, object_id);
"""


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    blog: str
    action: str
    state: str
    summary: dict[str, Any]
    undo_of: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "action": self.action,
            "state": self.state,
            "summary": self.summary,
            "undo_of": self.undo_of,
        }


@dataclass(frozen=True)
class Item:
    id: int
    action_id: int
    kind: str
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    applied: bool
    restored: bool


@dataclass(frozen=True)
class NewItem:
    kind: str
    object_id: int | str
    before: dict[str, Any]
    after: dict[str, Any]


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


class Journal:
    """Thread-safe: the TUI writes from worker threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The journal holds full rows of deleted pings (IPs, e-mail): private.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    # -- writing -------------------------------------------------------------

    def begin(self, blog: str, action: str, *, undo_of: int | None = None) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO actions (at, blog, action, state, undo_of) VALUES (?,?,?,?,?)",
                (utcnow(), blog, action, "pending", undo_of),
            )
            return int(cur.lastrowid or 0)

    def add_items(self, action_id: int, items: Iterable[NewItem]) -> list[int]:
        ids = []
        with self._tx() as db:
            for it in items:
                cur = db.execute(
                    "INSERT INTO items (action_id, kind, object_id, before, after) "
                    "VALUES (?,?,?,?,?)",
                    (action_id, it.kind, str(it.object_id), _dumps(it.before), _dumps(it.after)),
                )
                ids.append(int(cur.lastrowid or 0))
        return ids

    def mark_applied(self, item_ids: list[int]) -> None:
        if not item_ids:
            return
        with self._tx() as db:
            db.executemany("UPDATE items SET applied = 1 WHERE id = ?", [(i,) for i in item_ids])

    def drop_items(self, item_ids: list[int]) -> None:
        """Items whose WordPress transaction rolled back never happened."""
        if not item_ids:
            return
        with self._tx() as db:
            db.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in item_ids])

    def finish(self, action_id: int, state: str, summary: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE actions SET state = ?, summary = ? WHERE id = ?",
                (state, _dumps(summary), action_id),
            )

    def set_state(self, action_id: int, state: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE actions SET state = ? WHERE id = ?", (state, action_id))

    def mark_restored(self, item_ids: list[int]) -> None:
        with self._tx() as db:
            db.executemany("UPDATE items SET restored = 1 WHERE id = ?", [(i,) for i in item_ids])

    # -- reading -------------------------------------------------------------

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        return Entry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5] or "{}"), row[6])

    def get(self, action_id: int) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, at, blog, action, state, summary, undo_of FROM actions WHERE id = ?",
                (action_id,),
            ).fetchone()
        return self._entry(row) if row else None

    def entries(self, blog: str, limit: int = 50) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, blog, action, state, summary, undo_of FROM actions "
                "WHERE blog = ? ORDER BY id DESC LIMIT ?",
                (blog, limit),
            ).fetchall()
        return [self._entry(r) for r in rows]

    def last_undoable(self, blog: str) -> Entry | None:
        """The newest completed action that is not itself an undo and not yet undone."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, at, blog, action, state, summary, undo_of FROM actions "
                "WHERE blog = ? AND state IN ('done', 'partial') AND undo_of IS NULL "
                "AND action NOT IN ('restore') ORDER BY id DESC LIMIT 1",
                (blog,),
            ).fetchone()
        return self._entry(row) if row else None

    def _item(self, r: tuple[Any, ...]) -> Item:
        return Item(
            r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), bool(r[6]), bool(r[7])
        )

    _ITEM_COLS = "id, action_id, kind, object_id, before, after, applied, restored"

    def items(self, action_id: int) -> list[Item]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._ITEM_COLS} FROM items WHERE action_id = ? ORDER BY id",
                (action_id,),
            ).fetchall()
        return [self._item(r) for r in rows]

    def deleted(self, blog: str, comment_id: int) -> Item | None:
        """The newest journaled permanent delete of ``comment_id`` not yet restored."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join('i.' + c for c in self._ITEM_COLS.split(', '))} "
                "FROM items i JOIN actions a ON a.id = i.action_id "
                "WHERE a.blog = ? AND a.action = 'delete' AND i.kind = 'comment' "
                "AND i.object_id = ? AND i.restored = 0 ORDER BY i.id DESC LIMIT 1",
                (blog, str(comment_id)),
            ).fetchone()
        return self._item(row) if row else None

    def history(self, blog: str, comment_id: int) -> list[tuple[Entry, Item]]:
        """Every journaled action that touched one comment, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.id, a.at, a.blog, a.action, a.state, a.summary, a.undo_of, "
                + ", ".join("i." + c for c in self._ITEM_COLS.split(", "))
                + " FROM items i JOIN actions a ON a.id = i.action_id "
                "WHERE a.blog = ? AND i.kind = 'comment' AND i.object_id = ? ORDER BY i.id",
                (blog, str(comment_id)),
            ).fetchall()
        return [(self._entry(r[:7]), self._item(r[7:])) for r in rows]


@contextmanager
def staged(
    journal: Journal | None, action_id: int | None
) -> Iterator[Callable[[list[NewItem]], None]]:
    """Record items before the WordPress transaction inside this block commits.

    Wrap the transaction: items recorded inside it are marked applied when the
    block ends normally and dropped if it raises (that change never happened).
    Without a journal the recorder does nothing.
    """
    ids: list[int] = []

    def record(items: list[NewItem]) -> None:
        if journal is not None and action_id is not None and items:
            ids.extend(journal.add_items(action_id, items))

    try:
        yield record
    except BaseException:
        if journal is not None:
            journal.drop_items(ids)
        raise
    if journal is not None:
        journal.mark_applied(ids)
