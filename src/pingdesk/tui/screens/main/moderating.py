"""Moderating: the single-row actions (act and advance), the marked ones, undo.

A single-row action takes the row out of the table at once and puts it back if
the write fails; writes run one after another in the app's writer (jobs.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pingdesk.errors import NotFound
from pingdesk.services.words import past, plural
from pingdesk.textsafe import safe
from pingdesk.tui.jobs import Job
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.main.reading import ReadingMixin
from pingdesk.tui.views import VIEW_LABELS, view_code
from pingdesk.wp.moderation import APPLICABLE, Conflict, ModerationResult, UndoResult
from pingdesk.wp.pings import STATUS_NAMES, Counts

# Above this many rows an action shows a progress bar and can be cancelled.
LONG_ACTION = 500
# Seconds without writes before the header's counts are read again from the database.
COUNTS_QUIET = 2.0
# During a long action the counts are read again at most this often, as chunks commit.
RECOUNT_EVERY = 1.0
DESTRUCTIVE = {"spam", "trash", "delete"}


def done_text(action: str) -> str:
    """'Approved', 'Marked as spam': what an action did, to start a sentence."""
    text = past(action)
    return text[:1].upper() + text[1:]


def _conflict_text(conflicts: list[Conflict], ref: Callable[[int], str], limit: int = 4) -> str:
    parts = []
    for c in conflicts[:limit]:
        now = "deleted" if c.actual is None else STATUS_NAMES.get(c.actual, c.actual)
        parts.append(f"{safe(ref(c.id))} is now {now}")
    more = f" and {len(conflicts) - limit:,} more" if len(conflicts) > limit else ""
    return "; ".join(parts) + more


class ModeratingMixin(ReadingMixin):
    """Approve … delete, on this ping or the marked ones; undo."""

    HELP_TITLE = "Moderate the ping under the cursor (it moves on), or the marked ones"

    def _undo_hint(self) -> str:
        return "ctrl+z undoes" if self.view in ("spam", "trash") else "z undoes"

    def action_act(self, action: str) -> None:
        table = self.table
        pid = table.current_id
        if pid is None:
            self.notify("No ping here.", severity="warning")
            return
        row = table.row(pid)
        seen = row.ping.status if row is not None else view_code(self.view)
        if seen not in APPLICABLE[action]:
            status = STATUS_NAMES.get(seen, seen)
            self.notify(
                f"{action} does not apply to a {status} ping.",
                severity="warning",
            )
            return
        if action == "delete":

            def answered(yes: bool | None) -> None:
                if yes:
                    self._submit(action, {pid: seen}, optimistic=True)

            self.app.push_screen(
                ConfirmScreen(
                    f"Delete ping {safe(self.desk.ref(pid))} permanently?",
                    "WordPress cannot bring it back; pingdesk's journal can (ctrl+z).",
                ),
                answered,
            )
            return
        self._submit(action, {pid: seen}, optimistic=True)

    def action_act_marked(self, action: str) -> None:
        table = self.table
        if action == "restore":
            if self.view == "spam":
                action = "unspam"
            elif self.view == "trash":
                action = "untrash"
            else:
                self.notify("Z restores marked pings in the Spam and Trash views.")
                return
        if action == "delete" and self.view not in ("spam", "trash"):
            self.notify("D deletes permanently in the Spam and Trash views; T trashes.")
            return
        ids = [i for i in table.ids if i in table.marked]
        if not ids:
            self.notify("Nothing marked: x marks a ping, X marks all in view.", severity="warning")
            return
        code = view_code(self.view)
        if code not in APPLICABLE[action]:
            self.notify(
                f"{action} does not apply in {VIEW_LABELS[self.view]}.",
                severity="warning",
            )
            return
        seen = dict.fromkeys(ids, code)
        if (action in DESTRUCTIVE and len(ids) > 1) or action == "delete":
            verb = {"spam": "Mark as spam", "trash": "Trash", "delete": "Delete permanently"}[
                action
            ]

            def answered(yes: bool | None) -> None:
                if yes:
                    self._submit(action, seen, optimistic=False)

            detail = (
                "WordPress cannot bring them back; pingdesk's journal can (ctrl+z)."
                if action == "delete"
                else "ctrl+z undoes it."
            )
            self.app.push_screen(
                ConfirmScreen(f"{verb} {plural(len(ids), 'marked ping')}?", detail), answered
            )
            return
        self._submit(action, seen, optimistic=False)

    def _submit(self, action: str, seen: dict[int, str], *, optimistic: bool) -> None:
        table = self.table
        where = table.remove_ids(seen) if optimistic else {}
        self._optimistic.update(where)
        n = len(seen)
        long = n > LONG_ACTION
        desk = self.desk

        def run(job: Job) -> ModerationResult:
            return desk.act(action, seen, progress=job.progress, should_stop=job.should_stop)

        # Chunks run in id order: when ``done`` pings are through, the first ``done``
        # ids have left this view (moved, or found moved by someone else). The rows go
        # as their chunk commits and the header's counts follow, read at most once a second.
        order = sorted(seen)
        through = 0
        recounted = time.monotonic()

        def progressed(done_n: int, _total: int) -> None:
            nonlocal through, recounted
            if optimistic or done_n <= through:
                return
            table.remove_ids(order[through:done_n])
            through = done_n
            if time.monotonic() - recounted >= RECOUNT_EVERY:
                recounted = time.monotonic()
                self.load_counts()

        def done(result: ModerationResult) -> None:
            self._finish_optimistic(where)
            self._note_change(set(result.changed) | {c.id for c in result.conflicts})
            self._after_act(result, where)
            if long:
                self.load_counts()  # exact as soon as the job ends

        def failed(exc: BaseException) -> None:
            self._finish_optimistic(where)
            table.put_back(where)
            self._failed(f"{done_text(action)}: failed", exc)
            if through:  # some chunks committed before it failed: show what is true now
                self.load_snapshot(keep_id=table.current_id, keep_index=table.cursor)

        label = f"{done_text(action)}: {plural(n, 'ping')}"
        self.pd_app.runner.submit(
            Job(label, run, on_done=done, on_error=failed, on_progress=progressed, long=long),
            owner=self,
        )

    def _adjust_counts(self, transitions: dict[int, tuple[str, str]]) -> None:
        """Move the header's counts by what a write did, at once; the exact numbers
        are read again once the moderator pauses. (Recounting 1M comments after every
        key would queue seconds-long queries behind each other and slow the writes.)"""
        counts = self.counts
        if counts is not None and transitions:
            by = {s: dict(k) for s, k in counts.by_status.items()}
            for pid, (old, new) in transitions.items():
                row = self.table.row(pid)
                if row is None:
                    continue
                kind = row.ping.kind
                for status, step in ((old, -1), (new, 1)):
                    name = STATUS_NAMES.get(status)
                    if name in by:
                        by[name][kind] = max(0, by[name].get(kind, 0) + step)
            self.counts = Counts(by)
        if self._counts_timer is not None:
            self._counts_timer.stop()
        self._counts_timer = self.set_timer(COUNTS_QUIET, self.load_counts)

    def _note_change(self, moved: set[int], *, entering: bool = False) -> None:
        self._data_gen += 1
        self._changes.append((self._data_gen, moved, entering))
        del self._changes[:-200]  # a snapshot never takes 200 writes to read

    def _finish_optimistic(self, where: dict[int, int]) -> None:
        for i in where:
            self._optimistic.pop(i, None)

    def _after_act(self, result: ModerationResult, where: dict[int, int]) -> None:
        table = self.table
        changed = set(result.changed)
        conflicted = {c.id for c in result.conflicts}
        if where:
            # Rows the write did not move (skipped) come back; conflicted rows are no
            # longer in this view's status, so they stay out (and are reported).
            back = {i: n for i, n in where.items() if i not in changed and i not in conflicted}
            if back:
                table.put_back(back)
        else:
            table.remove_ids(changed | conflicted)
        verb = done_text(result.action)
        if result.changed:
            n = len(result.changed)
            first = f" ({safe(self.desk.ref(result.changed[0]))})" if n == 1 else ""
            tail = " — cancelled before the end" if result.cancelled else ""
            self.say(f"{verb} {plural(n, 'ping')}{first}{tail}. {self._undo_hint()}.")
        elif result.cancelled:
            self.notify(f"{verb}: cancelled, nothing changed.", severity="warning")
        self._say_conflicts(result.conflicts, "Changed by someone else")
        if result.skipped and not result.changed and not result.conflicts:
            self.notify(result.skipped[0][1], severity="warning")
        self._adjust_counts(result.transitions)
        if self.desk.across_blogs:
            self.pd_app.start_sender()  # a blog that acted for the first time reports too

    def _say_conflicts(self, conflicts: list[Conflict], title: str) -> None:
        if conflicts:
            self.notify(
                f"{plural(len(conflicts), 'conflict')}, left as they are: "
                + _conflict_text(conflicts, self.desk.ref),
                title=title,
                severity="warning",
                timeout=10,
            )

    def action_undo_any(self) -> None:
        self.action_undo()

    def action_undo(self) -> None:
        desk = self.desk
        table = self.table
        keep = table.current_id

        def run(job: Job) -> UndoResult:
            return desk.undo()

        def done(result: UndoResult) -> None:
            self._note_change(set(), entering=True)
            what = result.undone_action
            n = len(result.restored)
            self.notify(f"Undid {what}: {plural(n, 'item')} put back.")
            self._say_conflicts(result.conflicts, "Changed since")
            restored = [int(i) for i in result.restored] if what in APPLICABLE else []
            table.forget_rows(restored)
            self.load_snapshot(keep_id=keep, keep_index=table.cursor, focus_ids=restored)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, NotFound):
                self.notify("Nothing to undo.")
            else:
                self._failed("Undo failed", exc)

        self.pd_app.runner.submit(Job("Undo", run, on_done=done, on_error=failed), owner=self)
