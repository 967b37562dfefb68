"""Close (or open) pings on many posts: the engine's close-pings as a form.

A live count says how many posts would change; enter asks, then runs with a
progress bar (esc cancels); ctrl+z undoes it like any other action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, ProgressBar, RadioButton, RadioSet

from pingdesk.errors import PingdeskError
from pingdesk.services.words import parse_age, plural
from pingdesk.tui.jobs import Job, JobHost
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.wp.posts import ClosingResult, PostFilter

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in (text or "").replace(",", " ").split() if w)


class ClosePingsScreen(JobHost, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back / cancel"),
        Binding("ctrl+z", "undo", "Undo last"),
    ]
    DEFAULT_CSS = """
    ClosePingsScreen > Vertical { padding: 0 1; }
    ClosePingsScreen .row { height: auto; }
    ClosePingsScreen .row > Label { width: 22; padding-top: 1; }
    ClosePingsScreen .row > Input { width: 1fr; }
    ClosePingsScreen #close-count { text-style: bold; margin-top: 1; }
    ClosePingsScreen #close-error { color: $error; }
    ClosePingsScreen #close-progress { display: none; }
    ClosePingsScreen #close-progress.-active { display: block; }
    ClosePingsScreen .help { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._count_timer: Timer | None = None
        self._job: Job | None = None

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Close or open pings on posts", style="bold"))
            yield Label(
                Text(
                    "Only posts.ping_status changes: no post_modified bump and no outgoing "
                    "pings, unlike WordPress's bulk edit.",
                ),
                classes="help",
            )
            with RadioSet(id="close-mode"):
                yield RadioButton("Close pings", value=True, id="mode-close")
                yield RadioButton("Open pings", id="mode-open")
            with Horizontal(classes="row"):
                yield Label("Posts older than")
                yield Input(
                    value="90d",
                    placeholder="e.g. 90d, 12w, 6m, 1y (empty: any age)",
                    id="close-age",
                )
            with Horizontal(classes="row"):
                yield Label("Post types")
                yield Input(
                    value="post", placeholder="post page … (empty: all content)", id="close-types"
                )
            with Horizontal(classes="row"):
                yield Label("Post statuses")
                yield Input(
                    value="publish",
                    placeholder="publish private … (empty: any)",
                    id="close-statuses",
                )
            yield Label("", id="close-count", markup=False)
            yield Label("", id="close-error", markup=False)
            yield ProgressBar(total=1, id="close-progress", show_eta=False)
            yield Label(
                Text("enter applies (asks first) · tab moves · esc goes back · ctrl+z undoes"),
                classes="help",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#close-age", Input).focus()
        self._recount()

    # -- the form ---------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        return self.query_one("#mode-close", RadioButton).value

    def post_filter(self) -> PostFilter:
        age = self.query_one("#close-age", Input).value.strip()
        return PostFilter(
            older_than=parse_age(age) if age else None,
            post_types=_words(self.query_one("#close-types", Input).value),
            post_statuses=_words(self.query_one("#close-statuses", Input).value),
        )

    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _changed(self) -> None:
        if self._count_timer is not None:
            self._count_timer.stop()
        self._count_timer = self.set_timer(0.25, self._recount)

    def _recount(self) -> None:
        try:
            flt = self.post_filter()
        except PingdeskError as exc:
            self._error(str(exc))
            return
        self._error("")
        self.query_one("#close-count", Label).update(Text("counting…"))
        self._count_worker(flt, self.closing)

    @work(thread=True, exclusive=True, group="close-count", exit_on_error=False)
    def _count_worker(self, flt: PostFilter, close: bool) -> None:
        try:
            n = self.pd_app.desk.count_posts(flt, close=close)
        except Exception as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._show_count, n, close)

    def _show_count(self, n: int, close: bool) -> None:
        if close != self.closing:
            return
        verb = "closed" if close else "opened"
        self.query_one("#close-count", Label).update(
            Text(f"{plural(n, 'post')} would have pings {verb}.")
        )

    def _error(self, text: str) -> None:
        self.query_one("#close-error", Label).update(Text(text))

    # -- applying ---------------------------------------------------------------------

    @on(Input.Submitted)
    def apply(self) -> None:
        if self._job is not None:
            return
        try:
            flt = self.post_filter()
        except PingdeskError as exc:
            self._error(str(exc))
            return
        close = self.closing

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(flt, close)

        counted = str(self.query_one("#close-count", Label).render())
        verb = "Close" if close else "Open"
        self.app.push_screen(
            ConfirmScreen(f"{verb} pings on these posts?", f"{counted} ctrl+z undoes it."),
            answered,
        )

    def _run(self, flt: PostFilter, close: bool) -> None:
        desk = self.pd_app.desk
        bar = self.query_one("#close-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.add_class("-active")

        def run(job: Job) -> ClosingResult:
            return desk.set_ping_status(
                flt, close=close, progress=job.progress, should_stop=job.should_stop
            )

        def progress(done: int, total: int) -> None:
            bar.update(total=max(total, 1), progress=done)

        def done(result: ClosingResult) -> None:
            self._job = None
            bar.remove_class("-active")
            bar.update(total=1, progress=0)
            verb = "Closed" if close else "Opened"
            tail = " (cancelled before the end)" if result.cancelled else ""
            self.notify(f"{verb} pings on {plural(result.changed, 'post')}{tail}. ctrl+z undoes.")
            if result.conflicts:
                self.notify(
                    f"{plural(result.conflicts, 'post')} changed meanwhile, left as they are.",
                    severity="warning",
                )
            self._recount()

        def failed(exc: BaseException) -> None:
            self._job = None
            bar.remove_class("-active")
            bar.update(total=1, progress=0)
            self.notify(f"Closing pings failed: {exc}", severity="error")

        label = ("Closing" if close else "Opening") + " pings"
        self._job = self.pd_app.runner.submit(
            Job(label, run, on_done=done, on_error=failed, on_progress=progress, long=True),
            owner=self,
        )

    def action_back(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.notify("Cancelling after the current chunk…")
            return
        self.dismiss(None)

    def action_undo(self) -> None:
        self.pd_app.main.action_undo()
        self.set_timer(0.5, self._recount)
