"""Checks: source verification (v, V) and Akismet (K), run as jobs in the writer."""

from __future__ import annotations

from pingdesk.services.words import plural
from pingdesk.tui.jobs import Job
from pingdesk.tui.screens.main.reading import ReadingMixin


class ChecksMixin(ReadingMixin):
    """Verification and Akismet checks of the marked pings, this one, or the view."""

    HELP_TITLE = "Checks (when available)"  # its keys' section in the help

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
        job = Job(label, run, on_done=done, on_error=failed, long=len(ids) > 1)
        self.pd_app.runner.submit(job, owner=self)
