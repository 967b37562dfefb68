"""The header tells the truth during long work: how many match, or that it is reading."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.widgets.header import matching
from tests.support.blogdata import NOW, sqlite_desk
from tests.support.tuienv import until


def test_matching_words() -> None:
    assert matching(None) == "reading…"
    assert matching(0) == "none match"
    assert matching(1) == "1 matches"
    assert matching(10_050) == "10,050 match"


def _header(app: PingdeskApp) -> str:
    return str(app.main.header.render())


async def test_filtered_view_says_reading_then_how_many_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pingdesk.tui.screens.main.reading as reading

    monkeypatch.setattr(reading, "FIRST_PAGE", 1)  # the first page cannot settle the view
    desk = sqlite_desk(tmp_path)
    real_snapshot = desk.snapshot
    release = threading.Event()

    def slow_snapshot(flt: Any) -> Any:
        release.wait(10)  # the view's full read takes its time
        return real_snapshot(flt)

    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(120, 30)) as pilot:
        release.set()
        await until(pilot, lambda: app.main.matches is not None)
        pending = app.main.matches
        assert pending is not None and pending > 0
        assert "reading…" not in _header(app)
        release.clear()
        desk.snapshot = slow_snapshot  # type: ignore[method-assign]
        # While the whole list is read, the header says so.
        await pilot.press("slash", *"spam", "enter")
        await until(pilot, lambda: len(app.main.table.ids) == 1)  # the first page
        assert app.main.matches is None
        assert "filter: spam — reading…" in _header(app)
        release.set()
        await until(pilot, lambda: app.main.matches is not None)
        assert app.main.matches == len(app.main.table.ids) == 2
        assert "— 2 match" in _header(app)
        # An unfiltered view still being read says so too.
        release.clear()
        await pilot.press("slash", "ctrl+u", "enter")
        await until(pilot, lambda: len(app.main.table.ids) == 1)
        assert app.main.matches is None
        assert "— reading…" in _header(app)
        release.set()
        await until(pilot, lambda: app.main.matches == pending)
        assert "reading…" not in _header(app)
        # A domain term on the view just read is answered from its snapshot: no reading.
        release.clear()
        await pilot.press("slash", *"domain:spam.example", "enter")
        await until(pilot, lambda: "filter: domain:spam.example — 2 match" in _header(app))
        assert app.main.matches == 2
        release.set()
        # Marks go through the screen's state to the header.
        await pilot.press("x")
        await until(pilot, lambda: app.main.marked == 1)
        assert "1 marked" in _header(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.main.marked == 0)
        assert "marked" not in _header(app)
