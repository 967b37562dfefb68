"""Settle actions a crash, a kill or a lost connection left unresolved.

An action is unresolved when it is still ``pending`` in the journal and the
pingdesk that began it is gone (or gave it up after losing the database). Its
staged items are exactly the rows whose WordPress transaction may or may not
have committed, so the rows decide: an item whose row now holds what the
journal expected (the new status; for a delete, no row) was applied, any other
never happened. The action becomes ``interrupted`` with "N of M applied", and is
undoable like any other; its reports become ready to send or are dropped with
their items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from pingdesk.store.journal import Entry, Item, Journal
from pingdesk.wp.blog import Blog
from pingdesk.wp.txn import write_txn


@dataclass(frozen=True)
class Settled:
    action_id: int
    action: str
    applied: int  # items applied in all, the settled ones included
    total: int  # what the action set out to change

    def line(self) -> str:
        return (
            f"settled action #{self.action_id} ({self.action}), cut short earlier: "
            f"{self.applied:,} of {self.total:,} applied"
        )


def _comment_applied(conn: Connection, blog: Blog, items: Sequence[Item]) -> set[int]:
    c = blog.tables.comments
    ids = sorted({int(it.object_id) for it in items})
    status: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for cid, st in conn.execute(
            select(c.c.comment_ID, c.c.comment_approved)
            .where(c.c.comment_ID.in_(chunk))
            .with_for_update()
        ):
            status[int(cid)] = str(st)
    out: set[int] = set()
    for it in items:
        want = it.after.get("status")
        now = status.get(int(it.object_id))
        if (want is None and now is None) or (want is not None and now == want):
            out.add(it.id)
    return out


def _posts_applied(conn: Connection, blog: Blog, items: Sequence[Item]) -> set[int]:
    p = blog.tables.posts
    out: set[int] = set()
    for it in items:
        ids = [int(i) for i in it.before.get("ids", [])]
        # One range is one transaction: all of it committed or none, so one row tells.
        if (
            ids
            and conn.execute(
                select(p.c.ID)
                .where(p.c.ID.in_(ids), p.c.ping_status == it.after["ping_status"])
                .limit(1)
                .with_for_update()
            ).first()
        ):
            out.add(it.id)
    return out


def _options_applied(conn: Connection, blog: Blog, items: Sequence[Item]) -> set[int]:
    o = blog.tables.options
    out: set[int] = set()
    for it in items:
        value = conn.execute(
            select(o.c.option_value).where(o.c.option_name == it.object_id).with_for_update()
        ).scalar()
        if value is not None and str(value) == str(it.after.get("value")):
            out.add(it.id)
    return out


def _applied_now(blog: Blog, open_items: Sequence[Item]) -> set[int]:
    """The staged items whose rows hold what the journal expected."""
    applied: set[int] = set()
    # Locking reads, for every kind: a COMMIT the dead pingdesk sent may still be
    # finishing in the server; FOR UPDATE waits for it instead of reading from before it.
    with write_txn(blog) as conn:
        for kind, check in (
            ("comment", _comment_applied),
            ("posts", _posts_applied),
            ("option", _options_applied),
        ):
            mine = [it for it in open_items if it.kind == kind]
            if mine:
                applied |= check(conn, blog, mine)
    return applied


def settle(blog: Blog, journal: Journal, entry: Entry) -> Settled:
    items = journal.items(entry.id)
    open_items = [it for it in items if not it.applied]
    applied = _applied_now(blog, open_items) if open_items else set()
    dropped = [it.id for it in open_items if it.id not in applied]
    done = sum(1 for it in items if it.applied) + len(applied)
    total = int(entry.total) if entry.total is not None else len(items)
    summary = {"requested": total, "changed": done, "interrupted": True}
    journal.settle(entry.id, sorted(applied), dropped, summary)
    return Settled(entry.id, entry.action, done, total)


def reconcile(blog: Blog, journal: Journal) -> list[Settled]:
    """Settle every unresolved action of this blog, oldest first."""
    return [settle(blog, journal, e) for e in journal.unresolved(blog.key)]
