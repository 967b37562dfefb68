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

import contextlib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError

from pingdesk.errors import Interrupted, NotFound, PingdeskError
from pingdesk.progress import Progress, ShouldStop
from pingdesk.store.journal import Item, Journal, NewItem, NewReport
from pingdesk.wp.akismet_meta import Trail, read_rows_in, write_trail
from pingdesk.wp.akismet_payload import Payload, SiteInfo, build_payload, fallback_permalink
from pingdesk.wp.blog import Blog
from pingdesk.wp.permalinks import permalinks
from pingdesk.wp.pings import STATUS_NAMES
from pingdesk.wp.txn import (
    CommitUnknown,
    Stager,
    is_retryable,
    journaled_txn,
    short_reason,
    with_retry,
)

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
# How a status reads after "#48 is ...": WordPress's names, as `wp comment list` shows them.
_STATUS_PHRASE = {
    "0": "pending",
    "1": "approved",
    "spam": "spam",
    "trash": "in the trash",
    "post-trashed": "in the trash with its post",
}


def status_phrase(status: str | None) -> str:
    if status is None:
        return "deleted"
    return _STATUS_PHRASE.get(status, STATUS_NAMES.get(status, status))


def skip_reason(action: str, status: str) -> str:
    """Why ``action`` leaves a ping in ``status`` alone, to follow "#48 is ":
    'already approved', 'not spam (it is pending)', 'spam; approve applies to pending pings'."""
    phrase = status_phrase(status)
    if _FIXED_TARGET.get(action) == status:
        return f"already {phrase}"
    if status == "post-trashed":
        return f"{phrase} (restoring the post brings it back)"
    if action == "unspam":
        return f"not spam (it is {phrase})"
    if action == "untrash":
        return f"not in the trash (it is {phrase})"
    wanted = " or ".join(dict.fromkeys(status_phrase(s) for s in sorted(APPLICABLE[action])))
    return f"{phrase}; {action} applies to {wanted} pings"


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
        """'#12: was pending, now spam' in WordPress's status names."""
        return f"#{self.id}: was {status_phrase(self.expected)}, now {status_phrase(self.actual)}"


@dataclass
class ModerationResult:
    action: str
    requested: int = 0
    changed: list[int] = field(default_factory=list)
    transitions: dict[int, tuple[str, str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # asked for by id, not a ping here
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
            "missing": len(self.missing),
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


@dataclass(frozen=True)
class Reporting:
    """Akismet beside a moderation: the plugin's trail, and reports to queue when
    ``site`` is given (an API key is configured)."""

    trail: Trail
    site: SiteInfo | None = None


def queue_reports(
    conn: Connection,
    blog: Blog,
    reporting: Reporting,
    verdicts: Mapping[int, str],
    item_of: Mapping[int, int],
) -> list[NewReport]:
    """The requests the plugin would send for these pings, built now (a later delete
    loses nothing); ``item_of`` maps a ping to its journal item's index."""
    site = reporting.site
    if site is None or not verdicts:
        return []
    rows = read_rows_in(conn, blog, verdicts)
    links = permalinks(blog, {r.post_id for r in rows.values()})
    out: list[NewReport] = []
    for cid, verdict in sorted(verdicts.items()):
        row = rows.get(cid)
        if row is None:
            continue
        link = links.get(row.post_id) or fallback_permalink(site, row.post_id)
        built = build_payload(row, site, link, purpose="report")
        if isinstance(built, Payload):
            out.append(
                NewReport(item_of[cid], cid, verdict, built.blog_url, built.user_ip, built.fields)
            )
    return out


def _report_and_trail(
    conn: Connection,
    blog: Blog,
    reporting: Reporting | None,
    trans: Mapping[int, tuple[str, str]],
    items: Sequence[NewItem],
    stager: Stager,
) -> None:
    """Stage the items with their reports, then write the plugin's trail (same transaction)."""
    if reporting is None:
        stager.stage(items)
        return
    item_of = {int(it.object_id): n for n, it in enumerate(items)}
    spam, ham = write_trail(conn, blog, trans, reporting.trail)
    verdicts = dict.fromkeys(spam, "spam") | dict.fromkeys(ham, "ham")
    stager.stage(items, queue_reports(conn, blog, reporting, verdicts, item_of))


class _Chunk:
    """One transaction's worth of an action."""

    def __init__(
        self,
        blog: Blog,
        action: str,
        seen: Mapping[int, str],
        now: int,
        reporting: Reporting | None = None,
    ) -> None:
        self.blog, self.action, self.seen, self.now = blog, action, seen, now
        self.reporting = reporting

    def run(
        self, ids: list[int], journal: Journal | None, action_id: int | None
    ) -> tuple[list[int], dict[int, tuple[str, str]], list[Conflict], set[int]]:
        with journaled_txn(self.blog, journal, action_id) as (conn, stager):
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
                stager.stage(items)  # the plugin writes nothing for a delete
            else:
                changed, trans, posts, items = self._status(conn, rows, ok)
                # Committed to the journal (with the reports) before the rows change.
                _report_and_trail(conn, self.blog, self.reporting, trans, items, stager)
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
    reporting: Reporting | None = None,
) -> ModerationResult:
    """Apply ``action`` to the pings in ``seen`` ({id: status the moderator saw}).

    Raises ``Interrupted`` when the database goes away midway: the chunks that
    committed stay journaled (and undoable); the one in flight is settled by
    reconciliation at the next start.
    """
    if action not in ACTIONS:
        raise PingdeskError(f"unknown action {action!r}")
    result = ModerationResult(action, requested=len(seen))
    todo = []
    for i, status in seen.items():
        if status in APPLICABLE[action]:
            todo.append(int(i))
        else:
            result.skipped.append((int(i), skip_reason(action, status)))
    todo.sort()
    if not todo:
        return result
    action_id = journal.begin(blog.key, action, total=len(todo)) if journal is not None else None
    result.journal_id = action_id
    worker = _Chunk(
        blog, action, {int(k): v for k, v in seen.items()}, now or int(time.time()), reporting
    )
    chunks = list(_chunks(todo, max(1, chunk_size)))
    finished = False
    try:
        for n, ids in enumerate(chunks):
            if should_stop is not None and should_stop():
                result.cancelled = True
                break
            try:
                changed, trans, conflicts, posts = with_retry(
                    lambda ids=ids: worker.run(ids, journal, action_id)  # type: ignore[misc]
                )
            except (DBAPIError, CommitUnknown) as exc:
                hint = "; `pingdesk undo` reverts them" if result.changed else ""
                what = (
                    "the database stayed locked"
                    if is_retryable(exc)
                    else "lost the database connection"
                )
                raise Interrupted(
                    f"{what} ({short_reason(exc)}) after "
                    f"{len(result.changed):,} of {len(todo):,} pings "
                    f"({n:,} of {len(chunks):,} chunks){hint}",
                    changed=result.changed,
                ) from None
            result.changed.extend(changed)
            result.transitions.update(trans)
            result.conflicts.extend(conflicts)
            result.posts |= posts
            if progress is not None:
                progress(sum(len(c) for c in chunks[: n + 1]), len(todo))
        finished = True
    finally:
        if journal is not None and action_id is not None:
            _close_action(journal, action_id, finished, result.summary(), bool(result.changed))
    return result


def _close_action(
    journal: Journal, action_id: int, finished: bool, summary: dict[str, Any], changed: bool
) -> None:
    """Finish the journal entry; one cut short is left for reconciliation to settle."""
    if finished:
        journal.finish(action_id, "done" if changed else "failed", summary)
        return
    # The journal itself is unwritable: the next start settles it all the same.
    with contextlib.suppress(PingdeskError):
        journal.release(action_id)


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


def _put_back(conn: Connection, blog: Blog, todo: Sequence[Item]) -> None:
    """Statuses and trash meta as they were before, a few statements for the chunk."""
    c, m = blog.tables.comments, blog.tables.commentmeta
    by_move: dict[tuple[str, str], list[int]] = {}
    for it in todo:
        by_move.setdefault((it.after["status"], it.before["status"]), []).append(int(it.object_id))
    for (now, before), ids in by_move.items():
        conn.execute(
            update(c)
            .where(c.c.comment_ID.in_(ids), c.c.comment_approved == now)
            .values(comment_approved=before)
        )
    # spam/trash/unspam/untrash changed the trash meta: put back exactly what was there.
    touched = [it for it in todo if "trash_meta" in it.before]
    if not touched:
        return
    conn.execute(
        delete(m).where(
            m.c.comment_id.in_([int(it.object_id) for it in touched]),
            m.c.meta_key.in_(TRASH_KEYS),
        )
    )
    values = [
        {
            "comment_id": int(it.object_id),
            "meta_key": mm["meta_key"],
            "meta_value": mm["meta_value"],
        }
        for it in touched
        for mm in it.before["trash_meta"]
        if mm["meta_key"] in TRASH_KEYS
    ]
    if values:
        conn.execute(insert(m), values)


def _trash_meta_now(
    conn: Connection, blog: Blog, ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    return _meta_rows(conn, blog, ids, TRASH_KEYS)


def undo_status_items(
    blog: Blog,
    items: Sequence[Item],
    *,
    journal: Journal | None = None,
    action_id: int | None = None,
    reporting: Reporting | None = None,
    chunk_size: int = 1000,
) -> tuple[list[int], list[Conflict], set[int], dict[int, tuple[str, str]]]:
    """Put comments back in the status (and trash meta) they had before an action.

    Journaled like any action (``action_id`` is the undo's own entry): each item
    records which item it reverses, so an undo cut short can be finished later
    without touching what it already put back.
    """
    restored: list[int] = []
    conflicts: list[Conflict] = []
    trans: dict[int, tuple[str, str]] = {}
    posts: set[int] = set()
    for start in range(0, len(items), chunk_size):
        chunk = items[start : start + chunk_size]

        def run(chunk: Sequence[Item] = chunk) -> None:
            # Results land in the outer lists only once this transaction commits,
            # so a retried deadlock does not count a row twice.
            conflicts_now: list[Conflict] = []
            todo: list[Item] = []
            with journaled_txn(blog, journal, action_id) as (conn, stager):
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
                    else:
                        todo.append(it)
                touched = [int(it.object_id) for it in todo if "trash_meta" in it.before]
                meta_now = _trash_meta_now(conn, blog, touched) if touched else {}
                trans_now = {
                    int(it.object_id): (it.after["status"], it.before["status"]) for it in todo
                }
                new_items = [
                    NewItem(
                        "comment",
                        int(it.object_id),
                        {"status": it.after["status"], "post_id": it.before.get("post_id")}
                        | (
                            {"trash_meta": meta_now.get(int(it.object_id), [])}
                            if "trash_meta" in it.before
                            else {}
                        ),
                        {"status": it.before["status"]},
                        undoes=it.id,
                    )
                    for it in todo
                ]
                _report_and_trail(conn, blog, reporting, trans_now, new_items, stager)
                _put_back(conn, blog, todo)
                recount_posts(
                    conn,
                    blog,
                    {int(rows[int(it.object_id)].comment_post_ID) for it in todo},
                )
            restored.extend(int(it.object_id) for it in todo)
            conflicts.extend(conflicts_now)
            trans.update(trans_now)
            posts.update(int(rows[int(it.object_id)].comment_post_ID) for it in todo)

        with_retry(run)
    return restored, conflicts, posts, trans


def restore_deleted(
    blog: Blog,
    items: Sequence[Item],
    *,
    journal: Journal | None = None,
    action_id: int | None = None,
) -> tuple[list[int], list[Conflict]]:
    """Re-insert permanently deleted comments with their ids, meta and children."""
    c, m = blog.tables.comments, blog.tables.commentmeta
    # Parents before children, so a restored reply's parent exists again.
    ordered = sorted(items, key=lambda it: int(it.object_id))

    def run() -> tuple[list[int], list[Conflict]]:
        done: list[int] = []
        clashes: list[Conflict] = []
        with journaled_txn(blog, journal, action_id) as (conn, stager):
            present = {
                int(i)
                for (i,) in conn.execute(
                    select(c.c.comment_ID)
                    .where(c.c.comment_ID.in_([int(it.object_id) for it in ordered]))
                    .with_for_update()
                )
            }
            todo = [it for it in ordered if int(it.object_id) not in present]
            clashes = [
                Conflict(int(it.object_id), "deleted", "exists")
                for it in ordered
                if int(it.object_id) in present
            ]
            stager.stage(
                [
                    NewItem(
                        "comment",
                        int(it.object_id),
                        {"status": None, "post_id": it.before.get("post_id")},
                        {"status": it.before["status"]},
                        undoes=it.id,
                    )
                    for it in todo
                ]
            )
            for it in todo:
                cid = int(it.object_id)
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
            recount_posts(conn, blog, {int(it.before["post_id"]) for it in todo})
        return done, clashes

    restored, conflicts = with_retry(run)
    return restored, conflicts


def restore(blog: Blog, journal: Journal, comment_id: int) -> list[int]:
    """Bring back one permanently deleted ping from the journal."""
    item = journal.deleted(blog.key, comment_id)
    if item is None:
        raise NotFound(f"no journaled delete of ping #{comment_id} on this blog")
    uid = journal.begin(blog.key, "restore", total=1)
    restored, conflicts = restore_deleted(blog, [item], journal=journal, action_id=uid)
    if conflicts:
        journal.finish(uid, "failed", {"conflicts": len(conflicts)})
        raise PingdeskError(f"cannot restore #{comment_id}: a comment with that id exists")
    journal.mark_restored([item.id])
    journal.finish(uid, "done", {"restored": restored})
    return restored
