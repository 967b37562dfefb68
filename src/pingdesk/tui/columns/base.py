"""The shape of an extra table column (verification, Akismet) and what the app holds.

Each column reads short per-ping results from the database for the table and the
detail pane, and can (re)compute them for a selection with a key (v / V for
verification, K for Akismet). Every method runs in a worker thread, never on the
UI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pingdesk.progress import Progress, ShouldStop
from pingdesk.services.desk import Desk
from pingdesk.services.locate import OtherBlog
from pingdesk.wp.pings import Ping


class Column(Protocol):
    """A column of short per-ping results that a key can recompute."""

    key: str  # "check", "akismet": the row's extras key
    header: str  # column title, a few characters
    width: int  # cells
    values_word: str  # the filter term and mark-screen word ("check", "akismet")

    def values(self, desk: Desk, pings: Sequence[Ping]) -> dict[int, str]:
        """Short results for these pings (missing: nothing known). No network."""
        ...

    def details(self, desk: Desk, ping: Ping) -> list[str]:
        """Lines for the detail pane (history, reasons). No network."""
        ...

    def run(
        self,
        desk: Desk,
        ids: Sequence[int],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> str:
        """Recompute for these pings, store the results, return a one-line summary."""
        ...


@dataclass
class Columns:
    """The extra columns and the other blogs the app was given."""

    verify: Column | None = None
    akismet: Column | None = None
    sites: Sequence[OtherBlog] = ()

    @property
    def all(self) -> list[Column]:
        return [c for c in (self.verify, self.akismet) if c is not None]
