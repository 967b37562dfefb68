"""The Links screen: who links to you, by source domain; enter opens a domain's pings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable, Label

from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.screens.links import LinksScreen, sparkline
from tests.support.blogdata import NOW, PingSpec, default_pings, sqlite_desk
from tests.support.tuienv import until


def test_sparkline_scales_to_the_busiest_month() -> None:
    now = datetime(2026, 12, 3)
    assert sparkline({}, now) == " " * 12
    line = sparkline({"2026-12": 8, "2026-11": 4, "2026-01": 1, "2025-12": 50}, now)
    assert len(line) == 12
    assert line[-1] == "█" and line[-2] == "▄" and line[0] == "▁"  # 2025-12 is out of range


async def test_links_screen_lists_domains_and_opens_one(tmp_path: Path) -> None:
    specs = [
        *default_pings(),
        PingSpec("pingback", "1", "http://www.delta.example/again", "Delta again", 2),
        PingSpec("pingback", "1", "http://evil.example/[b]x[/b]", "[red]markup[/red]", 3),
    ]
    desk = sqlite_desk(tmp_path, specs)
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LinksScreen))
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 3)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # delta.example first: two posts (reach), then the one-post domains.
        assert rows[0][:3] == ["delta.example", "2", "2"]
        assert sorted(r[0] for r in rows[1:]) == ["eps.example", "evil.example"]
        status = str(app.screen.query_one("#links-status", Label).render())
        assert "3 domains" in status and "4 approved pings" in status

        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.main)
        await until(pilot, lambda: app.main.table.row_count == 2)
        assert app.main.view == "approved"
        assert app.main.query_.domain == "delta.example"
