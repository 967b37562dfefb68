"""The pingdesk terminal UI: a thin shell over ``pingdesk.ops.Desk``.

``run_tui(desk)`` is what ``pingdesk`` and ``pingdesk demo`` call. Optional
services (source verification, Akismet, other sites) are passed in, so the UI
never imports them itself and works without them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel

from pingdesk.errors import PingdeskError
from pingdesk.ops import Desk
from pingdesk.tui.commands import PingdeskCommands
from pingdesk.tui.jobs import JobRunner
from pingdesk.tui.messages import JobFinished, JobProgress, JobStarted
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.main import MainScreen
from pingdesk.tui.services import Services, Site
from pingdesk.tui.widgets.detail import Detail, history_lines
from pingdesk.tui.widgets.ping_table import RowData
from pingdesk.tui.widgets.status import StatusLine
from pingdesk.wp.pings import Ping


def akismet_history(ping: Ping) -> list[str]:
    """Akismet's own history meta, when the plugin left some (newest last)."""
    values = ping.meta.get("akismet_history") or []
    if not values:
        return []
    try:
        from pingdesk.wp.akismet_meta import parse_history_value
    except ImportError:  # pragma: no cover - Akismet support not installed
        return []
    entries = [e for e in (parse_history_value(v) for v in values) if e is not None]
    entries.sort(key=lambda e: e.time)
    lines = []
    for e in entries:
        when = datetime.fromtimestamp(e.time, UTC).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{when}  Akismet: {e.describe()}")
    return lines


class PingdeskApp(App[int]):
    CSS_PATH = "pingdesk.tcss"
    TITLE = "pingdesk"
    COMMANDS = App.COMMANDS | {PingdeskCommands}
    BINDINGS = [Binding("ctrl+q", "request_quit", "Quit", show=False)]

    def __init__(
        self,
        desk: Desk,
        *,
        services: Services | None = None,
        now: datetime | None = None,
        refresh_interval: float | None = 30.0,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.services = services or Services()
        self._fixed_now = now
        self.refresh_interval = refresh_interval
        self.runner = JobRunner(self)
        self.main = MainScreen()
        self.status_log: list[str] = []  # what the status line said, newest last
        if theme:
            self.theme = theme

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

    def notify_latest(self, message: str) -> None:
        """The result of a single-row action, on the status line (a toast per key is
        too slow at keyboard speed, see widgets/status.py); toasts elsewhere."""
        self.status_log.append(message)
        del self.status_log[:-100]
        try:
            line = self.main.query_one(StatusLine)
        except Exception:  # main screen not mounted
            self.notify(message)
            return
        line.say(message)

    # -- data access used by screens (all called from worker threads) -------------

    def now(self) -> datetime:
        """'Now' in UTC, naive like WordPress's *_gmt columns; fixed in snapshot tests."""
        if self._fixed_now is not None:
            return self._fixed_now
        return datetime.now(UTC).replace(tzinfo=None)

    def extra_columns(self) -> list[tuple[str, str, int]]:
        return [(s.key, s.header, s.width) for s in self.services.columns]

    def load_rows(self, ids: list[int]) -> list[RowData]:
        return self.with_extras(self.desk.pings(ids))

    def with_extras(self, pings: list[Ping]) -> list[RowData]:
        """Rows with the optional columns' values (verification, Akismet)."""
        desk = self.desk
        extras: dict[int, dict[str, str]] = {p.id: {} for p in pings}
        for service in self.services.columns:
            try:
                values = service.values(desk, pings)
            except Exception:  # a column is optional: the rows still show
                continue
            for pid, value in values.items():
                if pid in extras:
                    extras[pid][service.key] = value
        return [RowData(p, extras[p.id]) for p in pings]

    def load_detail(self, ping_id: int) -> Detail:
        desk = self.desk
        ping = desk.ping(ping_id)
        history = akismet_history(ping) + history_lines(desk.history(ping_id))
        extras: list[str] = []
        for service in self.services.columns:
            try:
                extras.extend(service.details(desk, ping))
            except Exception as exc:
                extras.append(f"{service.header}: {exc}")
        return Detail(ping, history=history, extras=extras)

    # -- lifecycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.runner.start()
        self.push_screen(self.main)

    def on_unmount(self) -> None:
        self.runner.stop()

    # -- jobs -----------------------------------------------------------------------

    def on_job_started(self, message: JobStarted) -> None:
        self.main.job_started(message.job)

    def on_job_progress(self, message: JobProgress) -> None:
        job = message.job
        self.main.job_progress(job, message.done, message.total)
        if job.on_progress is not None:
            job.on_progress(message.done, message.total)

    def on_job_finished(self, message: JobFinished) -> None:
        job = message.job
        self.runner.pending = max(0, self.runner.pending - 1)
        self.main.job_finished(job)
        if message.error is not None:
            if job.on_error is not None:
                job.on_error(message.error)
            else:
                self.notify(f"{job.label}: {message.error}", severity="error")
        elif job.on_done is not None:
            job.on_done(message.result)

    # -- app-wide actions (also in the command palette) ------------------------------

    def action_close_pings(self) -> None:
        from pingdesk.tui.screens.closing import ClosePingsScreen

        self.push_screen(ClosePingsScreen())

    def action_settings(self) -> None:
        from pingdesk.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

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

    def switch_site(self, site: Site) -> None:
        self.notify(f"Connecting to {site.name}…")
        self._open_site(site)

    @work(thread=True, exclusive=True, group="switch", exit_on_error=False)
    def _open_site(self, site: Site) -> None:
        try:
            desk = site.open()
        except Exception as exc:
            msg = str(exc) if isinstance(exc, PingdeskError) else f"{type(exc).__name__}: {exc}"
            self.call_from_thread(
                self.notify, f"Could not open {site.name}: {msg}", severity="error"
            )
            return
        self.call_from_thread(self._switched, desk)

    def _switched(self, desk: Desk) -> None:
        self.desk = desk
        old = self.main
        self.main = MainScreen()
        while len(self.screen_stack) > 1 and self.screen is not old:
            self.pop_screen()
        self.switch_screen(self.main)


def default_services(config: Any = None) -> Services:
    """The services this installation has: source verification and Akismet."""
    services = Services()
    try:
        from pingdesk.net.verify import VerifyService
        from pingdesk.wp import checks

        services.verify = VerifyService(config=config)
        services.check_values = (*checks.RESULTS, checks.CHECKED, checks.UNCHECKED)
    except ImportError:  # pragma: no cover - verification not installed
        pass
    try:
        import pingdesk.spam_service  # noqa: F401 - K needs it
        from pingdesk.tui.akismet import AkismetColumn

        services.akismet = AkismetColumn(config)
    except ImportError:  # pragma: no cover - Akismet support not installed
        pass
    return services


def run_tui(
    desk: Desk,
    *,
    services: Services | None = None,
    sites: Sequence[Site] = (),
    refresh_interval: float | None = 30.0,
    **kwargs: Any,
) -> int:
    """Run the app until the moderator quits; returns the exit code.

    Without ``services``, the ones this installation has are used."""
    if services is None:
        services = default_services()
    if sites:
        services.sites = list(sites)
    app = PingdeskApp(desk, services=services, refresh_interval=refresh_interval, **kwargs)
    # Workers parse database rows in Python; a shorter GIL switch interval lets the UI
    # thread answer a key within a millisecond or so instead of up to 5 ms per switch.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        code = app.run()
    finally:
        sys.setswitchinterval(previous)
    return int(code or 0)
