"""The local journal: every action pingdesk takes, with what it needs to undo it.

A SQLite file in the user data dir (platformdirs). The protocol, per chunk of
an action, has no gap a crash can fall into:

1. **stage** — inside the WordPress transaction, before it commits, the chunk's
   items (what undo needs: for a delete the whole row and its meta) and its
   Akismet reports are committed here in one SQLite transaction;
2. the WordPress transaction commits;
3. **applied** — the items are marked applied and their reports become ready
   to send, again in one SQLite transaction.

A crash, a kill or a lost connection between 1 and 3 leaves staged items and
an action still ``pending`` whose owner is gone. The next pingdesk to open the
blog reconciles it from the rows themselves (``wp/reconcile.py``): an item
whose row now holds what the journal expected counts as applied, any other
never happened. The action is then ``interrupted`` and undoable like any other.

A journal that cannot be written (locked past a bounded wait, read-only, a full
disk) raises ``JournalUnavailable`` before WordPress changes anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pingdesk.errors import DatabaseUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    blog TEXT NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,          -- pending | done | failed | interrupted | undone
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
CREATE TABLE IF NOT EXISTS outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    blog_key    TEXT    NOT NULL,
    item_id     INTEGER,          -- the journal item whose change this reports
    ready       INTEGER NOT NULL DEFAULT 1,   -- 0 until that change is committed
    comment_id  INTEGER NOT NULL,
    verdict     TEXT    NOT NULL CHECK (verdict IN ('spam', 'ham')),
    blog_url    TEXT    NOT NULL,
    user_ip     TEXT    NOT NULL,
    fields      TEXT    NOT NULL,
    created     REAL    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    not_before  REAL,
    claimed_by  TEXT,
    claimed_until REAL
);
CREATE INDEX IF NOT EXISTS outbox_blog ON outbox (blog_key, ready, id);
CREATE INDEX IF NOT EXISTS outbox_item ON outbox (item_id);
-- the oldest report of each ping (claim's subquery): without it, claiming is quadratic
CREATE INDEX IF NOT EXISTS outbox_ping ON outbox (blog_key, comment_id, id);
"""

# Columns added after the first release: (table, column, declaration).
MIGRATIONS = (
    ("actions", "owner", "TEXT"),
    ("actions", "total", "INTEGER"),
    ("items", "undoes", "INTEGER"),
)

# How long a write waits for another pingdesk holding the journal.
LOCK_WAIT_S = 5.0


class JournalUnavailable(DatabaseUnavailable):
    """The journal cannot be written: nothing was changed in WordPress."""


@contextmanager
def immediate(
    db: sqlite3.Connection,
    lock: threading.RLock | threading.Lock,
    unavailable: Callable[[BaseException], JournalUnavailable],
) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT under ``lock``; a SQLite failure becomes ``unavailable``."""
    with lock:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise unavailable(exc) from None
        try:
            yield db
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise unavailable(exc) from None
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise unavailable(exc) from None


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot: tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def this_owner() -> str:
    """host:boot:pid:start — enough to tell later whether the process still runs."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{_boot_id()}:{pid}:{_start_time(pid)}"


def owner_alive(owner: str | None) -> bool:
    """Is the pingdesk that began an action still running? Unknown hosts count as alive."""
    if not owner:
        return False
    parts = owner.split(":")
    if len(parts) != 4:
        return False
    host, boot, pid, start = parts
    if host != socket.gethostname():
        return True  # another machine's pingdesk: we cannot tell, so we do not touch it
    if boot != _boot_id():
        return False
    return _start_time(int(pid)) == start and start != ""


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    blog: str
    action: str
    state: str
    summary: dict[str, Any]
    undo_of: int | None
    owner: str | None = None
    total: int | None = None

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
    undoes: int | None = None


@dataclass(frozen=True)
class NewItem:
    kind: str
    object_id: int | str
    before: dict[str, Any]
    after: dict[str, Any]
    undoes: int | None = None  # for an undo: the item it reverses


@dataclass(frozen=True)
class NewReport:
    """An Akismet report to queue with the change it reports (``item`` indexes the chunk)."""

    item: int
    comment_id: int
    verdict: str
    blog_url: str
    user_ip: str
    fields: dict[str, str]


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


_ACTION_COLS = "id, at, blog, action, state, summary, undo_of, owner, total"
_ITEM_COLS = "id, action_id, kind, object_id, before, after, applied, restored, undoes"


class Journal:
    """Thread-safe: the TUI writes from worker threads."""

    def __init__(self, path: Path | str, *, unwritable: str | None = None) -> None:
        """``unwritable`` (why it cannot be written) opens it for reading only: see ``open``."""
        self.path = Path(path)
        self.owner = this_owner()
        self._lock = threading.RLock()
        self.unwritable = unwritable
        if unwritable is not None:
            self._db = self._read_only()
            return
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # The journal holds full rows of deleted pings (IPs, e-mail): private.
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                os.close(fd)
            self._db = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, timeout=LOCK_WAIT_S
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            with self._tx() as db:
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                for table, column, decl in MIGRATIONS:
                    have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                    if column not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
        except (OSError, sqlite3.Error) as exc:
            raise self._unavailable(exc) from None

    @classmethod
    def open(cls, path: Path | str) -> Journal:
        """The journal at ``path``, or, when its folder or file cannot be written (a
        read-only HOME, a data folder under a file), one that reads whatever is there
        and refuses every write: read-only commands still work, and a writing one
        fails with JournalUnavailable naming the path before WordPress changes."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as exc:
            return cls(path, unwritable=exc.strerror or str(exc))
        return cls(path)

    @property
    def writable(self) -> bool:
        return self.unwritable is None

    def _read_only(self) -> sqlite3.Connection:
        """The existing file opened read-only, else an empty journal in memory."""
        if self.path.is_file():
            # mode=ro needs the WAL's shared-memory file beside it; immutable does
            # not (it may miss what a crashed writer left in the WAL: reads only).
            for mode in ("mode=ro", "immutable=1"):
                try:
                    db = sqlite3.connect(
                        f"{self.path.as_uri()}?{mode}",
                        uri=True,
                        check_same_thread=False,
                        isolation_level=None,
                    )
                    db.execute("SELECT owner, total FROM actions LIMIT 1").fetchall()
                    return db
                except sqlite3.Error:
                    continue
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(SCHEMA)
        for table, column, decl in MIGRATIONS:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
        return db

    def _unavailable(self, exc: BaseException) -> JournalUnavailable:
        text = str(exc)
        if "locked" in text or "busy" in text:
            why = f"it is locked by another pingdesk (waited {LOCK_WAIT_S:g} s)"
        elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
            why = "it is read-only"
        elif "full" in text or getattr(exc, "errno", None) == 28:
            why = "the disk is full"
        elif isinstance(exc, OSError) and exc.strerror:
            why = exc.strerror  # not "[Errno 20] Not a directory: '<the path again>'"
        else:
            why = text
        return JournalUnavailable(
            f"cannot write pingdesk's journal {self.path}: {why}; nothing was changed"
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction; any failure to write is JournalUnavailable."""
        if self.unwritable is not None:
            raise JournalUnavailable(
                f"cannot write pingdesk's journal {self.path}: {self.unwritable}; "
                "nothing was changed"
            )
        return immediate(self._db, self._lock, self._unavailable)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """For store/outbox.py: a write transaction on the same file."""
        with self._tx() as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    # -- writing -------------------------------------------------------------

    def begin(
        self, blog: str, action: str, *, undo_of: int | None = None, total: int | None = None
    ) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO actions (at, blog, action, state, undo_of, owner, total)"
                " VALUES (?,?,?,?,?,?,?)",
                (utcnow(), blog, action, "pending", undo_of, self.owner, total),
            )
            return int(cur.lastrowid or 0)

    def stage(
        self,
        action_id: int,
        blog: str,
        items: Sequence[NewItem],
        reports: Sequence[NewReport] = (),
    ) -> list[int]:
        """Step 1: the chunk's items and its reports (not ready yet), in one transaction."""
        ids: list[int] = []
        if not items:
            return ids
        with self._tx() as db:
            for it in items:
                cur = db.execute(
                    "INSERT INTO items (action_id, kind, object_id, before, after, undoes)"
                    " VALUES (?,?,?,?,?,?)",
                    (
                        action_id,
                        it.kind,
                        str(it.object_id),
                        _dumps(it.before),
                        _dumps(it.after),
                        it.undoes,
                    ),
                )
                ids.append(int(cur.lastrowid or 0))
            now = time.time()
            db.executemany(
                "INSERT INTO outbox (blog_key, item_id, ready, comment_id, verdict, blog_url,"
                " user_ip, fields, created) VALUES (?,?,0,?,?,?,?,?,?)",
                [
                    (
                        blog,
                        ids[r.item],
                        r.comment_id,
                        r.verdict,
                        r.blog_url,
                        r.user_ip,
                        json.dumps(r.fields, sort_keys=True),
                        now,
                    )
                    for r in reports
                ],
            )
        return ids

    def applied(self, item_ids: Sequence[int]) -> None:
        """Step 3: the WordPress transaction committed; its reports may be sent."""
        if not item_ids:
            return
        with self._tx() as db:
            for chunk in _chunks(item_ids, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"UPDATE items SET applied = 1 WHERE id IN ({marks})", chunk)
                db.execute(f"UPDATE outbox SET ready = 1 WHERE item_id IN ({marks})", chunk)

    def drop(self, item_ids: Sequence[int]) -> None:
        """Items whose WordPress transaction rolled back never happened (nor their reports)."""
        if not item_ids:
            return
        with self._tx() as db:
            for chunk in _chunks(item_ids, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM outbox WHERE item_id IN ({marks})", chunk)
                db.execute(f"DELETE FROM items WHERE id IN ({marks})", chunk)

    def finish(self, action_id: int, state: str, summary: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE actions SET state = ?, summary = ? WHERE id = ?",
                (state, _dumps(summary), action_id),
            )

    def release(self, action_id: int) -> None:
        """An action cut short: no owner any more, so reconciliation settles it."""
        with self._tx() as db:
            db.execute("UPDATE actions SET owner = NULL WHERE id = ?", (action_id,))

    def discard(self, action_id: int) -> None:
        """Forget an action that staged nothing (a settings change that changed nothing)."""
        with self._tx() as db:
            db.execute(
                "DELETE FROM outbox WHERE item_id IN (SELECT id FROM items WHERE action_id = ?)",
                (action_id,),
            )
            db.execute("DELETE FROM items WHERE action_id = ?", (action_id,))
            db.execute("DELETE FROM actions WHERE id = ?", (action_id,))

    def set_state(self, action_id: int, state: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE actions SET state = ? WHERE id = ?", (state, action_id))

    def mark_restored(self, item_ids: list[int]) -> None:
        with self._tx() as db:
            db.executemany("UPDATE items SET restored = 1 WHERE id = ?", [(i,) for i in item_ids])

    def settle(
        self,
        action_id: int,
        applied: Sequence[int],
        dropped: Sequence[int],
        summary: dict[str, Any],
    ) -> None:
        """Reconciliation's verdict on an unresolved action, in one transaction."""
        with self._tx() as db:
            for chunk in _chunks(applied, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"UPDATE items SET applied = 1 WHERE id IN ({marks})", chunk)
                db.execute(f"UPDATE outbox SET ready = 1 WHERE item_id IN ({marks})", chunk)
            for chunk in _chunks(dropped, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM outbox WHERE item_id IN ({marks})", chunk)
                db.execute(f"DELETE FROM items WHERE id IN ({marks})", chunk)
            db.execute(
                "UPDATE actions SET state = 'interrupted', summary = ? WHERE id = ?",
                (_dumps(summary), action_id),
            )

    # -- reading -------------------------------------------------------------

    def _entry(self, row: Sequence[Any]) -> Entry:
        return Entry(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            json.loads(row[5] or "{}"),
            row[6],
            row[7],
            row[8],
        )

    def get(self, action_id: int) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ACTION_COLS} FROM actions WHERE id = ?", (action_id,)
            ).fetchone()
        return self._entry(row) if row else None

    def entries(self, blog: str, limit: int = 50) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ACTION_COLS} FROM actions WHERE blog = ? ORDER BY id DESC LIMIT ?",
                (blog, limit),
            ).fetchall()
        return [self._entry(r) for r in rows]

    def unresolved(self, blog: str) -> list[Entry]:
        """Actions still pending whose pingdesk is gone: reconciliation's work."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ACTION_COLS} FROM actions WHERE blog = ? AND state = 'pending'"
                " ORDER BY id",
                (blog,),
            ).fetchall()
        return [e for e in map(self._entry, rows) if not owner_alive(e.owner)]

    def running(self, blog: str) -> list[Entry]:
        """Actions another live pingdesk is applying right now."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ACTION_COLS} FROM actions WHERE blog = ? AND state = 'pending'"
                " AND owner IS NOT ? ORDER BY id",
                (blog, self.owner),
            ).fetchall()
        return [e for e in map(self._entry, rows) if owner_alive(e.owner)]

    def last_undoable(self, blog: str) -> Entry | None:
        """The newest finished action that is not itself an undo and not yet undone."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ACTION_COLS} FROM actions "
                "WHERE blog = ? AND state IN ('done', 'partial', 'interrupted') "
                "AND undo_of IS NULL AND action NOT IN ('restore') ORDER BY id DESC LIMIT 1",
                (blog,),
            ).fetchone()
        return self._entry(row) if row else None

    # -- a queue across blogs (a network's sites, several profiles) ----------------
    # One journal holds every blog's actions; these ask about a set of blogs at once
    # instead of one query per site of a 10,000-site network.

    def blogs_unresolved(self) -> set[str]:
        """Blogs with actions still pending whose pingdesk is gone."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT blog, owner FROM actions WHERE state = 'pending'"
            ).fetchall()
        return {str(b) for b, owner in rows if not owner_alive(owner)}

    def entries_among(self, blogs: Collection[str], limit: int = 50) -> list[Entry]:
        """The newest actions on any of these blogs."""
        wanted, found = set(blogs), []
        with self._lock:
            cur = self._db.execute(f"SELECT {_ACTION_COLS} FROM actions ORDER BY id DESC")
            for row in cur:
                entry = self._entry(row)
                if entry.blog in wanted:
                    found.append(entry)
                    if len(found) >= limit:
                        break
        return found

    def _item(self, r: Sequence[Any]) -> Item:
        return Item(
            r[0],
            r[1],
            r[2],
            r[3],
            json.loads(r[4]),
            json.loads(r[5]),
            bool(r[6]),
            bool(r[7]),
            r[8],
        )

    def items(self, action_id: int) -> list[Item]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ITEM_COLS} FROM items WHERE action_id = ? ORDER BY id",
                (action_id,),
            ).fetchall()
        return [self._item(r) for r in rows]

    def undone_items(self, action_id: int) -> set[int]:
        """Items of ``action_id`` already reversed by an applied item of an undo."""
        with self._lock:
            rows = self._db.execute(
                "SELECT i.undoes FROM items i JOIN actions a ON a.id = i.action_id "
                "WHERE a.undo_of = ? AND i.applied = 1 AND i.undoes IS NOT NULL",
                (action_id,),
            ).fetchall()
        return {int(r[0]) for r in rows}

    def later_touching(
        self, blog: str, action_id: int, kind: str, objects: Iterable[str]
    ) -> list[int]:
        """Later actions whose applied items touch these objects: not undos of this one,
        nor undos of an action already undone (that action and its undo cancel out)."""
        wanted = list(dict.fromkeys(objects))
        found: set[int] = set()
        with self._lock:
            for chunk in _chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT DISTINCT a.id FROM items i JOIN actions a ON a.id = i.action_id "
                    f"WHERE a.blog = ? AND a.id > ? AND i.kind = ? AND i.object_id IN ({marks}) "
                    "AND i.applied = 1 AND a.state != 'undone' "
                    "AND (a.undo_of IS NULL OR (a.undo_of != ? AND a.undo_of NOT IN "
                    "(SELECT u.id FROM actions u WHERE u.state = 'undone')))",
                    (blog, action_id, kind, *chunk, action_id),
                ).fetchall()
                found.update(int(r[0]) for r in rows)
        return sorted(found)

    def deleted(self, blog: str, comment_id: int) -> Item | None:
        """The newest journaled permanent delete of ``comment_id`` not yet restored."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join('i.' + c for c in _ITEM_COLS.split(', '))} "
                "FROM items i JOIN actions a ON a.id = i.action_id "
                "WHERE a.blog = ? AND a.action = 'delete' AND i.kind = 'comment' "
                "AND i.object_id = ? AND i.restored = 0 AND i.applied = 1 "
                "ORDER BY i.id DESC LIMIT 1",
                (blog, str(comment_id)),
            ).fetchone()
        return self._item(row) if row else None

    def history(self, blog: str, comment_id: int) -> list[tuple[Entry, Item]]:
        """Every journaled action that touched one comment, oldest first."""
        cols = ", ".join("a." + c for c in _ACTION_COLS.split(", "))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {cols}, "
                + ", ".join("i." + c for c in _ITEM_COLS.split(", "))
                + " FROM items i JOIN actions a ON a.id = i.action_id "
                "WHERE a.blog = ? AND i.kind = 'comment' AND i.object_id = ? AND i.applied = 1 "
                "ORDER BY i.id",
                (blog, str(comment_id)),
            ).fetchall()
        return [(self._entry(r[:9]), self._item(r[9:])) for r in rows]


def _chunks(values: Sequence[Any], size: int) -> Iterator[list[Any]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]
