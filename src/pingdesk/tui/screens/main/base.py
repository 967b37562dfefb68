"""What every part of the main screen shares: its state and its plumbing.

The main screen is one class (``screen.MainScreen``) composed of one mixin per
concern: ``reading`` (views, filter, pages, the detail pane), ``marking``,
``moderating`` (actions, undo, bulk) and ``checks`` (verification, Akismet). Each
mixin is a ``MainBase``, so each sees the same state with its types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer

from pingdesk.errors import PingdeskError
from pingdesk.services.desk import BlogInfo, Desk
from pingdesk.tui.jobs import JobHost
from pingdesk.tui.messages import TableChanged
from pingdesk.tui.query import Query
from pingdesk.tui.widgets.header import DeskHeader
from pingdesk.tui.widgets.ping_table import PingTable
from pingdesk.wp.pings import Counts, PingFilter

if TYPE_CHECKING:
    from pingdesk.services.snapshot import Snapshot
    from pingdesk.tui.app import PingdeskApp


class MainBase(JobHost, Screen[None]):
    """The main screen's state; the mixins add what it does. Jobs it submits report
    back to it (``JobHost``)."""

    # The state the header and the status line show, bound to them in compose()
    # (data_bind): each count changes here, in one place, and they follow.
    view: var[str] = var("pending", bindings=True)  # keys differ by view (check_action)
    query_: var[Query] = var(Query())
    info: var[BlogInfo | None] = var(None)
    counts: var[Counts | None] = var(None)  # per status and kind, as last read or moved
    marked: var[int] = var(0)
    matches: var[int | None] = var(None)  # pings in this view; None while reading
    busy: var[str] = var("")
    status: var[str] = var("", always_update=True)  # the last action's result

    def __init__(self) -> None:
        super().__init__()
        self._data_gen = 0
        self._snapshot_gen = 0
        self._detail_timer: Timer | None = None
        self._pane_timer: Timer | None = None
        self._counts_timer: Timer | None = None
        self._optimistic: dict[int, int] = {}  # id -> removed while its write runs
        # (data generation, ids the write moved, whether rows may have entered the view)
        self._changes: list[tuple[int, set[int], bool]] = []
        # The view's snapshot as last read, with the data generation it was read at: a
        # domain or self term on the same view, and the domain view (o), are answered
        # from it without a query. None: none yet, or a write it cannot follow.
        self.view_snapshot: Snapshot | None = None
        self._view_snapshot_gen = 0

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        return self.pd_app.desk

    @property
    def table(self) -> PingTable:
        return self.query_one(PingTable)

    def filter(self) -> PingFilter:
        return self.query_.apply(PingFilter(status=self.view))

    @property
    def header(self) -> DeskHeader:
        """The header widget (it shows the state above; nothing sets it by hand)."""
        return self.query_one(DeskHeader)

    @on(TableChanged)
    def _table_changed(self, message: TableChanged) -> None:
        self.marked = message.marked
        self.matches = message.rows if message.complete else None

    def say(self, message: str) -> None:
        """The result of a single-row action, on the status line (a toast per key is
        too slow at keyboard speed, see widgets/status.py)."""
        log = self.pd_app.status_log
        log.append(message)
        del log[:-100]
        self.status = message

    def _failed(self, what: str, exc: BaseException) -> None:
        msg = str(exc) if isinstance(exc, PingdeskError) else f"{type(exc).__name__}: {exc}"
        self.notify(f"{what}: {msg}", severity="error", timeout=10)
