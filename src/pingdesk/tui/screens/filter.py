"""The '/' filter: free text plus domain:, post:, type:, self and check: terms."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from pingdesk.errors import UsageError
from pingdesk.tui.query import Query, parse_query

HELP = (
    "words search title, URL, IP and text · domain:example.com (and subdomains) · site:name · "
    "post:42 · type:pingback|trackback|webmention · self"
)


class FilterInput(Input):
    """Once the filter is submitted, keys typed before the screen has closed belong to
    the screen below (a fast typist's or a paste's "/domain:x⏎X"), not to the input."""

    submitted = False

    async def _on_key(self, event: events.Key) -> None:
        # Noted at the enter key itself: the submit action and the screen's answer
        # come later, after keys already queued behind the enter are handled.
        if event.key == "enter" and not self.submitted:
            self.submitted = True
        elif self.submitted:
            event.stop()
            event.prevent_default()
            # Posted again: by the time it is handled, the filter screen is gone.
            self.app.call_later(self.app.simulate_key, event.key)
            return
        await super()._on_key(event)


class FilterScreen(ModalScreen[Query | None]):
    """Returns the parsed query (empty query: no filter), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    FilterScreen { align: center top; }
    FilterScreen > Vertical {
        width: 100%; height: auto; border: round $accent; background: $surface; margin-top: 2;
    }
    FilterScreen .help { color: $text-muted; }
    FilterScreen .error { color: $error; text-style: bold; }
    """

    def __init__(self, current: str = "", *, allow_check: bool = False) -> None:
        super().__init__()
        self.current, self.allow_check = current, allow_check

    def compose(self) -> ComposeResult:
        help_text = HELP + (" · check:RESULT" if self.allow_check else "")
        with Vertical():
            yield FilterInput(
                value=self.current, placeholder="filter (empty: none)", id="filter-input"
            )
            yield Label(Text(help_text), classes="help")
            yield Label("", classes="error", id="filter-error", markup=False)

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        try:
            query = parse_query(event.value, allow_check=self.allow_check)
        except UsageError as exc:
            self.query_one("#filter-error", Label).update(Text(str(exc)))
            self.query_one(FilterInput).submitted = False  # stays open: typing goes on
            return
        self.dismiss(query)

    def action_cancel(self) -> None:
        self.dismiss(None)
