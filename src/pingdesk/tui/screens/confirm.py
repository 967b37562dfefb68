"""Ask before a destructive action: y / enter confirms, n / escape does not."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape,q", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto; border: thick $error; padding: 1 2;
        background: $surface;
    }
    ConfirmScreen .question { text-style: bold; }
    ConfirmScreen .keys { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question), classes="question")
            if self.detail:
                yield Label(Text(self.detail))
            yield Label(Text("y / enter: yes    n / esc: no"), classes="keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
