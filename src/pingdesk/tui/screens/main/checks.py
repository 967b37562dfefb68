"""Checks: source verification (v, V) and Akismet (K), run as jobs in the writer."""

from __future__ import annotations

from collections.abc import Callable

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
        """V: every ping in the current view. It need not wait for the view's id list:
        while that is still being read, the job reads the ids itself."""
        table = self.table
        if not table.partial:
            if table.ids:
                self._run_check("verify", list(table.ids))
            return
        flt, desk = self.filter(), self.desk
        self._run_check("verify", lambda: desk.ids(flt))

    def action_akismet_check(self) -> None:
        """K: ask Akismet about the marked pings, or the one under the cursor."""
        if ids := self._marked_or_current():
            self._run_check("akismet", ids)

    def _run_check(
        self, which: str, ids: list[int] | Callable[[], list[int]], *, count: int | None = None
    ) -> None:
        """Run a check job; ``ids`` may be a function the job calls (in the writer thread)."""
        service = getattr(self.pd_app.columns, which)
        if service is None:
            return
        desk, table = self.desk, self.table
        checked: list[int] = [] if callable(ids) else ids

        def run(job: Job) -> str:
            if callable(ids):
                checked.extend(ids())
            return str(
                service.run(desk, checked, progress=job.progress, should_stop=job.should_stop)
            )

        def done(summary: str) -> None:
            table.forget_rows(checked)
            self.notify(summary or f"Checked {plural(len(checked), 'ping')}.")
            if table.current_id in checked:
                self._load_detail(table.current_id)

        def failed(exc: BaseException) -> None:
            self._failed("Check failed", exc)

        n = count if callable(ids) else len(ids)
        label = ("Verifying" if which == "verify" else "Akismet check") + (
            f" {n:,}" if n else " the whole view"
        )
        job = Job(label, run, on_done=done, on_error=failed, long=n is None or n > 1)
        self.pd_app.runner.submit(job, owner=self)
