"""The main screen: header, the ping table, the detail pane, key hints.

Keys follow WordPress's comment moderation shortcuts. The screen is composed of
one mixin per concern (see base.py); this module has the keys and the layout.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from pingdesk.tui.jobs import Job
from pingdesk.tui.screens.help import HelpScreen
from pingdesk.tui.screens.main.checks import ChecksMixin
from pingdesk.tui.screens.main.marking import MarkingMixin
from pingdesk.tui.screens.main.moderating import ModeratingMixin
from pingdesk.tui.widgets.detail import DetailPane
from pingdesk.tui.widgets.header import DeskHeader
from pingdesk.tui.widgets.ping_table import PingTable
from pingdesk.tui.widgets.progress import ProgressPanel
from pingdesk.tui.widgets.status import StatusLine


class MainScreen(ChecksMixin, ModeratingMixin, MarkingMixin):
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

    def compose(self) -> ComposeResult:
        app = self.pd_app
        yield DeskHeader(id="header").data_bind(
            MainScreen.info,
            MainScreen.counts,
            MainScreen.view,
            MainScreen.query_,
            MainScreen.marked,
            MainScreen.matches,
            MainScreen.busy,
        )
        yield PingTable(app.load_rows, extras=app.extra_columns(), now=app.now, id="pings")
        yield DetailPane(id="detail")
        yield ProgressPanel(id="progress")
        yield StatusLine(id="status").data_bind(MainScreen.status)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.table.loading = True
        self.table.partial = True
        self.table.focus()
        self.load_info()
        self.load_snapshot(keep_index=0, first_page=True)
        interval = self.pd_app.refresh_interval
        if interval:
            self.set_interval(interval, self._periodic_refresh, name="auto-refresh")

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

    # -- elsewhere ----------------------------------------------------------------

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.pd_app.action_request_quit()

    def action_close_pings(self) -> None:
        self.pd_app.action_close_pings()

    def action_settings(self) -> None:
        self.pd_app.action_settings()

    # -- long actions -------------------------------------------------------------

    def job_started(self, job: Job) -> None:
        if job.long:
            self.query_one(ProgressPanel).start(job.label)
            self.busy = "working…"

    def job_progress(self, job: Job, done: int, total: int) -> None:
        if job.long:
            self.query_one(ProgressPanel).advance(done, total)

    def job_finished(self, job: Job) -> None:
        if job.long:
            self.query_one(ProgressPanel).stop()
            self.busy = ""
