"""Undo: reverse a journaled action on a blog, conflict-checked like any write.

``undo`` takes the newest action not yet undone — an action cut short by a
crash included (reconciliation has made it ``interrupted`` by then); ``undo
ACTION_ID`` takes a given one, and refuses when a later action changed the same
rows (undo that one first). An undo is journaled like any action, item by
item, so an undo cut short can be finished by undoing again.
"""

from __future__ import annotations

import contextlib

from pingdesk.errors import NotFound, PingdeskError, UsageError
from pingdesk.store.journal import Entry, Item, Journal
from pingdesk.wp.blog import Blog
from pingdesk.wp.discussion import undo_option_items
from pingdesk.wp.moderation import (
    ACTIONS,
    Reporting,
    UndoResult,
    restore_deleted,
    undo_status_items,
)
from pingdesk.wp.posts import POST_ACTIONS, undo_post_items

UNDOABLE_STATES = frozenset({"done", "partial", "interrupted"})


def _refuse_while_running(blog: Blog, journal: Journal) -> None:
    running = journal.running(blog.key)
    if running:
        e = running[-1]
        raise PingdeskError(
            f"another pingdesk is applying action #{e.id} ({e.action}) on this blog now; "
            "undo when it has finished"
        )


def undo(blog: Blog, journal: Journal, *, reporting: Reporting | None = None) -> UndoResult:
    """Reverse the newest action on this blog that is not yet undone."""
    _refuse_while_running(blog, journal)
    entry = journal.last_undoable(blog.key)
    if entry is None:
        raise NotFound("nothing to undo")
    return undo_entry(blog, journal, entry.id, reporting=reporting)


def _check_undoable(blog: Blog, journal: Journal, entry: Entry | None, action_id: int) -> Entry:
    if entry is None or entry.blog != blog.key:
        raise NotFound(f"no journal entry #{action_id} for this blog")
    if entry.undo_of is not None:
        raise UsageError(
            f"#{entry.id} is itself an undo (of #{entry.undo_of}); it cannot be undone"
        )
    if entry.state == "undone":
        raise UsageError(f"#{entry.id} ({entry.action}) is already undone")
    if entry.state == "pending":
        raise PingdeskError(
            f"#{entry.id} ({entry.action}) is still being applied; undo when it has finished"
        )
    if entry.state not in UNDOABLE_STATES:
        raise UsageError(f"#{entry.id} ({entry.action}) changed nothing: nothing to undo")
    return entry


def plan(blog: Blog, journal: Journal, action_id: int | None = None) -> tuple[Entry, list[Item]]:
    """What an undo would reverse (the newest undoable action, or ``action_id``) and its
    items, with the same refusals as the undo itself; nothing is written."""
    _refuse_while_running(blog, journal)
    if action_id is None:
        last = journal.last_undoable(blog.key)
        if last is None:
            raise NotFound("nothing to undo")
        action_id = last.id
    entry = _check_undoable(blog, journal, journal.get(action_id), action_id)
    return entry, _items_to_undo(blog, journal, entry)


def _items_to_undo(blog: Blog, journal: Journal, entry: Entry) -> list[Item]:
    done = journal.undone_items(entry.id)
    items = [it for it in journal.items(entry.id) if it.applied and not it.restored]
    items = [it for it in items if it.id not in done]
    kinds = {it.kind for it in items}
    for kind in kinds:
        later = journal.later_touching(
            blog.key, entry.id, kind, [it.object_id for it in items if it.kind == kind]
        )
        if later:
            ids = ", ".join(f"#{i}" for i in later)
            raise UsageError(
                f"cannot undo #{entry.id} ({entry.action}): later action(s) {ids} changed "
                "the same rows; undo those first"
            )
    return items


def undo_entry(
    blog: Blog, journal: Journal, action_id: int, *, reporting: Reporting | None = None
) -> UndoResult:
    entry = _check_undoable(blog, journal, journal.get(action_id), action_id)
    items = _items_to_undo(blog, journal, entry)
    result = UndoResult(entry.action, entry.id)
    uid = journal.begin(blog.key, f"undo {entry.action}", undo_of=entry.id, total=len(items))
    result.journal_id = uid
    try:
        if entry.action == "delete":
            result.restored, result.conflicts = restore_deleted(
                blog, items, journal=journal, action_id=uid
            )
            journal.mark_restored([it.id for it in items if int(it.object_id) in result.restored])
        elif entry.action in ACTIONS:
            result.restored, result.conflicts, _, result.transitions = undo_status_items(
                blog, items, journal=journal, action_id=uid, reporting=reporting
            )
        elif entry.action in POST_ACTIONS:
            result.restored, result.conflicts = undo_post_items(blog, items)
        elif entry.action == "settings":
            result.restored, result.conflicts = undo_option_items(blog, items)
        else:
            raise PingdeskError(f"cannot undo {entry.action!r}")
    except BaseException:
        with contextlib.suppress(PingdeskError):
            journal.release(uid)
        raise
    journal.finish(
        uid, "done", {"restored": len(result.restored), "conflicts": len(result.conflicts)}
    )
    journal.set_state(entry.id, "undone")
    return result
