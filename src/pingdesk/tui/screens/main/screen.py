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
    HELP_TITLE = "Elsewhere"

    # The help screen ('?') is built from these: the tooltip is each key's prose, and
    # its section is the mixin that defines the action (HELP_TITLE). The ids let a
    # keymap (App.set_keymap) rebind them.
    BINDINGS = [
        Binding("a", "act('approve')", "Approve", id="main.approve", tooltip="Approve"),
        Binding(
            "u",
            "act('unapprove')",
            "Unapprove",
            show=False,
            id="main.unapprove",
            tooltip="Unapprove (back to pending)",
        ),
        Binding("s", "act('spam')", "Spam", id="main.spam", tooltip="Mark as spam"),
        # One key, two meanings, as in wp-admin: check_action picks by view.
        Binding("d", "act('trash')", "Trash", id="main.trash", tooltip="Trash (Pending, Approved)"),
        Binding(
            "d",
            "act('delete')",
            "Delete",
            id="main.delete",
            tooltip="Delete permanently (Spam, Trash; asks first)",
        ),
        Binding(
            "z",
            "undo",
            "Undo",
            id="main.undo",
            tooltip="Undo the last action (Pending, Approved)",
        ),
        Binding("z", "act('unspam')", "Not spam", id="main.unspam", tooltip="Not spam (Spam)"),
        Binding("z", "act('untrash')", "Restore", id="main.untrash", tooltip="Restore (Trash)"),
        Binding(
            "ctrl+z",
            "undo_any",
            "Undo",
            show=False,
            id="main.undo_any",
            tooltip="Undo the last action, in any view",
        ),
        Binding(
            "x,space", "mark", "Mark", id="main.mark", tooltip="Mark or unmark the ping, move on"
        ),
        Binding(
            "X",
            "mark_all",
            "Mark all",
            show=False,
            id="main.mark_all",
            tooltip="Mark all in view (again: unmark all)",
        ),
        Binding(
            "m",
            "mark_pattern",
            "Mark by",
            show=False,
            id="main.mark_pattern",
            tooltip="Mark by: this domain, self-pings, a verification result",
        ),
        Binding(
            "A",
            "act_marked('approve')",
            "Approve marked",
            show=False,
            id="main.approve_marked",
            tooltip="Approve the marked pings",
        ),
        Binding(
            "S",
            "act_marked('spam')",
            "Spam marked",
            show=False,
            id="main.spam_marked",
            tooltip="Spam the marked pings (asks if more than one)",
        ),
        Binding(
            "T",
            "act_marked('trash')",
            "Trash marked",
            show=False,
            id="main.trash_marked",
            tooltip="Trash the marked pings (asks if more than one)",
        ),
        Binding(
            "U",
            "act_marked('unapprove')",
            "Unapprove marked",
            show=False,
            id="main.unapprove_marked",
            tooltip="Unapprove the marked pings",
        ),
        Binding(
            "Z",
            "act_marked('restore')",
            "Restore marked",
            show=False,
            id="main.restore_marked",
            tooltip="Restore the marked (Spam: not spam; Trash: restore)",
        ),
        Binding(
            "D",
            "act_marked('delete')",
            "Delete marked",
            show=False,
            id="main.delete_marked",
            tooltip="Delete the marked permanently (Spam, Trash; asks first)",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="main.filter",
            tooltip="Filter: words, domain:, post:, type:, self, check:",
        ),
        Binding("1", "view('pending')", "Pending", show=False, tooltip="Pending view"),
        Binding("2", "view('approved')", "Approved", show=False, tooltip="Approved view"),
        Binding("3", "view('spam')", "Spam", show=False, tooltip="Spam view"),
        Binding("4", "view('trash')", "Trash", show=False, tooltip="Trash view"),
        Binding("tab", "cycle_view(1)", "Next view", show=False, tooltip="Next view"),
        Binding(
            "shift+tab", "cycle_view(-1)", "Previous view", show=False, tooltip="Previous view"
        ),
        Binding(
            "enter",
            "detail",
            "Detail",
            show=False,
            id="main.detail",
            tooltip="Full detail of the ping (esc returns)",
        ),
        Binding(
            "ctrl+r",
            "reload",
            "Refresh",
            show=False,
            id="main.reload",
            tooltip="Read the view again now (it also does so every 30 s)",
        ),
        Binding(
            "escape",
            "escape",
            "Cancel",
            show=False,
            id="main.cancel",
            tooltip="Cancel a long action (or clear the marks)",
        ),
        Binding(
            "v",
            "verify",
            "Verify",
            show=False,
            id="main.verify",
            tooltip="Verify the sources of the marked pings (or this one)",
        ),
        Binding(
            "V",
            "verify_view",
            "Verify view",
            show=False,
            id="main.verify_view",
            tooltip="Verify the sources of every ping in the view",
        ),
        Binding(
            "K",
            "akismet_check",
            "Akismet check",
            show=False,
            id="main.akismet_check",
            tooltip="Ask Akismet about the marked pings (or this one)",
        ),
        Binding(
            "c",
            "close_pings",
            "Close pings",
            show=False,
            id="main.close_pings",
            tooltip="Close or open pings on posts",
        ),
        Binding(
            "comma",
            "settings",
            "Settings",
            show=False,
            id="main.settings",
            tooltip="Discussion settings for pings",
        ),
        Binding(
            "o",
            "domains",
            "Domains",
            show=False,
            id="main.domains",
            tooltip="This view grouped by source domain; act on a whole domain",
        ),
        Binding(
            "p",
            "posts",
            "Posts",
            show=False,
            id="main.posts",
            tooltip="Posts: ping status, pings received, send pings and trackbacks",
        ),
        Binding(
            "b",
            "sites",
            "Sites",
            show=False,
            id="main.sites",
            tooltip="Across blogs (--network, several profiles): pings per site",
        ),
        Binding(
            "l",
            "links",
            "Links",
            show=False,
            id="main.links",
            tooltip="Who links to you: approved pings by source domain",
        ),
        Binding("question_mark", "help", "Help", id="main.help", tooltip="This help"),
        Binding("q", "quit", "Quit", id="main.quit", tooltip="Quit"),
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
        yield PingTable(
            app.load_rows,
            extras=app.extra_columns(),
            sites=app.desk.across_blogs,
            now=app.now,
            id="pings",
        )
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
        self.app.push_screen(HelpScreen(PingTable, type(self)))

    def action_quit(self) -> None:
        self.pd_app.action_request_quit()

    def action_close_pings(self) -> None:
        self.pd_app.action_close_pings()

    def action_domains(self) -> None:
        self.pd_app.action_domains()

    def action_posts(self) -> None:
        self.pd_app.action_posts()

    def action_links(self) -> None:
        self.pd_app.action_links()

    def action_sites(self) -> None:
        self.pd_app.action_sites()

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
