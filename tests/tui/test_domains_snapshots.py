"""SVG snapshots of the domain view at 80x24 (pytest-textual-snapshot): the groups as
they first show, their CHECKS and AKISMET columns still being read ("…"), and the same
screen once that second read has filled them in.
Update after an intended change: pytest tests/tui/test_domains_snapshots.py --snapshot-update
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from textual.pilot import Pilot
from textual.widgets import DataTable

from pingdesk.services.snapshot import Snapshot
from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.screens.domains import DomainsScreen
from pingdesk.wp.akismet_meta import RESULT_KEY
from pingdesk.wp.pings import PingFilter, ping_ids
from pingdesk.wp.verify_meta import VerifyResult, store_results
from tests.support.blogdata import NOW, PingSpec, default_pings, sqlite_desk
from tests.support.tuienv import until
from tests.tui.test_snapshots import _settle


def _app(tmp_path: Path) -> PingdeskApp:
    specs = [
        *default_pings(),
        PingSpec("pingback", "0", "http://a.spam.example/1", "A", 1),
        PingSpec("trackback", "0", "https://www.b.spam.example/2", "B", 2),
        PingSpec("webmention", "0", "http://c.spam.example/wm", "C", 3),
    ]
    desk = sqlite_desk(tmp_path, specs)
    ids = ping_ids(desk.blog, PingFilter())
    results = ["gone", "linked", "no-link"]
    store_results(
        desk.blog, [VerifyResult(ping_id=i, result=results[n % 3]) for n, i in enumerate(ids)]
    )
    m = desk.blog.tables.commentmeta
    with desk.blog.engine.begin() as conn:
        conn.execute(
            insert(m),
            [
                {"comment_id": i, "meta_key": RESULT_KEY, "meta_value": ("true", "false")[n % 2]}
                for n, i in enumerate(ids[::2])
            ],
        )
    return PingdeskApp(desk, now=NOW, refresh_interval=None)


@pytest.fixture
def held_evidence() -> Iterator[threading.Event]:
    """Snapshot.evidence waits for the event (at most 3 s): the screen between reads."""
    release = threading.Event()
    evidence = Snapshot.evidence

    def held(self: Snapshot, blog: Any, flt: Any = None) -> Any:
        release.wait(3)
        return evidence(self, blog, flt)

    Snapshot.evidence = held  # type: ignore[method-assign]
    yield release
    release.set()
    Snapshot.evidence = evidence  # type: ignore[method-assign]


async def _open_domains(pilot: Pilot[Any]) -> DataTable[Any]:
    app = pilot.app
    await until(pilot, lambda: app.main.view_snapshot is not None)  # type: ignore[attr-defined]
    await pilot.press("o")
    await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
    table: DataTable[Any] = app.screen.query_one(DataTable)
    await until(pilot, lambda: table.row_count > 0)
    return table


def test_groups_first(snap_compare: Any, tmp_path: Path, held_evidence: threading.Event) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        table = await _open_domains(pilot)
        assert str(table.get_row_at(0)[3]) == "…"
        for _ in range(4):  # the table sizes its columns after the rows arrive
            await pilot.pause(0.05)

    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_columns_filled_in(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        table = await _open_domains(pilot)
        await until(pilot, lambda: str(table.get_row_at(0)[3]) != "…")
        await _settle(pilot)

    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=run_before)
