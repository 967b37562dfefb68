"""A progress line for long actions, shown above the footer while one runs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class ProgressPanel(Horizontal):
    DEFAULT_CSS = """
    ProgressPanel { height: 1; display: none; background: $boost; }
    ProgressPanel.-active { display: block; }
    ProgressPanel > Label { width: auto; max-width: 50%; padding: 0 1; }
    ProgressPanel > ProgressBar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="progress-label", markup=False)
        # A known total while idle: an indeterminate bar animates (and redraws) forever.
        yield ProgressBar(total=1, show_eta=False, id="progress-bar")

    def start(self, what: str) -> None:
        self.query_one(Label).update(Text(f"{what} — esc cancels"))
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        self.add_class("-active")

    def advance(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def stop(self) -> None:
        self.remove_class("-active")
        self.query_one(ProgressBar).update(total=1, progress=0)
