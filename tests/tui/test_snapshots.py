"""SVG snapshots of the main views at 80x24 and 120x40 (pytest-textual-snapshot).

The blog is built with fixed dates and the app gets a fixed 'now' and no
periodic refresh, so the pictures never change with the clock.
Update after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from pingdesk.tui.app import PingdeskApp
from tests.support.blogdata import NOW, sqlite_desk

SIZES = [(80, 24), (120, 40)]


async def _settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    for _ in range(6):
        with contextlib.suppress(WorkerCancelled):  # superseded exclusive workers
            await app.workers.wait_for_complete()
        await pilot.pause()
    for inp in app.screen.query(Input):
        inp.cursor_blink = False
    await pilot.pause()


def _app(tmp_path: Path) -> PingdeskApp:
    return PingdeskApp(sqlite_desk(tmp_path), now=NOW, refresh_interval=None)


def _run(*keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run_before


VIEWS = {
    "queue": (),
    "marked": ("x", "j", "x"),
    "filter": ("slash", *"domain:spam.example", "enter"),
    "detail": ("j", "j", "j", "j", "j", "j", "enter"),
    "help": ("question_mark",),
    "close_pings": ("c",),
    "spam_view": ("3",),
    "hostile_row": ("G",),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_snapshot(snap_compare: Any, tmp_path: Path, view: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=_run(*VIEWS[view]))
