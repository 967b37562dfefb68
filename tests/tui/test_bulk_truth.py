"""Bulk work tells the truth as it goes: V starts before the view's id list is read,
marked actions take rows out chunk by chunk, and the counts follow the chunks."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import events

from pingdesk.progress import Progress, ShouldStop
from pingdesk.services.desk import Desk
from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.columns.base import Columns
from pingdesk.wp.pings import Ping, PingFilter
from tests.support.blogdata import NOW, sqlite_desk
from tests.support.tuienv import until


class RecordingColumn:
    """A verification column that records what it was asked to check (no network)."""

    key, header, width, values_word = "check", "CHECK", 5, "check"

    def __init__(self) -> None:
        self.asked: list[int] = []

    def values(self, desk: Desk, pings: Sequence[Ping]) -> dict[int, str]:
        return {}

    def details(self, desk: Desk, ping: Ping) -> list[str]:
        return []

    def run(
        self,
        desk: Desk,
        ids: Sequence[int],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> str:
        self.asked.extend(ids)
        return f"checked {len(ids)}"


async def test_verify_view_starts_before_the_id_list_is_read(
    tmp_path: Path, monkeypatch: Any
) -> None:
    import pingdesk.tui.screens.main.reading as reading

    monkeypatch.setattr(reading, "FIRST_PAGE", 1)
    desk = sqlite_desk(tmp_path)
    everything = desk.ids(PingFilter(status="pending"))
    assert len(everything) > 2
    real_ids, real_snapshot = desk.ids, desk.snapshot
    release = threading.Event()
    calls: list[str] = []

    def slow_ids(flt: Any, *args: Any, **kw: Any) -> Any:
        calls.append(threading.current_thread().name)
        release.wait(10)
        return real_ids(flt, *args, **kw)

    def slow_snapshot(flt: Any) -> Any:  # the queue reads its view as a snapshot
        calls.append(threading.current_thread().name)
        release.wait(10)
        return real_snapshot(flt)

    desk.ids = slow_ids  # type: ignore[method-assign]
    desk.snapshot = slow_snapshot  # type: ignore[method-assign]
    column = RecordingColumn()
    app = PingdeskApp(desk, now=NOW, refresh_interval=None, columns=Columns(verify=column))
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: len(app.main.table.ids) == 1)  # first page only
        assert app.main.table.partial
        await pilot.press("V")
        await pilot.pause(0.1)
        notes = [str(n.message) for n in app._notifications]
        assert not any("Still reading" in n for n in notes), notes
        release.set()
        await until(pilot, lambda: sorted(column.asked) == sorted(everything))
    assert len(calls) >= 2  # the snapshot's read and the job's own


async def test_marked_action_takes_rows_out_chunk_by_chunk(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path)
    pending = desk.ids(PingFilter(status="pending"))
    real_act = desk.act

    def chunked_act(action: str, seen: Any, *, progress: Any = None, **kw: Any) -> Any:
        def slow(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)
            time.sleep(0.3)  # a chunk on a large blog takes this long

        kw["chunk_size"] = 2
        return real_act(action, seen, progress=slow, **kw)

    desk.act = chunked_act  # type: ignore[method-assign]
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: not app.main.table.partial and app.main.table.ids)
        before = app.main.counts
        assert before is not None
        await pilot.press("X", "A")
        # Mid-job: some rows are gone, not all, and the job is still running.
        await until(pilot, lambda: 0 < len(app.main.table.ids) < len(pending), rounds=200)
        assert app.runner.busy
        await until(pilot, lambda: not app.runner.busy, rounds=400)
        await until(pilot, lambda: app.main.table.ids == [])

        # Exact when the job ends: nothing pending is left, in the header too.
        def pending_in_header() -> int | None:
            counts = app.main.counts
            return None if counts is None else sum(counts.by_status["pending"].values())

        await until(pilot, lambda: pending_in_header() == 0, rounds=200)
        assert sum(before.by_status["pending"].values()) == len(pending)
    assert desk.ids(PingFilter(status="pending")) == []


async def test_keys_typed_right_after_enter_reach_the_queue_not_the_filter(
    tmp_path: Path,
) -> None:
    desk = sqlite_desk(tmp_path)
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: not app.main.table.partial and app.main.table.ids)
        # All queued at once, as a paste or a fast typist sends them.
        await pilot.press("slash")  # the filter is open; the rest comes in one burst
        keys = [
            (c if c.isalnum() else {":": "colon", ".": "full_stop"}[c], c)
            for c in "domain:spam.example"
        ]
        for key, char in [*keys, ("enter", "\r"), ("X", "X")]:
            app.post_message(events.Key(key, char))
        await until(pilot, lambda: app.main.query_.text != "", rounds=200)
        await settle_keys(pilot)
        # The X did not land in the filter; the queue got it (marked, or "again in a moment").
        assert app.main.query_.text == "domain:spam.example"
        notes = [str(n.message) for n in app._notifications]
        assert app.main.marked == 2 or any("X again" in n for n in notes), notes


async def settle_keys(pilot: Any) -> None:
    for _ in range(10):
        await pilot.pause(0.05)
