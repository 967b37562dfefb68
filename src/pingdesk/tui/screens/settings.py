"""The Discussion settings that govern pings, each with its effect in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Switch

from pingdesk.services.words import SETTING_HELP
from pingdesk.tui.jobs import Job, JobHost
from pingdesk.wp.discussion import DiscussionSettings

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp


class SettingsScreen(JobHost, ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("ctrl+z", "undo", "Undo last"),
    ]
    DEFAULT_CSS = """
    SettingsScreen { align: center middle; }
    SettingsScreen > Vertical {
        width: 80; max-width: 100%; height: auto; border: round $accent; padding: 0 1;
        background: $surface;
    }
    SettingsScreen .row { height: auto; margin-top: 1; }
    SettingsScreen .row > Label { width: 1fr; padding-top: 1; }
    SettingsScreen .help { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._loading = True

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Discussion settings for pings", style="bold"))
            with Horizontal(classes="row"):
                yield Label(Text("Allow pings on new posts"))
                yield Switch(id="set-new-posts", disabled=True)
            yield Label(Text(SETTING_HELP["default_ping_status"]), classes="help")
            with Horizontal(classes="row"):
                yield Label(Text("Send pingbacks to linked blogs"))
                yield Switch(id="set-pingbacks", disabled=True)
            yield Label(Text(SETTING_HELP["default_pingback_flag"]), classes="help")
            yield Label("", id="set-old-posts", classes="help", markup=False)
            yield Label("", id="set-self-pings", classes="help", markup=False)
            yield Label(
                Text("space toggles · tab moves · ctrl+z undoes · esc closes"), classes="help"
            )

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _load(self) -> None:
        try:
            s = self.pd_app.desk.settings()
            self_pings = self._self_pings()
        except Exception as exc:
            self.app.call_from_thread(
                self.notify, f"Could not read settings: {exc}", severity="error"
            )
            return
        self.app.call_from_thread(self._show, s)
        self.app.call_from_thread(self.query_one("#set-self-pings", Label).update, Text(self_pings))

    def _self_pings(self) -> str:
        from pingdesk.services import self_pings

        blog = self.pd_app.desk.blog
        state = self_pings.state(blog, self_pings.files_of(blog.wp_config))
        hint = "allow" if state.by == "pingdesk" else "stop"
        tail = f" (`pingdesk self-pings {hint}` changes it)" if state.files_known else ""
        return f"Self-pings: {state.line()}{tail}."

    def _show(self, s: DiscussionSettings) -> None:
        self._loading = True
        new_posts = self.query_one("#set-new-posts", Switch)
        pingbacks = self.query_one("#set-pingbacks", Switch)
        with self.prevent(Switch.Changed):
            new_posts.value = s.new_posts_pings == "open"
            pingbacks.value = s.send_pingbacks
        new_posts.disabled = pingbacks.disabled = False
        new_posts.focus()
        old = (
            f"WordPress also closes pings on posts older than {s.close_comments_days_old} days "
            '("Automatically close comments").'
            if s.close_comments_for_old_posts
            else "Pings on old posts stay open unless closed (see Close pings, key c)."
        )
        self.query_one("#set-old-posts", Label).update(Text(old))
        self._loading = False

    @on(Switch.Changed)
    def _changed(self, event: Switch.Changed) -> None:
        if self._loading:
            return
        desk = self.pd_app.desk
        if event.switch.id == "set-new-posts":
            value = "open" if event.value else "closed"
            label = f"Pings on new posts: {value}"

            def run(job: Job) -> object:
                return desk.set_settings(new_posts_pings=value)
        else:
            on_ = bool(event.value)
            label = f"Send pingbacks: {'on' if on_ else 'off'}"

            def run(job: Job) -> object:
                return desk.set_settings(send_pingbacks=on_)

        def done(changes: object) -> None:
            self.notify(f"Saved. {label}. ctrl+z undoes." if changes else f"{label} (unchanged).")

        def failed(exc: BaseException) -> None:
            self.notify(f"Could not save: {exc}", severity="error")
            self._load()

        self.pd_app.runner.submit(Job(label, run, on_done=done, on_error=failed), owner=self)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_undo(self) -> None:
        self.pd_app.main.action_undo()
        self.set_timer(0.5, self._load)
