"""Who links to you: the approved pings grouped by source domain, sorted by reach, with
a sparkline of pings per month; enter opens a domain's pings in the usual table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from pingdesk.services.backlinks import DomainLinks, LinksReport
from pingdesk.services.words import plural
from pingdesk.textsafe import clean

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp

MAX_ROWS = 2000  # a DataTable of tens of thousands of rows is slow to fill; the CLI has all
MONTHS = 12
BARS = " ▁▂▃▄▅▆▇█"
SORTS = ("reach", "pings", "latest")


def sparkline(months: dict[str, int], now: datetime, n: int = MONTHS) -> str:
    """Pings per month over the last ``n`` months, scaled to the busiest of them."""
    keys = []
    y, m = now.year, now.month
    for _ in range(n):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    values = [months.get(k, 0) for k in reversed(keys)]
    top = max(values)
    if not top:
        return " " * n
    return "".join(BARS[0 if v == 0 else max(1, round(v * 8 / top))] for v in values)


class LinksScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "back", "Back", tooltip="Back to the queue"),
        Binding("enter", "open", "Pings", tooltip="This domain's approved pings"),
        Binding("o", "sort", "Sort", tooltip="Sort by reach, pings or latest"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Read the links again"),
    ]
    DEFAULT_CSS = """
    LinksScreen #links-title { padding: 0 1; text-style: bold; }
    LinksScreen #links-status { padding: 0 1; color: $text-muted; }
    LinksScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._report: LinksReport | None = None
        self._sort = 0

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label(Text("Who links to you — approved pings by source domain"), id="links-title")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="links")
        yield table
        yield Label(Text("reading…"), id="links-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(Text("DOMAIN"), key="domain")
        table.add_column(Text("POSTS", justify="right"), key="posts")
        table.add_column(Text("PINGS", justify="right"), key="pings")
        table.add_column(Text("LAST"), key="last")
        table.add_column(Text(f"{MONTHS} MONTHS"), key="spark")
        table.add_column(Text("LINKING"), key="check")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="links", exit_on_error=False)
    def _load(self) -> None:
        from pingdesk.services.backlinks import report

        try:
            found = report(self.pd_app.desk.blog)
        except Exception as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, found)

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#links-status", Label).update(Text(f"Could not read links: {exc}"))

    def _sorted(self, report: LinksReport) -> list[DomainLinks]:
        order = SORTS[self._sort]
        if order == "pings":
            return sorted(report.domains, key=lambda d: (-d.pings, d.domain))
        if order == "latest":
            return sorted(report.domains, key=lambda d: d.last or datetime.min, reverse=True)
        return report.domains  # by reach, as the report comes

    def _show(self, report: LinksReport) -> None:
        self._report = report
        table = self.query_one(DataTable)
        table.clear()
        now = self.pd_app.now() if hasattr(self.pd_app, "now") else datetime.now(UTC)
        for d in self._sorted(report)[:MAX_ROWS]:
            linking = f"{d.standing}/{d.checked}" if d.checked else "-"
            table.add_row(
                Text(clean(d.domain)),
                Text(str(len(d.posts)), justify="right"),
                Text(str(d.pings), justify="right"),
                Text(f"{d.last:%Y-%m-%d}" if d.last else "-"),
                Text(sparkline(dict(d.months), now), style="green"),
                Text(linking),
                key=d.domain,
            )
        shown = min(len(report.domains), MAX_ROWS)
        more = (
            f" (the first {shown}; `pingdesk links` lists all)"
            if shown < len(report.domains)
            else ""
        )
        self.query_one("#links-status", Label).update(
            Text(
                f"{plural(len(report.domains), 'domain')}, {plural(report.pings, 'approved ping')}"
                f" · sorted by {SORTS[self._sort]}{more} · enter: its pings · o: sort"
            )
        )

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        if self._report is not None:
            self._show(self._report)

    def action_reload(self) -> None:
        self.query_one("#links-status", Label).update(Text("reading…"))
        self._load()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self._report is None or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if not key or key.startswith("("):
            return
        self.dismiss(None)
        self.pd_app.main.show_query("approved", f"domain:{key}")

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        # The table takes enter itself (its own binding) and says so with this message.
        self.action_open()

    def action_back(self) -> None:
        self.dismiss(None)
