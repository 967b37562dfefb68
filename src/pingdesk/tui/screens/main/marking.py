"""Marking: x, X, esc and mark-by-pattern (this domain, self-pings, a verification result)."""

from __future__ import annotations

from dataclasses import replace

from textual import work

from pingdesk.services.words import plural
from pingdesk.tui.screens.main.base import MainBase
from pingdesk.tui.screens.mark import MarkScreen
from pingdesk.wp.pings import PingFilter


class MarkingMixin(MainBase):
    """Marks: which pings the capital-letter actions and v/K apply to."""

    HELP_TITLE = "Mark"  # its keys' section in the help

    def action_mark(self) -> None:
        table = self.table
        pid = table.current_id
        if pid is None:
            return
        table.toggle_mark(pid)
        table.action_cursor_down()

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
        self.notify(f"Marked {plural(added, 'ping')} {what} ({len(table.marked):,} marked)")

    def action_escape(self) -> None:
        if self.pd_app.runner.cancel_current():
            self.notify("Cancelling after the current chunk…")
        elif self.table.marked:
            self.table.set_marks([])
