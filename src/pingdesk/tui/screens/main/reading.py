"""Reading: the view's ids and first page, the counts, the detail pane, views and filter.

Every read runs in its own thread worker and never waits for writes. A snapshot
that finishes after writes did takes out the rows they moved (see moderating.py).

The view's snapshot (services.snapshot) is kept: changing only the `domain:` or `self`
term of the same view filters it in memory, and the domain view groups it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work

from pingdesk.services.desk import BlogInfo
from pingdesk.tui import FIRST_PAGE
from pingdesk.tui.messages import CursorMoved
from pingdesk.tui.query import Query, parse_query
from pingdesk.tui.screens.detail import DetailScreen
from pingdesk.tui.screens.filter import FilterScreen
from pingdesk.tui.screens.main.base import MainBase
from pingdesk.tui.views import VIEWS
from pingdesk.tui.widgets.detail import Detail, DetailPane
from pingdesk.tui.widgets.ping_table import RowData
from pingdesk.wp.pings import Counts, PingFilter

if TYPE_CHECKING:
    from pingdesk.services.snapshot import Snapshot

PANE_QUIET = 0.05
GROUP_AHEAD = 5000  # pings in a view from which its domain groups are made ahead


class ReadingMixin(MainBase):
    """Views and filter: what the table shows, read without waiting for writes."""

    HELP_TITLE = "Views and filter"  # its keys' section in the help

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
        if not (first_page and self.desk.across_blogs):
            # Across a network the counts read every site: they wait for the first
            # page, which would otherwise share the server's cores with them.
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
            # A domain or self term is checked per row in Python: its first page may read
            # the whole view (15 s for a rare domain among 143k pings); the snapshot
            # answers it in one read.
            if first_page and not flt.needs_post_filter:
                page = self.pd_app.prefetched(flt) or self.desk.page(flt, limit=FIRST_PAGE)
                if self.desk.across_blogs:
                    # Across a network the columns are a query per site on the page
                    # (0.3 s at 1,000 sites): the rows show first, their columns next.
                    bare = [RowData(p) for p in page.pings]
                    self.app.call_from_thread(self._got_first_page, gen, bare)
                    rows = self.pd_app.with_extras(page.pings)
                    self.app.call_from_thread(self._got_columns, gen, rows)
                else:
                    rows = self.pd_app.with_extras(page.pings)
                    self.app.call_from_thread(self._got_first_page, gen, rows)
            snap = self.desk.snapshot(flt)
            ids = snap.ids(flt)
        except Exception as exc:
            self.app.call_from_thread(self._snapshot_failed, gen, exc)
            return
        self.app.call_from_thread(
            self._got_snapshot, gen, data_gen, ids, keep_id, keep_index, focus_ids, snap
        )
        # Grouped now, in this thread, while the moderator reads the rows: the domain view
        # (o) then opens on groups made (0.3 s for 110k pings, more with the UI running).
        if gen == self._snapshot_gen and len(snap) >= GROUP_AHEAD:
            snap.group(flt)

    def _snapshot_failed(self, gen: int, exc: BaseException) -> None:
        if gen == self._snapshot_gen:
            self.table.loading = False
            self.table.partial = False
            self.table.refresh()
            self._failed("Could not read the pings", exc)

    def _got_columns(self, gen: int, rows: list[RowData]) -> None:
        """The first page's rows again, with their verification and Akismet columns."""
        if gen == self._snapshot_gen:
            self.table.add_rows(rows)
            self.table.refresh()

    def _got_first_page(self, gen: int, rows: list[RowData]) -> None:
        if gen != self._snapshot_gen:
            return
        table = self.table
        table.add_rows(rows)
        ids = [r.ping.id for r in rows if r.ping.id not in self._optimistic]
        table.set_ids(ids, keep_index=0, partial=True)
        if self.desk.across_blogs:
            self.load_counts()

    def _got_snapshot(
        self,
        gen: int,
        data_gen: int,
        ids: list[int],
        keep_id: int | None,
        keep_index: int | None,
        focus_ids: list[int] | None,
        snap: Snapshot | None = None,
    ) -> None:
        if gen != self._snapshot_gen:
            return  # a newer view or filter was asked for
        if snap is not None:
            self.view_snapshot, self._view_snapshot_gen = snap, data_gen
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
        table.set_ids(ids, keep_id=keep_id, keep_index=keep_index)
        table.refetch_visible()

    def _set_counts(self, counts: Counts) -> None:
        self.counts = counts

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

    @on(CursorMoved)
    def _cursor_moved(self, event: CursorMoved) -> None:
        # The pane follows once the cursor rests: a held-down j redraws two table
        # lines per step, not the pane too.
        if self._pane_timer is not None:
            self._pane_timer.stop()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._pane_timer = self.set_timer(PANE_QUIET, lambda: self._show_pane(event))
        # Wait a little longer before reading history (a database round trip).
        self._detail_timer = self.set_timer(0.15, lambda: self._load_detail(event.ping_id))

    def _show_pane(self, event: CursorMoved) -> None:
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
        self._reread()

    def _reread(self) -> None:
        """Another view or filter: empty the table (and its marks) and read it — or, when
        only its domain or self term changed, filter the view's snapshot in memory."""
        table = self.table
        snap = self.view_snapshot
        # Not while a write runs: its committed chunks are not in the snapshot's writes.
        busy = self.pd_app.runner.busy
        if snap is not None and not busy and snap.covers(self.filter()):
            self._snapshot_gen += 1  # a read still running is for another filter
            table.set_ids([], partial=True)
            ids = snap.ids(self.filter())
            self._got_snapshot(
                self._snapshot_gen, self._view_snapshot_gen, ids, None, 0, None, snap
            )
            return
        table.loading = True
        table.set_ids([], partial=True)
        self.load_snapshot(keep_index=0, first_page=True)

    def current_snapshot(self) -> Snapshot | None:
        """The kept snapshot when it still says what the view holds: no write since it
        was read (nor one running)."""
        snap = self.view_snapshot
        if snap is None or self._view_snapshot_gen != self._data_gen:
            return None
        if self._optimistic or self.pd_app.runner.busy:
            return None
        return snap if snap.covers(self.filter()) else None

    def forget_snapshot(self) -> None:
        """Pings changed behind the queue's back (the domain view acted): the kept
        snapshot no longer says what the view holds."""
        self.view_snapshot = None

    def show_query(self, view: str, text: str) -> None:
        """Another screen's way into the queue: this view with this filter (e.g. the
        Links screen opening one domain's approved pings)."""
        self.view = view
        self.query_ = parse_query(text, allow_check=self.pd_app.columns.verify is not None)
        self._reread()

    def action_cycle_view(self, step: int) -> None:
        self.action_view(VIEWS[(VIEWS.index(self.view) + step) % len(VIEWS)])

    def action_filter(self) -> None:
        def done(query: Query | None) -> None:
            if query is None:
                return
            self.query_ = query
            self._reread()

        allow_check = self.pd_app.columns.verify is not None
        self.app.push_screen(FilterScreen(self.query_.text, allow_check=allow_check), done)
