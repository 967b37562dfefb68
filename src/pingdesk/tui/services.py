"""Optional services the UI plugs in: extra table columns and extra checks.

Source verification and Akismet live outside the UI. Each is handed to the app
as an object with this small shape, so the table gains a column and the keys
`v` / `V` (verify) and `k` / `K` (Akismet check) work as soon as one is given.
Every method here runs in a worker thread, never on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pingdesk.ops import Desk
from pingdesk.wp.pings import Ping

Progress = Callable[[int, int], None]


class ColumnService(Protocol):
    """A column of short per-ping results read from the database (no network)."""

    key: str  # "check", "akismet"
    header: str  # column title, a few characters
    width: int  # cells

    def values(self, desk: Desk, pings: Sequence[Ping]) -> dict[int, str]:
        """Short results for these pings (missing: nothing known)."""
        ...

    def details(self, desk: Desk, ping: Ping) -> list[str]:
        """Lines for the detail pane (history, reasons)."""
        ...


class CheckService(ColumnService, Protocol):
    """A column whose results a key can (re)compute: it may use the network."""

    def run(
        self,
        desk: Desk,
        ids: Sequence[int],
        *,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> str:
        """Check these pings, store the results, return a one-line summary."""
        ...


@dataclass(frozen=True)
class Site:
    """Another blog the moderator can switch to from the command palette."""

    name: str
    open: Callable[[], Desk]  # connects; runs in a worker thread


@dataclass
class Services:
    verify: CheckService | None = None
    akismet: CheckService | None = None
    sites: Sequence[Site] = ()
    # Names accepted after 'check:' in the filter, when verification is present.
    check_values: Sequence[str] = ()

    @property
    def columns(self) -> list[ColumnService]:
        return [s for s in (self.verify, self.akismet) if s is not None]
