"""Mark rows by pattern: all from this domain, all self-pings, all with a result."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class MarkScreen(ModalScreen[str | None]):
    """Dismisses with 'domain', 'self', 'check', 'akismet', 'all' or 'none'."""

    BINDINGS = [
        Binding("d", "pick('domain')", "From this domain"),
        Binding("s", "pick('self')", "Self-pings"),
        Binding("c", "pick('check')", "Same verification result"),
        Binding("k", "pick('akismet')", "Same Akismet result"),
        Binding("a", "pick('all')", "All in view"),
        Binding("n", "pick('none')", "None"),
        Binding("escape,q", "pick('')", "Cancel"),
    ]
    DEFAULT_CSS = """
    MarkScreen { align: center middle; }
    MarkScreen > Vertical {
        width: 60; max-width: 100%; height: auto; border: round $accent; padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, domain: str, *, check: str | None, akismet: str | None) -> None:
        super().__init__()
        self.domain, self.check, self.akismet = domain, check, akismet

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Mark rows in this view", style="bold"))
            yield Label(Text(f"d  all from {self.domain or '(no domain)'}"))
            yield Label(Text("s  all self-pings"))
            if self.check is not None:
                yield Label(Text(f"c  all with verification result {self.check!r}"))
            if self.akismet is not None:
                yield Label(Text(f"k  all with Akismet result {self.akismet!r}"))
            yield Label(Text("a  all        n  none        esc  cancel"))

    def action_pick(self, what: str) -> None:
        if what == "check" and self.check is None:
            return
        if what == "akismet" and self.akismet is None:
            return
        self.dismiss(what or None)
