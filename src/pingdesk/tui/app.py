"""The pingdesk terminal UI: a thin shell over ``pingdesk.services.desk.Desk``.

``run_tui(desk, columns)`` is what ``pingdesk`` and ``pingdesk demo`` call. The
extra columns (source verification, Akismet) and the other blogs to switch to
are handed in, so the demo can bind them to its offline look-alike servers.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel

from pingdesk.config import Config
from pingdesk.errors import PingdeskError
from pingdesk.services import evidence
from pingdesk.services.akismet import AkismetSettings, ReportSender, SenderState
from pingdesk.services.desk import Desk
from pingdesk.services.locate import OtherBlog
from pingdesk.services.verify import VerifySettings
from pingdesk.services.words import journal_lines
from pingdesk.tui.columns.akismet import AkismetColumn
from pingdesk.tui.columns.base import Columns
from pingdesk.tui.columns.verify import VerifyColumn
from pingdesk.tui.jobs import JobRunner
from pingdesk.tui.messages import JobFinished
from pingdesk.tui.palette import PingdeskCommands
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.main import MainScreen
from pingdesk.tui.widgets.detail import Detail
from pingdesk.tui.widgets.ping_table import RowData
from pingdesk.tui.widgets.status import StatusLine
from pingdesk.wp.pings import Page, Ping, PingFilter


class PingdeskApp(App[int]):
    CSS_PATH = "pingdesk.tcss"
    TITLE = "pingdesk"
    COMMANDS = App.COMMANDS | {PingdeskCommands}
    BINDINGS = [
        Binding(
            "ctrl+q",
            "request_quit",
            "Quit",
            show=False,
            id="app.quit",
            tooltip="Quit (from any screen)",
        )
    ]

    def __init__(
        self,
        desk: Desk,
        *,
        columns: Columns | None = None,
        open_blog: Callable[[OtherBlog], Desk] | None = None,
        now: datetime | None = None,
        refresh_interval: float | None = 30.0,
        theme: str | None = None,
        save_theme: Callable[[str], object] | None = None,
        first_page: Future[Page] | None = None,
    ) -> None:
        super().__init__()
        self.desk = desk
        # The pending view's first page, read while Textual loaded (cli.ui).
        self._first_page = first_page
        self.columns = columns or Columns()
        self.open_blog = open_blog
        self._fixed_now = now
        self.refresh_interval = refresh_interval
        self.runner = JobRunner(self)
        # One per blog whose reports go to Akismet (across blogs: each that acted).
        self.senders: dict[str, ReportSender] = {}
        self._sender_problem: str | None = None
        self.main = MainScreen()
        self.status_log: list[str] = []  # what the status line said, newest last (say())
        # The theme chosen last time (config.toml's [tui] theme); one that is gone
        # (an older or newer Textual) is said once mounted, not a crash.
        self.save_theme = save_theme
        self._unknown_theme: str | None = None
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            self._unknown_theme = theme

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications may quote the database (domains, errors): never markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- data access used by screens (all called from worker threads) -------------

    def now(self) -> datetime:
        """'Now' in UTC, naive like WordPress's *_gmt columns; fixed in snapshot tests."""
        if self._fixed_now is not None:
            return self._fixed_now
        return datetime.now(UTC).replace(tzinfo=None)

    def extra_columns(self) -> list[tuple[str, str, int]]:
        return [(c.key, c.header, c.width) for c in self.columns.all]

    def prefetched(self, flt: PingFilter) -> Page | None:
        """The first page read before the app started, once, if it is this view's."""
        future, self._first_page = self._first_page, None
        if future is None or flt != PingFilter(status="pending"):
            return None
        try:
            return future.result()
        except Exception:
            return None  # read again, and fail there with the usual message

    def load_rows(self, ids: list[int]) -> list[RowData]:
        return self.with_extras(self.desk.pings(ids))

    def with_extras(self, pings: list[Ping]) -> list[RowData]:
        """Rows with the optional columns' values (verification, Akismet)."""
        desk = self.desk
        extras: dict[int, dict[str, str]] = {p.id: {} for p in pings}
        for column in self.columns.all:
            try:
                values = column.values(desk, pings)
            except Exception:  # the rows still show without one column's values
                continue
            for pid, value in values.items():
                if pid in extras:
                    extras[pid][column.key] = value
        return [RowData(p, extras[p.id]) for p in pings]

    def load_detail(self, ping_id: int) -> Detail:
        desk = self.desk
        ping = desk.ping(ping_id)
        history = evidence.akismet_history_lines(ping) + journal_lines(desk.history(ping_id))
        extras: list[str] = []
        for column in self.columns.all:
            try:
                extras.extend(column.details(desk, ping))
            except Exception as exc:
                extras.append(f"{column.header}: {exc}")
        return Detail(ping, history=history, extras=extras)

    # -- lifecycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.runner.start()
        self.push_screen(self.main)
        self.start_sender()
        if self._unknown_theme:
            self.notify(
                f"theme {self._unknown_theme!r} (config.toml) is not available; using {self.theme}",
                severity="warning",
            )

    # -- theme ----------------------------------------------------------------------

    def search_themes(self) -> None:
        """The theme picker (palette → Theme); the one chosen is kept for next time."""
        from textual.command import CommandPalette

        from pingdesk.tui.palette import RememberedThemes

        self.push_screen(
            CommandPalette(providers=[RememberedThemes], placeholder="Search for themes…")
        )

    def choose_theme(self, name: str) -> None:
        """Apply a theme and save it in config.toml; a failed save is only a warning."""
        self.theme = name
        if self.save_theme is None:
            return
        try:
            self.save_theme(name)
        except (PingdeskError, OSError) as exc:
            reason = exc.message if isinstance(exc, PingdeskError) else exc.strerror or exc
            self.notify(f"theme {name} applied, not saved: {reason}", severity="warning")

    def on_unmount(self) -> None:
        self.runner.stop()
        self.stop_senders()

    # -- Akismet reports, delivered in the background --------------------------------

    def start_sender(self) -> None:
        """Deliver queued Akismet reports (this session's and any left from an earlier
        one) from a thread of their own; moderation never waits for Akismet."""
        column = self.columns.akismet
        settings = column.settings if isinstance(column, AkismetColumn) else AkismetSettings()
        # Across blogs, each blog that has acted reports with its own key and site
        # data; this is called again after each action to start the new ones.
        for desk in self.desk.desks():
            reporting = desk.reporting
            if reporting is None or reporting.site is None or desk.blog.key in self.senders:
                continue
            self.senders[desk.blog.key] = ReportSender(
                desk.blog, desk.journal, settings, self._from_sender
            ).start()

    def stop_senders(self) -> None:
        for sender in self.senders.values():
            sender.stop()
        self.senders.clear()

    def _from_sender(self, state: SenderState) -> None:
        # RuntimeError: the app is closing; the reports stay queued.
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self._show_sender, state)

    def _show_sender(self, state: SenderState) -> None:
        line = state.line() or ""
        for status in self.main.query(StatusLine):
            status.show_aside(line)
        if state.problem and state.problem != self._sender_problem:
            self.notify(
                f"Akismet: {state.problem}. Reports stay queued and are retried; "
                "moderation goes on.",
                severity="warning",
                timeout=8,
            )
        self._sender_problem = state.problem

    # -- jobs -----------------------------------------------------------------------

    def on_job_finished(self, message: JobFinished) -> None:
        """Each screen handles the jobs it submitted (jobs.JobHost). This one's screen
        closed before it ended (settings, or the blog before a site switch): the job
        no longer counts as pending, and a failure is still reported."""
        self.runner.finish(message, callbacks=False)

    # -- app-wide actions (also in the command palette) ------------------------------

    def one_blog_only(self, what: str) -> bool:
        """Posts, discussion settings and who-links-to-you belong to one blog: across
        blogs they would silently act on the first one, so they say so instead."""
        if not self.desk.across_blogs:
            return False
        self.notify(
            f"{what} belong to one blog: open it alone (pingdesk --site N, or --profile NAME).",
            severity="warning",
        )
        return True

    def action_close_pings(self) -> None:
        from pingdesk.tui.screens.closing import ClosePingsScreen

        if self.one_blog_only("Closing pings on posts"):
            return

        self.push_screen(ClosePingsScreen())

    def action_settings(self) -> None:
        from pingdesk.tui.screens.settings import SettingsScreen

        if self.one_blog_only("Discussion settings"):
            return

        self.push_screen(SettingsScreen())

    def action_posts(self) -> None:
        from pingdesk.tui.screens.posts import PostsScreen

        if self.one_blog_only("Posts"):
            return

        self.push_screen(PostsScreen())

    def action_domains(self) -> None:
        from pingdesk.tui.screens.domains import DomainsScreen

        main = self.main
        self.push_screen(DomainsScreen(main.filter(), main.current_snapshot()))

    def action_sites(self) -> None:
        from pingdesk.services.fleet import Fleet
        from pingdesk.tui.screens.sites import SitesScreen

        if not isinstance(self.desk, Fleet):
            self.notify(
                "One blog here. pingdesk --network shows every site of a multisite network; "
                "--profile a,b or --all-profiles several blogs.",
                severity="information",
            )
            return
        self.push_screen(SitesScreen(self.desk, self.main.view))

    def action_links(self) -> None:
        from pingdesk.tui.screens.links import LinksScreen

        if self.one_blog_only("Who links to you"):
            return

        self.push_screen(LinksScreen())

    def action_show_help(self) -> None:
        self.main.action_help()

    def action_undo(self) -> None:
        self.main.action_undo()

    def action_view(self, view: str) -> None:
        self.main.action_view(view)

    def action_request_quit(self) -> None:
        job = self.runner.current
        if job is not None and job.long:

            def answered(yes: bool | None) -> None:
                if yes:
                    job.cancel()
                    self.exit(0)

            self.push_screen(
                ConfirmScreen(
                    f"{job.label} is still running. Stop it and quit?",
                    "Chunks already written stay written (and can be undone later).",
                ),
                answered,
            )
            return
        self.exit(0)

    def switch_site(self, site: OtherBlog) -> None:
        if self.open_blog is None:
            return
        self.notify(f"Connecting to {site.name}…")
        self._open_site(site)

    @work(thread=True, exclusive=True, group="switch", exit_on_error=False)
    def _open_site(self, site: OtherBlog) -> None:
        assert self.open_blog is not None
        try:
            desk = self.open_blog(site)
        except Exception as exc:
            msg = str(exc) if isinstance(exc, PingdeskError) else f"{type(exc).__name__}: {exc}"
            self.call_from_thread(
                self.notify, f"Could not open {site.name}: {msg}", severity="error"
            )
            return
        self.call_from_thread(self._switched, desk)

    def _switched(self, desk: Desk) -> None:
        self.desk = desk
        self.stop_senders()
        self.start_sender()
        old = self.main
        self.main = MainScreen()
        while len(self.screen_stack) > 1 and self.screen is not old:
            self.pop_screen()
        self.switch_screen(self.main)


def default_columns(
    config: Config,
    *,
    verify: VerifySettings | None = None,
    sites: Sequence[OtherBlog] = (),
) -> Columns:
    """Source verification and Akismet as the config says (``verify``: other settings,
    the demo's offline ones)."""
    return Columns(
        verify=VerifyColumn(verify or VerifySettings.from_config(config)),
        akismet=AkismetColumn(AkismetSettings.from_config(config)),
        sites=list(sites),
    )


def run_tui(
    desk: Desk,
    columns: Columns,
    *,
    open_blog: Callable[[OtherBlog], Desk] | None = None,
    refresh_interval: float | None = 30.0,
    theme: str | None = None,
    save_theme: Callable[[str], object] | None = None,
    first_page: Future[Page] | None = None,
) -> int:
    """Run the app until the moderator quits; returns the exit code."""
    app = PingdeskApp(
        desk,
        columns=columns,
        open_blog=open_blog,
        refresh_interval=refresh_interval,
        theme=theme,
        save_theme=save_theme,
        first_page=first_page,
    )
    # Workers parse database rows in Python; a shorter GIL switch interval lets the UI
    # thread answer a key within a millisecond or so instead of up to 5 ms per switch.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        code = app.run()
    finally:
        sys.setswitchinterval(previous)
    return int(code or 0)
