"""'?': every key on one scrollable screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pingdesk.tui.keymap import HELP_KEYS


def help_text() -> Text:
    t = Text()
    for n, (section, keys) in enumerate(HELP_KEYS):
        if n:
            t.append("\n")
        t.append(section + "\n", style="bold underline")
        for key, what in keys:
            t.append(f"  {key:<16} ", style="bold")
            t.append(what + "\n")
    t.append("\nesc / q / ? closes this help", style="italic")
    return t


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 100%; max-height: 40; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_text(), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
