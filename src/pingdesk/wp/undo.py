"""Undo: reverse the newest journaled action on a blog, conflict-checked like any write."""

from __future__ import annotations

from pingdesk.errors import NotFound, PingdeskError
from pingdesk.store.journal import Journal
from pingdesk.wp.blog import Blog
from pingdesk.wp.discussion import undo_option_items
from pingdesk.wp.moderation import (
    ACTIONS,
    UndoResult,
    restore_deleted,
    undo_status_items,
)
from pingdesk.wp.posts import POST_ACTIONS, undo_post_items


def undo(blog: Blog, journal: Journal) -> UndoResult:
    """Reverse the newest action on this blog that is not yet undone."""
    entry = journal.last_undoable(blog.key)
    if entry is None:
        raise NotFound("nothing to undo")
    return undo_entry(blog, journal, entry.id)


def undo_entry(blog: Blog, journal: Journal, action_id: int) -> UndoResult:
    entry = journal.get(action_id)
    if entry is None or entry.blog != blog.key:
        raise NotFound(f"no journal entry #{action_id} for this blog")
    items = [it for it in journal.items(action_id) if it.applied and not it.restored]
    result = UndoResult(entry.action, entry.id)
    uid = journal.begin(blog.key, f"undo {entry.action}", undo_of=entry.id)
    result.journal_id = uid
    if entry.action == "delete":
        result.restored, result.conflicts = restore_deleted(blog, items)
        journal.mark_restored([it.id for it in items if int(it.object_id) in result.restored])
    elif entry.action in ACTIONS:
        result.restored, result.conflicts, _, result.transitions = undo_status_items(blog, items)
    elif entry.action in POST_ACTIONS:
        result.restored, result.conflicts = undo_post_items(blog, items)
    elif entry.action == "settings":
        result.restored, result.conflicts = undo_option_items(blog, items)
    else:
        raise PingdeskError(f"cannot undo {entry.action!r}")
    journal.finish(
        uid, "done", {"restored": len(result.restored), "conflicts": len(result.conflicts)}
    )
    journal.set_state(entry.id, "undone")
    return result
