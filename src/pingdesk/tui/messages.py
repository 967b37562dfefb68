"""The messages of the terminal UI, as dataclasses, in one place.

Jobs (writes in the writer thread, see jobs.py) post theirs to the screen that
submitted them. The ping table's are namespaced ``ping_table`` and also reachable
as ``PingTable.CursorMoved`` …, so their handlers read ``on_ping_table_…``.

A newer message may replace an older one still queued (``can_replace``): the
receiver then handles only the newest, as a progress bar or a count needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from pingdesk.tui.jobs import Job
    from pingdesk.tui.widgets.ping_table import RowData


# -- jobs -------------------------------------------------------------------------------


@dataclass
class JobStarted(Message, bubble=False):
    """The writer began ``job``."""

    job: Job


@dataclass
class JobProgress(Message, bubble=False):
    """``done`` of ``total`` (rows, posts) written so far."""

    job: Job
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        # A newer progress of the same job supersedes this one while both are queued.
        return isinstance(message, JobProgress) and message.job is self.job


@dataclass
class JobFinished(Message, bubble=False):
    """``job`` ended: with ``result``, or with ``error``."""

    job: Job
    result: Any = None
    error: BaseException | None = None


# -- the ping table -----------------------------------------------------------------------


@dataclass
class CursorMoved(Message, namespace="ping_table"):
    """The row under the cursor changed (``row`` is None while it loads)."""

    index: int
    ping_id: int | None
    row: RowData | None


@dataclass
class TableChanged(Message, namespace="ping_table"):
    """The table's rows or marks changed: how many there are now (``@on(TableChanged)``).

    ``complete`` is False while the view is still being read (nothing yet, or only
    its first page), when ``rows`` is not how many pings the view holds. Only the
    newest of those queued is handled."""

    rows: int
    marked: int
    complete: bool

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TableChanged)


@dataclass
class RowsLoaded(Message, namespace="ping_table"):
    """Rows read by the table's loader (``asked``: the ids it asked for)."""

    gen: int
    rows: list[RowData]
    asked: list[int]


@dataclass
class LoadFailed(Message, namespace="ping_table"):
    error: BaseException
