"""The domain view: the queue grouped by source domain; a key acts on the whole domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import DataTable

from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.domains import DomainsScreen
from tests.support.blogdata import NOW, PingSpec, default_pings, sqlite_desk
from tests.support.tuienv import until


async def test_spam_a_whole_domain_then_undo(tmp_path: Path) -> None:
    specs = [
        *default_pings(),
        PingSpec("pingback", "0", "http://a.spam.example/1", "A", 1),
        PingSpec("trackback", "0", "https://www.b.spam.example/2", "B", 2),
    ]
    desk = sqlite_desk(tmp_path, specs)
    c = desk.blog.tables.comments

    def statuses() -> dict[str, str]:
        with desk.blog.engine.connect() as conn:
            rows = conn.execute(select(c.c.comment_author_url, c.c.comment_approved)).all()
        return {url: status for url, status in rows if "spam.example" in url}

    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
        screen = app.screen
        table: DataTable[Any] = screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0)
        first = [str(c) for c in table.get_row_at(0)]
        assert first[:2] == ["spam.example", "4"]  # spam.example, a. and www.b. as one

        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: set(statuses().values()) == {"spam"})
        await until(pilot, lambda: "spam.example" not in [str(c) for c in table.get_row_at(0)])

        await pilot.press("z")
        await until(pilot, lambda: set(statuses().values()) == {"0"})

        await until(
            pilot, lambda: table.row_count > 0 and str(table.get_row_at(0)[0]) == "spam.example"
        )
        table.move_cursor(row=0)  # the cursor stayed on the domain it was on
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.main)
        assert app.main.query_.domain == "spam.example" and app.main.view == "pending"
