"""enter: the full detail of one ping — whole excerpt, meta, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from pingdesk.tui.widgets.detail import Detail, detail_text

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp


class DetailScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,enter,q", "close", "Back"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
        Binding("g", "top", "Top", show=False),
        Binding("G", "bottom", "Bottom", show=False),
    ]
    DEFAULT_CSS = """
    DetailScreen > VerticalScroll { padding: 0 1; }
    """

    def __init__(
        self, ping_id: int, load: Callable[[int], Detail], now: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self.ping_id, self._load, self._now = ping_id, load, now

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text(f"Loading #{self.ping_id}…"), id="detail-full", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.fetch()

    @work(thread=True, exclusive=True, group="detail-full", exit_on_error=False)
    def fetch(self) -> None:
        try:
            detail = self._load(self.ping_id)
        except Exception as exc:
            self.app.call_from_thread(self._show, Text(f"#{self.ping_id}: {exc}"))
            return
        self.app.call_from_thread(self._show, detail_text(detail, self._now(), full=True))

    def _show(self, text: Text) -> None:
        self.query_one("#detail-full", Static).update(text)

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_top(self) -> None:
        self.query_one(VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one(VerticalScroll).scroll_end(animate=False)
