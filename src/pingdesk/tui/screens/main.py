"""The main screen: header, the ping table, the detail pane, key hints.

Keys follow WordPress's comment moderation shortcuts. Every database call runs
in a worker: reads in their own thread workers, writes one after another in
the app's writer (see jobs.py). A single-row action takes the row out of the
table at once (act and advance) and puts it back if the write fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from pingdesk.errors import NotFound, PingdeskError
from pingdesk.services.desk import BlogInfo, Desk
from pingdesk.services.words import past, plural
from pingdesk.tui.jobs import Job
from pingdesk.tui.query import Query
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.detail import DetailScreen
from pingdesk.tui.screens.filter import FilterScreen
from pingdesk.tui.screens.help import HelpScreen
from pingdesk.tui.screens.mark import MarkScreen
from pingdesk.tui.views import VIEW_LABELS, VIEWS, view_code
from pingdesk.tui.widgets.detail import Detail, DetailPane
from pingdesk.tui.widgets.header import DeskHeader
from pingdesk.tui.widgets.ping_table import PingTable, RowData
from pingdesk.tui.widgets.progress import ProgressPanel
from pingdesk.tui.widgets.status import StatusLine
from pingdesk.wp.moderation import APPLICABLE, Conflict, ModerationResult, UndoResult
from pingdesk.wp.pings import STATUS_NAMES, Counts, PingFilter

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp

# Above this many rows an action shows a progress bar and can be cancelled.
LONG_ACTION = 500
# Rows read first when a view opens, before the full id list arrives.
FIRST_PAGE = 150
# Seconds without writes before the header's counts are read again from the database.
COUNTS_QUIET = 2.0
PANE_QUIET = 0.05
DESTRUCTIVE = {"spam", "trash", "delete"}


def done_text(action: str) -> str:
    """'Approved', 'Marked as spam': what an action did, to start a sentence."""
    text = past(action)
    return text[:1].upper() + text[1:]


def _conflict_text(conflicts: list[Conflict], limit: int = 4) -> str:
    parts = []
    for c in conflicts[:limit]:
        now = "deleted" if c.actual is None else STATUS_NAMES.get(c.actual, c.actual)
        parts.append(f"#{c.id} is now {now}")
    more = f" and {len(conflicts) - limit} more" if len(conflicts) > limit else ""
    return "; ".join(parts) + more


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "act('approve')", "Approve"),
        Binding("u", "act('unapprove')", "Unapprove", show=False),
        Binding("s", "act('spam')", "Spam"),
        # One key, two meanings, as in wp-admin: check_action picks by view.
        Binding("d", "act('trash')", "Trash"),
        Binding("d", "act('delete')", "Delete"),
        Binding("z", "undo", "Undo"),
        Binding("z", "act('unspam')", "Not spam"),
        Binding("z", "act('untrash')", "Restore"),
        Binding("ctrl+z", "undo_any", "Undo", show=False),
        Binding("x,space", "mark", "Mark"),
        Binding("X", "mark_all", "Mark all", show=False),
        Binding("m", "mark_pattern", "Mark by", show=False),
        Binding("A", "act_marked('approve')", "Approve marked", show=False),
        Binding("S", "act_marked('spam')", "Spam marked", show=False),
        Binding("T", "act_marked('trash')", "Trash marked", show=False),
        Binding("U", "act_marked('unapprove')", "Unapprove marked", show=False),
        Binding("Z", "act_marked('restore')", "Restore marked", show=False),
        Binding("D", "act_marked('delete')", "Delete marked", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("1", "view('pending')", "Pending", show=False),
        Binding("2", "view('approved')", "Approved", show=False),
        Binding("3", "view('spam')", "Spam", show=False),
        Binding("4", "view('trash')", "Trash", show=False),
        Binding("tab", "cycle_view(1)", "Next view", show=False),
        Binding("shift+tab", "cycle_view(-1)", "Previous view", show=False),
        Binding("enter", "detail", "Detail", show=False),
        Binding("ctrl+r", "reload", "Refresh", show=False),
        Binding("escape", "escape", "Cancel", show=False),
        Binding("v", "verify", "Verify", show=False),
        Binding("V", "verify_view", "Verify view", show=False),
        Binding("K", "akismet_check", "Akismet check", show=False),
        Binding("c", "close_pings", "Close pings", show=False),
        Binding("comma", "settings", "Settings", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "pending"
        self.query_ = Query()
        self._data_gen = 0
        self._snapshot_gen = 0
        self._detail_timer: Timer | None = None
        self._pane_timer: Timer | None = None
        self._counts_timer: Timer | None = None
        self._optimistic: dict[int, int] = {}  # id -> removed while its write runs
        # (data generation, ids the write moved, whether rows may have entered the view)
        self._changes: list[tuple[int, set[int], bool]] = []
        self.info: BlogInfo | None = None

    # -- plumbing -----------------------------------------------------------------

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        return self.pd_app.desk

    @property
    def table(self) -> PingTable:
        return self.query_one(PingTable)

    @property
    def header(self) -> DeskHeader:
        return self.query_one(DeskHeader)

    def compose(self) -> ComposeResult:
        app = self.pd_app
        yield DeskHeader(id="header")
        yield PingTable(app.load_rows, extras=app.extra_columns(), now=app.now, id="pings")
        yield DetailPane(id="detail")
        yield ProgressPanel(id="progress")
        yield StatusLine(id="status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.table.loading = True
        self.table.focus()
        self.load_info()
        self.load_snapshot(keep_index=0, first_page=True)
        interval = self.pd_app.refresh_interval
        if interval:
            self.set_interval(interval, self._periodic_refresh, name="auto-refresh")

    def filter(self) -> PingFilter:
        return self.query_.apply(PingFilter(status=self.view))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        spam_or_trash = self.view in ("spam", "trash")
        if action == "act" and parameters:
            what = parameters[0]
            if what == "trash":
                return not spam_or_trash
            if what == "delete":
                return spam_or_trash
            if what == "unspam":
                return self.view == "spam"
            if what == "untrash":
                return self.view == "trash"
        if action == "undo":
            # z means 'not spam' / 'restore' there; ctrl+z (undo_any) still undoes.
            return not spam_or_trash
        if action in ("verify", "verify_view"):
            return self.pd_app.columns.verify is not None
        if action == "akismet_check":
            return self.pd_app.columns.akismet is not None
        return True

    # -- reading ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="info", exit_on_error=False)
    def load_info(self) -> None:
        try:
            info = self.desk.info()
        except Exception as exc:
            self.app.call_from_thread(self._failed, "Could not read the blog", exc)
            return
        self.app.call_from_thread(self._got_info, info)

    def _got_info(self, info: BlogInfo) -> None:
        self.info = info
        self.header.set_state(info=info)

    def load_snapshot(
        self,
        *,
        keep_id: int | None = None,
        keep_index: int | None = None,
        focus_ids: list[int] | None = None,
        first_page: bool = False,
    ) -> None:
        """Read the view's ids (and the counts, in their own worker).

        With ``first_page`` (a new view or filter), one keyset page is read and shown
        first: it costs a few ms where the full id list of 100k pings takes seconds."""
        self._snapshot_gen += 1
        self._snapshot_worker(
            self._snapshot_gen,
            self._data_gen,
            self.filter(),
            keep_id,
            keep_index,
            focus_ids,
            first_page,
        )
        self.load_counts()

    @work(thread=True, group="snapshot", exit_on_error=False)
    def _snapshot_worker(
        self,
        gen: int,
        data_gen: int,
        flt: PingFilter,
        keep_id: int | None,
        keep_index: int | None,
        focus_ids: list[int] | None,
        first_page: bool,
    ) -> None:
        try:
            if first_page:
                page = self.desk.page(flt, limit=FIRST_PAGE)
                rows = self.pd_app.with_extras(page.pings)
                self.app.call_from_thread(self._got_first_page, gen, rows)
                if page.next_cursor is None:
                    ids = [r.ping.id for r in rows]
                    self.app.call_from_thread(
                        self._got_snapshot, gen, data_gen, ids, keep_id, keep_index, focus_ids
                    )
                    return
            ids = self.desk.ids(flt)
        except Exception as exc:
            self.app.call_from_thread(self._snapshot_failed, gen, exc)
            return
        self.app.call_from_thread(
            self._got_snapshot, gen, data_gen, ids, keep_id, keep_index, focus_ids
        )

    def _snapshot_failed(self, gen: int, exc: BaseException) -> None:
        if gen == self._snapshot_gen:
            self.table.loading = False
            self.table.refresh()
            self._failed("Could not read the pings", exc)

    def _got_first_page(self, gen: int, rows: list[RowData]) -> None:
        if gen != self._snapshot_gen:
            return
        table = self.table
        table.add_rows(rows)
        ids = [r.ping.id for r in rows if r.ping.id not in self._optimistic]
        table.set_ids(ids, keep_index=0)
        table.partial = True

    def _got_snapshot(
        self,
        gen: int,
        data_gen: int,
        ids: list[int],
        keep_id: int | None,
        keep_index: int | None,
        focus_ids: list[int] | None,
    ) -> None:
        if gen != self._snapshot_gen:
            return  # a newer view or filter was asked for
        table = self.table
        if data_gen != self._data_gen:
            # Writes finished while we read: take out the rows they moved out of this
            # view; if one brought rows in (undo), read again.
            later = [c for c in self._changes if c[0] > data_gen]
            if any(entering for _, _, entering in later):
                self.load_snapshot(keep_id=keep_id, keep_index=keep_index, focus_ids=focus_ids)
                return
            gone = set().union(*(moved for _, moved, _ in later))
            ids = [i for i in ids if i not in gone]
        if self._optimistic:
            ids = [i for i in ids if i not in self._optimistic]
        if table.ids:
            # The cursor stays on the row it is on now: the moderator may have moved
            # while the list was read (or a provisional first page was on screen).
            keep_id, keep_index = table.current_id, table.cursor
        if focus_ids:
            present = set(ids)
            keep_id = next((i for i in focus_ids if i in present), keep_id)
        table.partial = False
        table.set_ids(ids, keep_id=keep_id, keep_index=keep_index)
        table.refetch_visible()
        self.header.set_state(marked=len(table.marked))

    def _set_counts(self, counts: Counts) -> None:
        self.header.set_state(counts=counts, view=self.view, query_text=self.query_.text)

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def load_counts(self) -> None:
        try:
            counts = self.desk.counts()
        except Exception:
            return  # the next refresh reports it
        self.app.call_from_thread(self._set_counts, counts)

    def _periodic_refresh(self) -> None:
        if not self.pd_app.runner.busy and self.app.screen is self:
            self.load_snapshot(keep_id=self.table.current_id, keep_index=self.table.cursor)

    def action_reload(self) -> None:
        self.load_info()
        self.load_snapshot(keep_id=self.table.current_id, keep_index=self.table.cursor)

    # -- detail pane --------------------------------------------------------------

    @on(PingTable.CursorMoved)
    def _cursor_moved(self, event: PingTable.CursorMoved) -> None:
        # The pane follows once the cursor rests: a held-down j redraws two table
        # lines per step, not the pane too.
        if self._pane_timer is not None:
            self._pane_timer.stop()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._pane_timer = self.set_timer(PANE_QUIET, lambda: self._show_pane(event))
        # Wait a little longer before reading history (a database round trip).
        self._detail_timer = self.set_timer(0.15, lambda: self._load_detail(event.ping_id))

    def _show_pane(self, event: PingTable.CursorMoved) -> None:
        pane = self.query_one(DetailPane)
        if event.ping_id is None or event.ping_id != self.table.current_id:
            if event.ping_id is None:
                pane.show(None, self.pd_app.now())
            return
        row = self.table.row(event.ping_id)
        if row is not None:
            pane.show(row.ping, self.pd_app.now())
        else:
            pane.show_text(f"#{event.ping_id} …")

    def _load_detail(self, ping_id: int | None) -> None:
        if ping_id is not None and ping_id == self.table.current_id:
            self._detail_worker(ping_id)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _detail_worker(self, ping_id: int) -> None:
        try:
            detail = self.pd_app.load_detail(ping_id)
        except Exception:
            return
        self.app.call_from_thread(self._show_detail, ping_id, detail)

    def _show_detail(self, ping_id: int, detail: Detail) -> None:
        if ping_id == self.table.current_id:
            self.query_one(DetailPane).show(detail, self.pd_app.now())

    def action_detail(self) -> None:
        pid = self.table.current_id
        if pid is not None:
            self.app.push_screen(DetailScreen(pid, self.pd_app.load_detail, self.pd_app.now))

    # -- views and filter ---------------------------------------------------------

    def action_view(self, view: str) -> None:
        if view == self.view:
            return
        self.view = view
        table = self.table
        table.marked.clear()
        table.loading = True
        table.set_ids([])
        self.header.set_state(view=view, marked=0)
        self.load_snapshot(keep_index=0, first_page=True)
        self.refresh_bindings()

    def action_cycle_view(self, step: int) -> None:
        self.action_view(VIEWS[(VIEWS.index(self.view) + step) % len(VIEWS)])

    def action_filter(self) -> None:
        def done(query: Query | None) -> None:
            if query is None:
                return
            self.query_ = query
            table = self.table
            table.marked.clear()
            table.loading = True
            table.set_ids([])
            self.header.set_state(query_text=query.text, marked=0)
            self.load_snapshot(keep_index=0, first_page=True)

        allow_check = self.pd_app.columns.verify is not None
        self.app.push_screen(FilterScreen(self.query_.text, allow_check=allow_check), done)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.pd_app.action_request_quit()

    def action_close_pings(self) -> None:
        self.pd_app.action_close_pings()

    def action_settings(self) -> None:
        self.pd_app.action_settings()

    # -- marks --------------------------------------------------------------------

    def action_mark(self) -> None:
        table = self.table
        pid = table.current_id
        if pid is None:
            return
        table.toggle_mark(pid)
        table.action_cursor_down()
        self.header.set_state(marked=len(table.marked))

    def action_mark_all(self) -> None:
        table = self.table
        if table.partial:
            # Only the first page is known: "all" would silently mean 150 rows.
            self.notify("Still reading the whole view; X again in a moment.", severity="warning")
            return
        if table.ids and len(table.marked) == len(table.ids):
            table.set_marks([])
        else:
            table.set_marks(table.ids)
        self.header.set_state(marked=len(table.marked))

    def action_mark_pattern(self) -> None:
        table = self.table
        pid = table.current_id
        row = table.row(pid) if pid is not None else None
        domain = row.ping.domain if row else ""
        check = row.extras.get("check") if row and self.pd_app.columns.verify else None

        def picked(what: str | None) -> None:
            if what is None:
                return
            if what == "all":
                table.set_marks(table.ids)
            elif what == "none":
                table.set_marks([])
            elif what == "domain" and domain:
                self._mark_matching(replace(self.filter(), domain=domain), f"from {domain}")
                return
            elif what == "self":
                self._mark_matching(replace(self.filter(), self_only=True), "self-pings")
                return
            elif what == "check" and check:
                self._mark_matching(replace(self.filter(), check=check), f"checked {check}")
                return
            self.header.set_state(marked=len(table.marked))

        self.app.push_screen(MarkScreen(domain, check=check or None, akismet=None), picked)

    @work(thread=True, group="mark", exit_on_error=False)
    def _mark_matching(self, flt: PingFilter, what: str) -> None:
        try:
            ids = self.desk.ids(flt)
        except Exception as exc:
            self.app.call_from_thread(self._failed, "Could not mark", exc)
            return
        self.app.call_from_thread(self._add_marks, ids, what)

    def _add_marks(self, ids: list[int], what: str) -> None:
        table = self.table
        before = len(table.marked)
        table.set_marks(table.marked | set(ids))
        added = len(table.marked) - before
        self.header.set_state(marked=len(table.marked))
        self.notify(f"Marked {plural(added, 'ping')} {what} ({len(table.marked):,} marked)")

    def action_escape(self) -> None:
        if self.pd_app.runner.cancel_current():
            self.notify("Cancelling after the current chunk…")
        elif self.table.marked:
            self.table.set_marks([])
            self.header.set_state(marked=0)

    # -- moderating ---------------------------------------------------------------

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
                    f"Delete ping #{pid} permanently?",
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
        if optimistic and self.header.marked != len(table.marked):
            self.header.set_state(marked=len(table.marked))
        n = len(seen)
        long = n > LONG_ACTION
        desk = self.desk

        def run(job: Job) -> ModerationResult:
            return desk.act(action, seen, progress=job.progress, should_stop=job.should_stop)

        def done(result: ModerationResult) -> None:
            self._finish_optimistic(where)
            self._note_change(set(result.changed) | {c.id for c in result.conflicts})
            self._after_act(result, where)

        def failed(exc: BaseException) -> None:
            self._finish_optimistic(where)
            table.put_back(where)
            self._failed(f"{done_text(action)}: failed", exc)

        label = f"{done_text(action)}: {plural(n, 'ping')}"
        self.pd_app.runner.submit(
            Job(label, run, on_done=done, on_error=failed, long=long, on_progress=None)
        )

    def _adjust_counts(self, transitions: dict[int, tuple[str, str]]) -> None:
        """Move the header's counts by what a write did, at once; the exact numbers
        are read again once the moderator pauses. (Recounting 1M comments after every
        key would queue seconds-long queries behind each other and slow the writes.)"""
        counts = self.header.counts
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
            self.header.set_state(counts=Counts(by))
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
        if self.header.marked != len(table.marked):
            self.header.set_state(marked=len(table.marked))
        verb = done_text(result.action)
        if result.changed:
            n = len(result.changed)
            first = f" (#{result.changed[0]})" if n == 1 else ""
            tail = " — cancelled before the end" if result.cancelled else ""
            self.pd_app.notify_latest(
                f"{verb} {plural(n, 'ping')}{first}{tail}. {self._undo_hint()}."
            )
        elif result.cancelled:
            self.notify(f"{verb}: cancelled, nothing changed.", severity="warning")
        if result.conflicts:
            self.notify(
                f"{plural(len(result.conflicts), 'conflict')}, left as they are: "
                + _conflict_text(result.conflicts),
                title="Changed by someone else",
                severity="warning",
                timeout=10,
            )
        if result.skipped and not result.changed and not result.conflicts:
            self.notify(result.skipped[0][1], severity="warning")
        self._adjust_counts(result.transitions)

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
            if result.conflicts:
                self.notify(
                    f"{plural(len(result.conflicts), 'conflict')}, left as they are: "
                    + _conflict_text(result.conflicts),
                    title="Changed since",
                    severity="warning",
                    timeout=10,
                )
            restored = [int(i) for i in result.restored] if what in APPLICABLE else []
            table.forget_rows(restored)
            self.load_snapshot(keep_id=keep, keep_index=table.cursor, focus_ids=restored)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, NotFound):
                self.notify("Nothing to undo.")
            else:
                self._failed("Undo failed", exc)

        self.pd_app.runner.submit(Job("Undo", run, on_done=done, on_error=failed))

    # -- checks (verification, Akismet) -------------------------------------------

    def _marked_or_current(self) -> list[int]:
        table = self.table
        ids = [i for i in table.ids if i in table.marked]
        if not ids and table.current_id is not None:
            ids = [table.current_id]
        return ids

    def action_verify(self) -> None:
        """v: the marked pings, or the one under the cursor when none is marked."""
        if ids := self._marked_or_current():
            self._run_check("verify", ids)

    def action_verify_view(self) -> None:
        """V: every ping in the current view."""
        table = self.table
        if table.partial:
            self.notify("Still reading the whole view; V again in a moment.", severity="warning")
            return
        if table.ids:
            self._run_check("verify", list(table.ids))

    def action_akismet_check(self) -> None:
        """K: ask Akismet about the marked pings, or the one under the cursor."""
        if ids := self._marked_or_current():
            self._run_check("akismet", ids)

    def _run_check(self, which: str, ids: list[int]) -> None:
        service = getattr(self.pd_app.columns, which)
        if service is None:
            return
        desk, table = self.desk, self.table

        def run(job: Job) -> str:
            return str(service.run(desk, ids, progress=job.progress, should_stop=job.should_stop))

        def done(summary: str) -> None:
            table.forget_rows(ids)
            self.notify(summary or f"Checked {plural(len(ids), 'ping')}.")
            if table.current_id in ids:
                self._load_detail(table.current_id)

        def failed(exc: BaseException) -> None:
            self._failed("Check failed", exc)

        label = ("Verifying" if which == "verify" else "Akismet check") + f" {len(ids):,}"
        self.pd_app.runner.submit(Job(label, run, on_done=done, on_error=failed, long=len(ids) > 1))

    # -- errors -------------------------------------------------------------------

    def _failed(self, what: str, exc: BaseException) -> None:
        msg = str(exc) if isinstance(exc, PingdeskError) else f"{type(exc).__name__}: {exc}"
        self.notify(f"{what}: {msg}", severity="error", timeout=10)

    # -- long actions -------------------------------------------------------------

    def job_started(self, job: Job) -> None:
        if job.long:
            self.query_one(ProgressPanel).start(job.label)
            self.header.set_state(busy="working…")

    def job_progress(self, job: Job, done: int, total: int) -> None:
        if job.long:
            self.query_one(ProgressPanel).advance(done, total)

    def job_finished(self, job: Job) -> None:
        if job.long:
            self.query_one(ProgressPanel).stop()
            self.header.set_state(busy="")


JobHook = Callable[[Job], Any]
