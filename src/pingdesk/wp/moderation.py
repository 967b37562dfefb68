"""Moderation exactly as WordPress 6.x writes it (wp-includes/comment.php).

Each action maps to WordPress's own function:

- approve    wp_set_comment_status($id, 'approve')   status '1'
- unapprove  wp_set_comment_status($id, 'hold')      status '0'
- spam       wp_spam_comment()     status 'spam', trash metas replaced
- trash      wp_trash_comment()    status 'trash', trash metas replaced
- unspam     wp_unspam_comment()   status from _wp_trash_meta_status ('0' if
- untrash    wp_untrash_comment()  empty), both trash metas deleted
- delete     wp_delete_comment($id, true): children re-parented, meta and row
             deleted

and after each status change the post's comment_count is recounted as
wp_update_comment_count_now() does (approved comments of every type).

Every chunk is one transaction that locks the rows it is about to change and
changes only those still in the status the moderator saw; the others are
returned as conflicts. Before a chunk commits, the journal has recorded what
is needed to undo it (for a delete: the whole row and all its meta).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from pingdesk.errors import NotFound, PingdeskError
from pingdesk.progress import Progress, ShouldStop
from pingdesk.store.journal import Item, Journal, NewItem, staged
from pingdesk.wp.blog import Blog
from pingdesk.wp.txn import with_retry, write_txn

ACTIONS: tuple[str, ...] = ("approve", "unapprove", "spam", "unspam", "trash", "untrash", "delete")

# The statuses each action applies to: where wp-admin offers it.
APPLICABLE: dict[str, frozenset[str]] = {
    "approve": frozenset({"0"}),
    "unapprove": frozenset({"1"}),
    "spam": frozenset({"0", "1"}),
    "unspam": frozenset({"spam"}),
    "trash": frozenset({"0", "1"}),
    "untrash": frozenset({"trash"}),
    "delete": frozenset({"0", "1", "spam", "trash", "post-trashed"}),
}
TRASH_STATUS, TRASH_TIME = "_wp_trash_meta_status", "_wp_trash_meta_time"
TRASH_KEYS = (TRASH_STATUS, TRASH_TIME)
# Comment rows read under lock, by id.
Rows = dict[int, Row[Any]]
_FIXED_TARGET = {"approve": "1", "unapprove": "0", "spam": "spam", "trash": "trash"}


@dataclass(frozen=True)
class Conflict:
    id: int
    expected: str
    actual: str | None  # None: the row is gone

    def describe(self) -> str:
        now = "deleted" if self.actual is None else f"now {self.actual!r}"
        return f"#{self.id}: expected {self.expected!r}, {now}"


@dataclass
class ModerationResult:
    action: str
    requested: int = 0
    changed: list[int] = field(default_factory=list)
    transitions: dict[int, tuple[str, str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    posts: set[int] = field(default_factory=set)
    journal_id: int | None = None
    cancelled: bool = False
    # Lines for the moderator from what ran after the change (Akismet reporting).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.cancelled

    def summary(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "changed": len(self.changed),
            "conflicts": len(self.conflicts),
            "skipped": len(self.skipped),
            "cancelled": self.cancelled,
        }


def _chunks(ids: Sequence[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def recount_posts(conn: Connection, blog: Blog, post_ids: Iterable[int]) -> None:
    """wp_update_comment_count_now() for each post: approved comments of any type."""
    ids = sorted({int(p) for p in post_ids if p})
    if not ids:
        return
    c, p = blog.tables.comments, blog.tables.posts
    counted = (
        select(func.count())
        .where(c.c.comment_post_ID == p.c.ID, c.c.comment_approved == "1")
        .scalar_subquery()
    )
    for chunk in _chunks(ids, 1000):
        conn.execute(update(p).where(p.c.ID.in_(chunk)).values(comment_count=counted))


def _lock_rows(conn: Connection, blog: Blog, ids: list[int], full: bool) -> Rows:
    c = blog.tables.comments
    cols = list(c.c) if full else [c.c.comment_ID, c.c.comment_approved, c.c.comment_post_ID]
    q = select(*cols).where(c.c.comment_ID.in_(ids)).with_for_update()
    return {int(r.comment_ID): r for r in conn.execute(q)}


def _meta_rows(
    conn: Connection, blog: Blog, ids: list[int], keys: Sequence[str] | None = None
) -> dict[int, list[dict[str, Any]]]:
    m = blog.tables.commentmeta
    q = select(m.c.meta_id, m.c.comment_id, m.c.meta_key, m.c.meta_value).where(
        m.c.comment_id.in_(ids)
    )
    if keys is not None:
        q = q.where(m.c.meta_key.in_(list(keys)))
    out: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(q.order_by(m.c.meta_id)):
        out.setdefault(int(r.comment_id), []).append(
            {"meta_id": int(r.meta_id), "meta_key": r.meta_key, "meta_value": r.meta_value}
        )
    return out


def _restored_status(metas: list[dict[str, Any]]) -> str:
    """get_comment_meta(..., single) is the first row; PHP's empty() makes '' and '0' -> '0'."""
    for m in metas:
        if m["meta_key"] == TRASH_STATUS:
            value = m["meta_value"] or ""
            return "0" if value in ("", "0") else str(value)
    return "0"


def _row_dict(row: Row[Any]) -> dict[str, Any]:
    out = {}
    for k, v in row._mapping.items():
        out[k] = v.strftime("%Y-%m-%d %H:%M:%S") if hasattr(v, "strftime") else v
    return out


class _Chunk:
    """One transaction's worth of an action."""

    def __init__(self, blog: Blog, action: str, seen: Mapping[int, str], now: int) -> None:
        self.blog, self.action, self.seen, self.now = blog, action, seen, now

    def run(
        self, ids: list[int], journal: Journal | None, action_id: int | None
    ) -> tuple[list[int], dict[int, tuple[str, str]], list[Conflict], set[int]]:
        with staged(journal, action_id) as record, write_txn(self.blog) as conn:
            rows = _lock_rows(conn, self.blog, ids, full=self.action == "delete")
            ok: list[int] = []
            conflicts: list[Conflict] = []
            for i in ids:
                row = rows.get(i)
                if row is None or row.comment_approved != self.seen[i]:
                    actual = None if row is None else row.comment_approved
                    conflicts.append(Conflict(i, self.seen[i], actual))
                else:
                    ok.append(i)
            if not ok:
                return [], {}, conflicts, set()
            if self.action == "delete":
                changed, trans, posts, items = self._delete(conn, rows, ok)
            else:
                changed, trans, posts, items = self._status(conn, rows, ok)
            # Committed to the journal before WordPress's rows change.
            record(items)
            self._write(conn, rows, changed, trans)
            # WordPress recounts after every change; a count of approved comments
            # can only move when a row enters or leaves '1', so only those posts
            # are recounted (85% of a bulk spam's time on a large blog otherwise).
            recount_posts(
                conn,
                self.blog,
                {int(rows[i].comment_post_ID) for i in changed if "1" in trans[i]},
            )
        return changed, trans, conflicts, posts

    # -- planning --------------------------------------------------------------

    def _status(
        self, conn: Connection, rows: Rows, ok: list[int]
    ) -> tuple[list[int], dict[int, tuple[str, str]], set[int], list[NewItem]]:
        # approve/unapprove never touch the trash metas, so they need not read them.
        touches_meta = self.action not in _FIXED_TARGET or self.action in ("spam", "trash")
        trash_meta = _meta_rows(conn, self.blog, ok, TRASH_KEYS) if touches_meta else {}
        changed, trans, posts, items = [], {}, set(), []
        for i in ok:
            old = rows[i].comment_approved
            new = _FIXED_TARGET.get(self.action) or _restored_status(trash_meta.get(i, []))
            if new == old:
                # wp_set_comment_status() fails when nothing changes: no meta touched.
                continue
            changed.append(i)
            trans[i] = (old, new)
            posts.add(int(rows[i].comment_post_ID))
            items.append(
                NewItem(
                    "comment",
                    i,
                    {"status": old, "post_id": int(rows[i].comment_post_ID)}
                    | ({"trash_meta": trash_meta.get(i, [])} if touches_meta else {}),
                    {"status": new},
                )
            )
        return changed, trans, posts, items

    def _delete(
        self, conn: Connection, rows: Rows, ok: list[int]
    ) -> tuple[list[int], dict[int, tuple[str, str]], set[int], list[NewItem]]:
        c = self.blog.tables.comments
        metas = _meta_rows(conn, self.blog, ok)
        deleted = set(ok)
        children: dict[int, list[int]] = {}
        for cid, parent in conn.execute(
            select(c.c.comment_ID, c.c.comment_parent)
            .where(c.c.comment_parent.in_(ok))
            .with_for_update()
        ):
            children.setdefault(int(parent), []).append(int(cid))
        self._children = children
        self._new_parent = {i: self._resolve_parent(i, rows, deleted) for i in ok}
        items = []
        for i in ok:
            items.append(
                NewItem(
                    "comment",
                    i,
                    {
                        "status": rows[i].comment_approved,
                        "post_id": int(rows[i].comment_post_ID),
                        "row": _row_dict(rows[i]),
                        "meta": metas.get(i, []),
                        "children": [ch for ch in children.get(i, []) if ch not in deleted],
                        "children_parent": self._new_parent[i],
                    },
                    {"status": None},
                )
            )
        # WordPress recounts after a permanent delete only if the comment was approved.
        posts = {int(rows[i].comment_post_ID) for i in ok if rows[i].comment_approved == "1"}
        trans = {i: (rows[i].comment_approved, "deleted") for i in ok}
        return ok, trans, posts, items

    @staticmethod
    def _resolve_parent(i: int, rows: Rows, deleted: set[int]) -> int:
        """The nearest ancestor that survives: what sequential deletes leave behind."""
        parent = int(rows[i].comment_parent or 0)
        hops = 0
        while parent in deleted and parent in rows and hops < len(rows):
            parent = int(rows[parent].comment_parent or 0)
            hops += 1
        return parent

    # -- writing ---------------------------------------------------------------

    def _write(
        self,
        conn: Connection,
        rows: Rows,
        changed: list[int],
        trans: dict[int, tuple[str, str]],
    ) -> None:
        if not changed:
            return
        t = self.blog.tables
        c, m = t.comments, t.commentmeta
        if self.action == "delete":
            for i in changed:
                kids = [k for k in self._children.get(i, []) if k not in set(changed)]
                if kids:
                    conn.execute(
                        update(c)
                        .where(c.c.comment_ID.in_(kids))
                        .values(comment_parent=self._new_parent[i])
                    )
            conn.execute(delete(m).where(m.c.comment_id.in_(changed)))
            conn.execute(delete(c).where(c.c.comment_ID.in_(changed)))
            return
        by_move: dict[tuple[str, str], list[int]] = {}
        for i in changed:
            by_move.setdefault(trans[i], []).append(i)
        for (old, new), ids in by_move.items():
            conn.execute(
                update(c)
                .where(c.c.comment_ID.in_(ids), c.c.comment_approved == old)
                .values(comment_approved=new)
            )
        if self.action in ("spam", "trash", "unspam", "untrash"):
            conn.execute(delete(m).where(m.c.comment_id.in_(changed), m.c.meta_key.in_(TRASH_KEYS)))
        if self.action in ("spam", "trash"):
            values = []
            for i in changed:
                values.append(
                    {"comment_id": i, "meta_key": TRASH_STATUS, "meta_value": trans[i][0]}
                )
                values.append(
                    {"comment_id": i, "meta_key": TRASH_TIME, "meta_value": str(self.now)}
                )
            conn.execute(insert(m), values)


def moderate(
    blog: Blog,
    action: str,
    seen: Mapping[int, str],
    *,
    journal: Journal | None = None,
    chunk_size: int = 1000,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    now: int | None = None,
) -> ModerationResult:
    """Apply ``action`` to the pings in ``seen`` ({id: status the moderator saw})."""
    if action not in ACTIONS:
        raise PingdeskError(f"unknown action {action!r}")
    result = ModerationResult(action, requested=len(seen))
    todo = []
    for i, status in seen.items():
        if status in APPLICABLE[action]:
            todo.append(int(i))
        else:
            result.skipped.append((int(i), f"{action} does not apply to status {status!r}"))
    todo.sort()
    if not todo:
        return result
    action_id = journal.begin(blog.key, action) if journal is not None else None
    result.journal_id = action_id
    worker = _Chunk(blog, action, {int(k): v for k, v in seen.items()}, now or int(time.time()))
    done = 0
    try:
        for ids in _chunks(todo, max(1, chunk_size)):
            if should_stop is not None and should_stop():
                result.cancelled = True
                break
            changed, trans, conflicts, posts = with_retry(
                lambda ids=ids: worker.run(ids, journal, action_id)  # type: ignore[misc]
            )
            result.changed.extend(changed)
            result.transitions.update(trans)
            result.conflicts.extend(conflicts)
            result.posts |= posts
            done += len(ids)
            if progress is not None:
                progress(done, len(todo))
    finally:
        if journal is not None and action_id is not None:
            state = "done" if result.changed else "failed"
            journal.finish(action_id, state, result.summary())
    return result


# -- undo and restore ----------------------------------------------------------


@dataclass
class UndoResult:
    undone_action: str
    undone_id: int
    restored: list[int] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    journal_id: int | None = None
    transitions: dict[int, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _insert_trash_meta(conn: Connection, blog: Blog, cid: int, metas: list[dict[str, Any]]) -> None:
    m = blog.tables.commentmeta
    for meta in metas:
        if meta["meta_key"] in TRASH_KEYS:
            conn.execute(
                insert(m).values(
                    comment_id=cid, meta_key=meta["meta_key"], meta_value=meta["meta_value"]
                )
            )


def undo_status_items(
    blog: Blog, items: Sequence[Item], chunk_size: int = 1000
) -> tuple[list[int], list[Conflict], set[int], dict[int, tuple[str, str]]]:
    """Put comments back in the status (and trash meta) they had before an action."""
    c, m = blog.tables.comments, blog.tables.commentmeta
    restored: list[int] = []
    conflicts: list[Conflict] = []
    trans: dict[int, tuple[str, str]] = {}
    posts: set[int] = set()
    for start in range(0, len(items), chunk_size):
        chunk = items[start : start + chunk_size]

        def run(chunk: Sequence[Item] = chunk) -> None:
            # Results land in the outer lists only once this transaction commits,
            # so a retried deadlock does not count a row twice.
            restored_now: list[int] = []
            conflicts_now: list[Conflict] = []
            trans_now: dict[int, tuple[str, str]] = {}
            posts_now: set[int] = set()
            with write_txn(blog) as conn:
                ids = [int(it.object_id) for it in chunk]
                rows = _lock_rows(conn, blog, ids, full=False)
                for it in chunk:
                    cid = int(it.object_id)
                    row = rows.get(cid)
                    expected = it.after["status"]
                    if row is None or row.comment_approved != expected:
                        conflicts_now.append(
                            Conflict(cid, expected, None if row is None else row.comment_approved)
                        )
                        continue
                    conn.execute(
                        update(c)
                        .where(c.c.comment_ID == cid, c.c.comment_approved == expected)
                        .values(comment_approved=it.before["status"])
                    )
                    if "trash_meta" in it.before:  # spam/trash/unspam/untrash changed them
                        conn.execute(
                            delete(m).where(m.c.comment_id == cid, m.c.meta_key.in_(TRASH_KEYS))
                        )
                        _insert_trash_meta(conn, blog, cid, it.before["trash_meta"])
                    restored_now.append(cid)
                    trans_now[cid] = (expected, it.before["status"])
                    posts_now.add(int(row.comment_post_ID))
                recount_posts(conn, blog, {int(rows[i].comment_post_ID) for i in rows})
            restored.extend(restored_now)
            conflicts.extend(conflicts_now)
            trans.update(trans_now)
            posts.update(posts_now)

        with_retry(run)
    return restored, conflicts, posts, trans


def restore_deleted(blog: Blog, items: Sequence[Item]) -> tuple[list[int], list[Conflict]]:
    """Re-insert permanently deleted comments with their ids, meta and children."""
    c, m = blog.tables.comments, blog.tables.commentmeta
    # Parents before children, so a restored reply's parent exists again.
    ordered = sorted(items, key=lambda it: int(it.object_id))

    def run() -> tuple[list[int], list[Conflict]]:
        done: list[int] = []
        clashes: list[Conflict] = []
        with write_txn(blog) as conn:
            for it in ordered:
                cid = int(it.object_id)
                exists_now = conn.execute(
                    select(c.c.comment_ID).where(c.c.comment_ID == cid).with_for_update()
                ).first()
                if exists_now is not None:
                    clashes.append(Conflict(cid, "deleted", "exists"))
                    continue
                conn.execute(insert(c).values(**it.before["row"]))
                metas = it.before.get("meta", [])
                if metas:
                    taken = {
                        int(x)
                        for (x,) in conn.execute(
                            select(m.c.meta_id).where(
                                m.c.meta_id.in_([int(mm["meta_id"]) for mm in metas])
                            )
                        )
                    }
                    conn.execute(
                        insert(m),
                        [
                            {
                                **(
                                    {"meta_id": mm["meta_id"]} if mm["meta_id"] not in taken else {}
                                ),
                                "comment_id": cid,
                                "meta_key": mm["meta_key"],
                                "meta_value": mm["meta_value"],
                            }
                            for mm in metas
                        ],
                    )
                kids = it.before.get("children", [])
                if kids:
                    conn.execute(
                        update(c)
                        .where(
                            c.c.comment_ID.in_(kids),
                            c.c.comment_parent == it.before.get("children_parent", 0),
                        )
                        .values(comment_parent=cid)
                    )
                done.append(cid)
            recount_posts(conn, blog, {int(it.before["post_id"]) for it in ordered})
        return done, clashes

    restored, conflicts = with_retry(run)
    return restored, conflicts


def restore(blog: Blog, journal: Journal, comment_id: int) -> list[int]:
    """Bring back one permanently deleted ping from the journal."""
    item = journal.deleted(blog.key, comment_id)
    if item is None:
        raise NotFound(f"no journaled delete of ping #{comment_id} on this blog")
    uid = journal.begin(blog.key, "restore")
    restored, conflicts = restore_deleted(blog, [item])
    if conflicts:
        journal.finish(uid, "failed", {"conflicts": len(conflicts)})
        raise PingdeskError(f"cannot restore #{comment_id}: a comment with that id exists")
    journal.mark_restored([item.id])
    journal.finish(uid, "done", {"restored": restored})
    return restored
