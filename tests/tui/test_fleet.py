"""One queue across blogs in the terminal UI (several profiles; --network is the same
Fleet, tested against WordPress in tests/services/test_fleet.py): a site column, keys
that act on the blog the ping is on, undo, and a blog that cannot be reached."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import DataTable

from pingdesk.config import Config
from pingdesk.services.desk import Desk
from pingdesk.services.fleet import blogs_fleet
from pingdesk.store.journal import Journal
from pingdesk.tui.app import PingdeskApp, default_columns
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.domains import DomainsScreen
from pingdesk.tui.screens.sites import SitesScreen
from pingdesk.tui.widgets.ping_table import RowData
from pingdesk.wp.pings import split_key
from tests.support.blogdata import NOW, PingSpec, sqlite_desk
from tests.support.tuienv import until


def _statuses(desk: Desk) -> dict[str, str]:
    c = desk.blog.tables.comments
    with desk.blog.engine.connect() as conn:
        rows = conn.execute(select(c.c.comment_author, c.c.comment_approved)).all()
    return {author: status for author, status in rows}


def _ids(desk: Desk) -> dict[str, int]:
    c = desk.blog.tables.comments
    with desk.blog.engine.connect() as conn:
        return {a: int(i) for i, a in conn.execute(select(c.c.comment_ID, c.c.comment_author))}


def _blog(tmp: Path, name: str, specs: list[PingSpec]) -> Desk:
    (tmp / name).mkdir()
    desk = sqlite_desk(tmp / name, specs)
    desk.blog.label = f"{name}.sqlite"  # where it is: what the journal tells blogs apart by
    return desk


async def test_queue_across_blogs_acts_on_each_blog(tmp_path: Path) -> None:
    h = timedelta(hours=1)
    alpha = _blog(
        tmp_path,
        "alpha",
        [
            PingSpec("pingback", "0", "http://one.example/a", "Alpha newest", age=1 * h),
            PingSpec("trackback", "0", "http://two.example/a", "Alpha older", age=5 * h),
        ],
    )
    beta = _blog(
        tmp_path,
        "beta",
        [PingSpec("pingback", "0", "http://three.example/b", "Beta \x1b[31m[bold]x", age=3 * h)],
    )
    journal = Journal(tmp_path / "journal.sqlite3")
    for d in (alpha, beta):
        d.journal = journal
    fleet = blogs_fleet(
        [("alpha", alpha, None), ("beta", beta, None), ("down", None, "cannot connect: refused")],
        journal,
    )
    assert [s.name for s in fleet.live] == ["alpha", "beta"]

    # Akismet's verdict on alpha's newest ping, in alpha's own meta: its column shows it
    # (the first page's columns come just after its rows across blogs).
    newest = _ids(alpha)["Alpha newest"]
    with alpha.blog.engine.begin() as conn:
        m = alpha.blog.tables.commentmeta
        conn.execute(
            m.insert().values(comment_id=newest, meta_key="akismet_result", meta_value="true")
        )
    app = PingdeskApp(fleet, columns=default_columns(Config()), now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.main.table
        await until(pilot, lambda: len(table.ids) == 3 and table.row(table.ids[-1]) is not None)
        first = table.ids[0]
        await until(
            pilot,
            lambda: (
                (table.row(first) or RowData(fleet.ping(first))).extras.get("akismet") == "spam"
            ),
        )
        # The same comment id on beta is another ping: no verdict there.
        assert all(table.row(k) is None or not table.row(k).extras for k in table.ids[1:2])
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(4)]
        assert "site" in lines[0]
        # Newest first across the blogs, each row saying which blog it is on.
        assert "alpha" in lines[1] and "Alpha newest" in lines[1]
        assert "beta" in lines[2] and "Beta" in lines[2] and "\x1b" not in lines[2]
        assert "alpha" in lines[3] and "Alpha older" in lines[3]

        await pilot.press("j", "a")  # approve the row on beta
        await until(pilot, lambda: _statuses(beta)["Beta \x1b[31m[bold]x"] == "1")
        assert set(_statuses(alpha).values()) == {"0"}  # the other blog is untouched
        assert {e.blog for e in journal.entries(beta.blog.key)} and not journal.entries(
            alpha.blog.key
        )
        await until(pilot, lambda: len(table.ids) == 2)

        await pilot.press("z")
        await until(pilot, lambda: _statuses(beta)["Beta \x1b[31m[bold]x"] == "0")
        await until(pilot, lambda: len(table.ids) == 3)
        assert {fleet.seat(split_key(k)[0]).name for k in table.ids} == {"alpha", "beta"}

        # Sites: each blog's counts, the unreachable one with its error; enter shows
        # that blog's pings alone.
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, SitesScreen))
        sites: DataTable[Any] = app.screen.query_one(DataTable)
        await until(pilot, lambda: sites.row_count == 3)
        rows = [[str(c) for c in sites.get_row_at(i)] for i in range(3)]
        assert rows[0][:2] == ["alpha", "2"] and rows[1][:2] == ["beta", "1"]
        assert rows[2][0] == "down" and "refused" in rows[2][-1]
        sites.move_cursor(row=1)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.main)
        await until(pilot, lambda: len(table.ids) == 1)
        assert fleet.seat(split_key(table.ids[0])[0]).name == "beta"
        assert app.main.query_.site == "beta"

        # Posts belong to one blog: across blogs the screen is refused, not opened on
        # the first blog.
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is app.main


async def test_domain_view_across_blogs_acts_on_every_blog(tmp_path: Path) -> None:
    alpha = _blog(
        tmp_path,
        "alpha",
        [
            PingSpec("pingback", "0", "http://a.spam.example/1", "Alpha spam"),
            PingSpec("pingback", "0", "http://friend.example/1", "Alpha friend"),
        ],
    )
    beta = _blog(
        tmp_path, "beta", [PingSpec("trackback", "0", "http://b.spam.example/2", "Beta spam")]
    )
    journal = Journal(tmp_path / "journal.sqlite3")
    for d in (alpha, beta):
        d.journal = journal
    fleet = blogs_fleet([("alpha", alpha, None), ("beta", beta, None)], journal)
    app = PingdeskApp(fleet, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(app.main.table.ids) == 3)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
        groups: DataTable[Any] = app.screen.query_one(DataTable)
        await until(pilot, lambda: groups.row_count == 2)
        assert [str(c) for c in groups.get_row_at(0)][:2] == ["spam.example", "2"]
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: _statuses(beta)["Beta spam"] == "spam")
        assert _statuses(alpha) == {"Alpha spam": "spam", "Alpha friend": "0"}
        await pilot.press("z")
        await until(pilot, lambda: _statuses(beta)["Beta spam"] == "0")
        await until(pilot, lambda: _statuses(alpha)["Alpha spam"] == "0")
