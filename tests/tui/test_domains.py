"""The domain view: the queue grouped by source domain; a key acts on the whole domain."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import DataTable, Label

from pingdesk.services.desk import Desk
from pingdesk.services.snapshot import Snapshot
from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.query import parse_query
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.domains import DomainsScreen
from pingdesk.wp.pings import Page, PingFilter, iter_pings, ping_ids
from pingdesk.wp.verify_meta import VerifyResult, store_results
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


class _Reads:
    """Counts the view reads a desk makes (its snapshot and first-page queries)."""

    def __init__(self, desk: Desk) -> None:
        self.snapshots = 0
        self.pages = 0
        snapshot, page = desk.snapshot, desk.page

        def counted_snapshot(flt: PingFilter) -> Snapshot:
            self.snapshots += 1
            return snapshot(flt)

        def counted_page(flt: PingFilter, **kw: Any) -> Page:
            self.pages += 1
            return page(flt, **kw)

        desk.snapshot = counted_snapshot  # type: ignore[method-assign]
        desk.page = counted_page  # type: ignore[method-assign]


def _flood_specs() -> list[PingSpec]:
    return [
        *default_pings(),
        PingSpec("pingback", "0", "http://a.spam.example/1", "A", 1),
        PingSpec("trackback", "0", "https://www.b.spam.example/2", "B", 2),
        PingSpec("webmention", "0", "http://c.spam.example/wm", "C", 3),
        PingSpec("pingback", "0", "http://user@SPAM.example:8080/x", "D", 1),
    ]


async def test_domain_term_on_the_same_view_is_filtered_in_memory(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path, _flood_specs())
    reads = _Reads(desk)
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await until(pilot, lambda: main.view_snapshot is not None and main.matches is not None)
        assert reads.snapshots == 1
        view_reads = (reads.snapshots, reads.pages)
        for term, expected in [
            ("domain:spam.example", PingFilter(domain="spam.example")),
            ("domain:www.b.spam.example", PingFilter(domain="b.spam.example")),
            ("self", PingFilter(self_only=True)),
            ("", PingFilter()),
        ]:
            main.query_ = parse_query(term)
            main._reread()  # what the filter screen's enter does
            sql = [p.id for p in iter_pings(desk.blog, expected)]
            assert main.table.ids == sql, term  # at once: no worker, no query
            rows = len(sql)
            await until(pilot, lambda: main.matches == rows)  # noqa: B023 (awaited here)
        assert (reads.snapshots, reads.pages) == view_reads

        # Another view is read from the database, and its snapshot kept.
        await pilot.press("3")
        await until(pilot, lambda: main.view == "spam" and main.matches is not None)
        assert reads.snapshots == view_reads[0] + 1
        main.query_ = parse_query("domain:junk.example")
        main._reread()
        assert len(main.table.ids) == 2 and reads.snapshots == view_reads[0] + 1


async def test_a_new_domain_filter_skips_the_slow_first_page(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path, _flood_specs())
    reads = _Reads(desk)
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await until(pilot, lambda: main.matches is not None)
        pages = reads.pages
        main.show_query("approved", "domain:delta.example")  # not the view on screen
        await until(pilot, lambda: main.view == "approved" and main.matches == 1)
        assert reads.pages == pages  # one snapshot read, no keyset pages through LIKE


async def test_domain_view_groups_the_queue_snapshot_then_fills_columns(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path, _flood_specs())
    ids = ping_ids(desk.blog, PingFilter())
    store_results(desk.blog, [VerifyResult(ping_id=i, result="gone") for i in ids])
    reads = _Reads(desk)
    release = threading.Event()
    evidence = Snapshot.evidence

    def held(self: Snapshot, blog: Any, flt: Any = None) -> Any:
        release.wait(10)
        return evidence(self, blog, flt)

    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main.view_snapshot is not None)
        snapshots = reads.snapshots
        Snapshot.evidence = held  # type: ignore[method-assign]
        try:
            await pilot.press("o")
            await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
            table: DataTable[Any] = app.screen.query_one(DataTable)
            await until(pilot, lambda: table.row_count > 0)
            first = [str(c) for c in table.get_row_at(0)]
            assert first[:2] == ["spam.example", "6"]  # webmention source, user info, port
            assert first[3:5] == ["…", "…"]  # groups first; the meta read is held
            status = str(app.screen.query_one("#domains-status", Label).render())
            assert "reading checks and Akismet" in status
            assert reads.snapshots == snapshots  # grouped the queue's snapshot
        finally:
            release.set()
            Snapshot.evidence = evidence  # type: ignore[method-assign]
        await until(pilot, lambda: str(table.get_row_at(0)[3]) != "…")
        assert str(table.get_row_at(0)[3]) == "gone:6"
        assert "reading" not in str(app.screen.query_one("#domains-status", Label).render())


async def test_many_domains_arrive_a_screenful_first_and_all_get_filled(tmp_path: Path) -> None:
    specs = [
        PingSpec("pingback", "0", f"http://site{n:03}.example/p", f"S{n}", 1 + n % 3)
        for n in range(250)
    ]
    desk = sqlite_desk(tmp_path, specs)
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main.view_snapshot is not None)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
        table: DataTable[Any] = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 250)
        await until(pilot, lambda: str(table.get_row_at(249)[3]) != "…")
        assert {str(table.get_row_at(n)[3]) for n in range(250)} == {"unchecked:1"}
        table.move_cursor(row=200)
        name = str(table.get_row_at(200)[0])
        await pilot.press("ctrl+r")  # grouped again: the cursor stays on its domain
        await until(pilot, lambda: table.row_count == 250 and table.cursor_row == 200)
        assert str(table.get_row_at(table.cursor_row)[0]) == name


async def test_acting_on_a_domain_skips_pings_that_moved_since_the_snapshot(
    tmp_path: Path,
) -> None:
    desk = sqlite_desk(tmp_path, _flood_specs())
    c = desk.blog.tables.comments
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main.view_snapshot is not None)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
        table: DataTable[Any] = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0)
        assert [str(x) for x in table.get_row_at(0)][:2] == ["spam.example", "6"]
        group = app.screen._groups["spam.example"]  # type: ignore[attr-defined]
        moved = group.ids[0]
        with desk.blog.engine.begin() as conn:  # another moderator approves one meanwhile
            conn.execute(c.update().where(c.c.comment_ID == moved).values(comment_approved="1"))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")

        def statuses() -> dict[int, str]:
            with desk.blog.engine.connect() as conn:
                rows = conn.execute(
                    select(c.c.comment_ID, c.c.comment_approved).where(
                        c.c.comment_ID.in_(group.ids)
                    )
                )
                return {int(i): s for i, s in rows}

        await until(pilot, lambda: list(statuses().values()).count("spam") == 5)
        assert statuses()[moved] == "1"  # not what the moderator saw: left alone


async def test_a_large_view_is_grouped_ahead_once(tmp_path: Path, monkeypatch: Any) -> None:
    import pingdesk.tui.screens.main.reading as reading

    monkeypatch.setattr(reading, "GROUP_AHEAD", 1)  # every view counts as large
    desk = sqlite_desk(tmp_path, _flood_specs())
    made: list[Any] = []
    real_group = Snapshot._group

    def counted(self: Snapshot, flt: Any) -> Any:
        made.append(flt)
        return real_group(self, flt)

    monkeypatch.setattr(Snapshot, "_group", counted)
    app = PingdeskApp(desk, now=NOW, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(made) == 1)  # grouped in the snapshot's worker
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DomainsScreen))
        table: DataTable[Any] = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0)
        assert made == [app.main.filter()]  # the domain view took those groups
