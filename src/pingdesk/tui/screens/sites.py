"""Sites (b): across blogs (a network, several profiles), each blog's pings per status,
busiest first; enter shows that blog's pings in the usual table (``site:`` filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from pingdesk.services.words import plural
from pingdesk.textsafe import clean
from pingdesk.wp.pings import Counts

if TYPE_CHECKING:
    from pingdesk.services.fleet import Fleet
    from pingdesk.tui.app import PingdeskApp

MAX_ROWS = 2000  # a DataTable of 10,000 rows is slow to fill; `pingdesk counts` has all
STATUSES = ("pending", "approved", "spam", "trash")


class SitesScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "back", "Back", tooltip="Back to the queue"),
        Binding("enter", "open", "Pings", tooltip="This site's pings in the queue"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Count again"),
    ]
    DEFAULT_CSS = """
    SitesScreen #sites-title { padding: 0 1; text-style: bold; }
    SitesScreen #sites-status { padding: 0 1; color: $text-muted; }
    SitesScreen DataTable { height: 1fr; }
    """

    def __init__(self, fleet: Fleet, view: str) -> None:
        super().__init__()
        self.fleet = fleet
        self.view = view if view in STATUSES else "pending"

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label(Text("Sites — pings per site, busiest first"), id="sites-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="sites")
        yield Label(Text("counting…"), id="sites-status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_column(Text("SITE"), key="site")
        for status in STATUSES:
            table.add_column(Text(status.upper(), justify="right"), key=status)
        table.add_column(Text("BLOG"), key="title")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="sites", exit_on_error=False)
    def _load(self) -> None:
        try:
            counts = self.fleet.seat_counts()
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, counts)

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#sites-status", Label).update(Text(f"Could not count: {clean(exc)}"))

    def _show(self, counts: dict[int, Counts]) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear()
        seats = sorted(
            self.fleet.seats,
            key=lambda s: (-(counts[s.no].total(self.view) if s.no in counts else -1), s.no),
        )
        waiting = 0
        for seat in seats[:MAX_ROWS]:
            c = counts.get(seat.no)
            if c is None:
                cells = [Text("-", justify="right") for _ in STATUSES]
                title = Text(clean(seat.error or "not read"), style="red")
            else:
                cells = [Text(f"{c.total(s):,}", justify="right") for s in STATUSES]
                title = Text(clean(seat.title))
                waiting += bool(c.total(self.view))
            table.add_row(Text(clean(seat.name)), *cells, title, key=str(seat.no))
        more = f" (the busiest {MAX_ROWS:,})" if len(seats) > MAX_ROWS else ""
        self.query_one("#sites-status", Label).update(
            Text(
                f"{plural(len(seats), 'site')}{more}; {waiting:,} with {self.view} pings"
                " · enter: its pings"
            )
        )

    def action_reload(self) -> None:
        self.query_one("#sites-status", Label).update(Text("counting…"))
        self._load()

    def action_open(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        seat = self.fleet.seat(int(key or 0))
        if seat.error:
            self.pd_app.notify(f"{seat.title}: {seat.error}", severity="warning")
            return
        self.dismiss(None)
        self.pd_app.main.show_query(self.view, f"site:{seat.name}")

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_back(self) -> None:
        self.dismiss(None)
