"""Every key and screen, driven with Textual's pilot, on MariaDB and on SQLite.

Each test checks the database afterwards, not only what the screen shows.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.screens.closing import ClosePingsScreen
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.tui.screens.detail import DetailScreen
from pingdesk.tui.screens.help import HelpScreen
from pingdesk.tui.screens.settings import SettingsScreen
from pingdesk.tui.widgets.ping_table import PingTable
from tests.support.tuienv import Env

SIZE = (100, 30)


async def settle(pilot: Pilot[Any], app: PingdeskApp, rounds: int = 6) -> None:
    """Wait until workers, writes and the messages they post are all done."""
    for _ in range(rounds):
        with contextlib.suppress(WorkerCancelled):  # superseded exclusive workers
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.runner.busy and not any(w.is_running for w in app.workers):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return


def messages(app: PingdeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications] + app.status_log


def table(app: PingdeskApp) -> PingTable:
    return app.main.table


async def test_launch_fills_table_and_header(env: Env, make_app: Any) -> None:
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert table(app).ids == env.ids()
        assert table(app).current_id == env.ids()[0]
        header = app.main.header
        assert header.counts is not None
        assert header.counts.total("pending") == len(env.ids())
        assert header.info is not None and header.info.home == env.site.home
        # Visible rows were fetched: no placeholder left on screen.
        top, bottom = table(app).visible_range()
        assert all(table(app).row(i) is not None for i in table(app).ids[top:bottom])


async def test_approve_acts_and_advances(env: Env, make_app: Any) -> None:
    ids = env.ids()
    first, second = ids[0], ids[1]
    post = env.post_of(first)
    before = env.comment_count(post)
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a")
        # Act and advance: the next row is under the cursor at once.
        assert table(app).current_id == second
        await settle(pilot, app)
        assert env.status(first) == "1"
        assert env.comment_count(post) == before + 1
        assert first not in table(app).ids
        assert any("Approved 1 ping" in m and "z undoes" in m for m in messages(app))
        # z undoes it: back to pending, and back in the table.
        await pilot.press("z")
        await settle(pilot, app)
        assert env.status(first) == "0"
        assert env.comment_count(post) == before
        assert first in table(app).ids
        assert any(m.startswith("Undid") for m in messages(app))


async def test_spam_trash_unapprove(env: Env, make_app: Any) -> None:
    ids = env.ids()
    approved = env.ids("approved")
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        assert env.status(ids[0]) == "spam"
        assert env.meta(ids[0]).get("_wp_trash_meta_status") == "0"
        await pilot.press("d")  # trash in the Pending view, no question asked
        await settle(pilot, app)
        assert env.status(ids[1]) == "trash"
        assert env.meta(ids[1]).get("_wp_trash_meta_status") == "0"
        # u in Pending does not apply: nothing written, the row stays.
        await pilot.press("u")
        await settle(pilot, app)
        assert env.status(ids[2]) == "0"
        assert table(app).current_id == ids[2]
        assert any("does not apply" in m for m in messages(app))
        await pilot.press("2")
        await settle(pilot, app)
        assert table(app).ids == approved
        await pilot.press("u")
        await settle(pilot, app)
        assert env.status(approved[0]) == "0"


async def test_spam_view_z_and_delete_with_confirm(env: Env, make_app: Any) -> None:
    spam = env.ids("spam")
    assert len(spam) >= 2
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        assert table(app).ids == spam
        await pilot.press("z")  # not spam
        await settle(pilot, app)
        assert env.status(spam[0]) in ("0", "1")
        assert "_wp_trash_meta_status" not in env.meta(spam[0])
        await pilot.press("d")  # delete permanently: asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot, app)
        assert env.status(spam[1]) == "spam"
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert env.status(spam[1]) is None
        assert any("Deleted permanently" in m for m in messages(app))
        # ctrl+z brings the deleted row back from the journal, meta included.
        await pilot.press("ctrl+z")
        await settle(pilot, app)
        assert env.status(spam[1]) == "spam"
        assert env.meta(spam[1]).get("_wp_trash_meta_status") is not None


async def test_trash_view_restore(env: Env, make_app: Any) -> None:
    trash = env.ids("trash")
    assert trash
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "tab", "tab")
        await settle(pilot, app)
        assert app.main.view == "trash"
        assert table(app).ids == trash
        await pilot.press("z")
        await settle(pilot, app)
        assert env.status(trash[0]) in ("0", "1")


async def test_marks_and_bulk_actions(env: Env, make_app: Any) -> None:
    ids = env.ids()
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "space")  # mark two, moving down
        assert table(app).marked == {ids[0], ids[1]}
        assert table(app).current_id == ids[2]
        await pilot.press("A")  # approving is not destructive: no question
        await settle(pilot, app)
        assert env.status(ids[0]) == "1" and env.status(ids[1]) == "1"
        assert table(app).marked == set()
        rest = env.ids()
        await pilot.press("X")
        assert table(app).marked == set(rest)
        await pilot.press("escape")
        assert table(app).marked == set()
        await pilot.press("X", "T")  # destructive, more than one row: asks
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, app)
        assert all(env.status(i) == "trash" for i in rest)
        assert table(app).ids == []
        assert env.ids() == []
        # Shift+Z in Trash restores the marked ones.
        await pilot.press("4")
        await settle(pilot, app)
        first = table(app).current_id
        assert first is not None
        await pilot.press("x", "Z")
        await settle(pilot, app)
        assert env.status(first) in ("0", "1")
        assert first not in table(app).ids


async def test_mark_by_pattern(env: Env, make_app: Any) -> None:
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        row = table(app).row(table(app).current_id or 0)
        assert row is not None
        domain = row.ping.domain
        await pilot.press("m", "d")
        await settle(pilot, app)
        assert table(app).marked == set(env.ids(domain=domain))
        await pilot.press("m", "n", "m", "s")
        await settle(pilot, app)
        assert table(app).marked == set(env.ids(self_only=True))
        await pilot.press("S")
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
        await settle(pilot, app)
        assert env.ids(self_only=True) == []


async def test_filter_terms(env: Env, make_app: Any) -> None:
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        row = table(app).row(table(app).current_id or 0)
        assert row is not None
        await pilot.press("slash")
        await pilot.press(*f"domain:{row.ping.domain}")
        await pilot.press("enter")
        await settle(pilot, app)
        assert table(app).ids == env.ids(domain=row.ping.domain)
        assert app.main.header.query_text == f"domain:{row.ping.domain}"
        await pilot.press("slash", "ctrl+u", *"type:trackback", "enter")
        await settle(pilot, app)
        assert table(app).ids == env.ids(kind="trackback")
        await pilot.press("slash", "ctrl+u", *"self", "enter")
        await settle(pilot, app)
        assert table(app).ids == env.ids(self_only=True)
        await pilot.press("slash", "ctrl+u", *"post:abc", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "FilterScreen"  # error shown, stays open
        await pilot.press("ctrl+u", "enter")  # empty: no filter
        await settle(pilot, app)
        assert table(app).ids == env.ids()


async def test_navigation_keys(env: Env, make_app: Any) -> None:
    ids = env.ids()
    app = make_app(env.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        t = table(app)
        await pilot.press("j", "j", "down")
        assert t.current_id == ids[3]
        await pilot.press("k", "up")
        assert t.current_id == ids[1]
        await pilot.press("G")
        await settle(pilot, app)
        assert t.current_id == ids[-1]
        assert t.row(ids[-1]) is not None  # fetched after the jump
        await pilot.press("g")
        assert t.current_id == ids[0]
        await pilot.press("pagedown")
        assert t.cursor > 3


async def test_detail_help_palette_quit(env: Env, make_app: Any) -> None:
    app = make_app(env.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        pid = table(app).current_id
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, DetailScreen)
        body = str(app.screen.query_one("#detail-full").render())
        assert f"#{pid}" in body
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"close pings", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ClosePingsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_close_pings_screen_and_undo(env: Env, make_app: Any) -> None:
    p = env.tables.posts
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ClosePingsScreen)
        await pilot.press("ctrl+u")  # age: empty means any age
        await pilot.pause(0.4)
        await settle(pilot, app)
        from pingdesk.wp.posts import PostFilter

        flt = PostFilter(post_types=("post",), post_statuses=("publish",))
        expected = env.desk.count_posts(flt, close=True)
        assert expected > 0
        label = str(screen.query_one("#close-count").render())
        assert f"{expected:,} post" in label
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, app)
        assert env.desk.count_posts(flt, close=True) == 0
        with env.engine.connect() as conn:
            closed = conn.execute(
                select(p.c.ID).where(p.c.ping_status == "closed", p.c.post_type == "post")
            ).all()
        assert len(closed) >= expected
        await pilot.press("ctrl+z")
        await settle(pilot, app)
        assert env.desk.count_posts(flt, close=True) == expected


async def test_discussion_settings(env: Env, make_app: Any) -> None:
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        before = env.desk.settings()
        await pilot.press("comma")
        await settle(pilot, app)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("space")  # toggles 'pings on new posts' (focused first)
        await settle(pilot, app)
        after = env.desk.settings()
        assert after.new_posts_pings != before.new_posts_pings
        await pilot.press("tab", "space")
        await settle(pilot, app)
        assert env.desk.settings().send_pingbacks != before.send_pingbacks
        await pilot.press("ctrl+z")
        await settle(pilot, app)
        assert env.desk.settings().send_pingbacks == before.send_pingbacks


async def test_conflict_is_shown_not_hidden(env: Env, make_app: Any) -> None:
    ids = env.ids()
    c = env.tables.comments
    app = make_app(env.desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        # Someone else spams the row under the cursor after we read it.
        with env.engine.begin() as conn:
            conn.execute(update(c).where(c.c.comment_ID == ids[0]).values(comment_approved="spam"))
        await pilot.press("a")
        await settle(pilot, app)
        assert env.status(ids[0]) == "spam"  # not overwritten
        assert any("conflict" in m and f"#{ids[0]} is now spam" in m for m in messages(app))


async def test_refresh_keeps_cursor_on_its_row(env: Env, make_app: Any) -> None:
    ids = env.ids()
    app = make_app(env.desk, refresh_interval=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j")
        here = table(app).current_id
        assert here == ids[2]
        # A new ping arrives, through WordPress itself on MariaDB.
        new_id = _new_pending_ping(env)
        await pilot.pause(0.6)
        await settle(pilot, app)
        assert new_id in table(app).ids
        assert table(app).current_id == here
        new2 = _new_pending_ping(env)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert new2 in table(app).ids
        assert table(app).current_id == here


_ARRIVALS = iter(range(1, 1000))


def _new_pending_ping(env: Env) -> int:
    from datetime import UTC, datetime

    n = next(_ARRIVALS)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    spec = {
        "post": env.post_of(env.ids()[0]),
        "type": "pingback",
        "author": "Fresh arrival",
        "author_url": f"http://fresh.example/new-{n}",
        "content": f"[...] fresh {n} [...]",
        "ip": "192.0.2.77",
        "agent": "WordPress/6.4",
        "date": now,
        "date_gmt": now,
        "approved": "0",
    }
    if env.backend == "mariadb":
        return int(env.site.php1({"cmd": "new_comments", "comments": [spec]})[0])
    from sqlalchemy import insert

    c = env.tables.comments
    with env.engine.begin() as conn:
        res = conn.execute(
            insert(c).values(
                comment_post_ID=spec["post"],
                comment_author=spec["author"],
                comment_author_url=spec["author_url"],
                comment_author_IP=spec["ip"],
                comment_date=datetime.strptime(now, "%Y-%m-%d %H:%M:%S"),
                comment_date_gmt=datetime.strptime(now, "%Y-%m-%d %H:%M:%S"),
                comment_content=spec["content"],
                comment_approved="0",
                comment_agent=spec["agent"],
                comment_type="pingback",
            )
        )
        return int(res.inserted_primary_key[0])


async def test_long_action_progress_cancel_and_responsive(env: Env, make_app: Any) -> None:
    import pingdesk.tui.screens.main.moderating as main_mod

    ids = env.ids()
    real_act = env.desk.act
    started = asyncio.Event()

    def slow_act(
        action: str, seen: Any, *, progress: Any = None, should_stop: Any = None, **kw: Any
    ) -> Any:
        # One row per chunk, with a pause: long enough to press keys meanwhile.
        import time

        from pingdesk.wp.moderation import ModerationResult

        total = ModerationResult(action, requested=len(seen))
        items = list(seen.items())
        for n, (i, s) in enumerate(items):
            if should_stop():
                total.cancelled = True
                break
            r = real_act(action, {i: s})
            total.changed += r.changed
            total.conflicts += r.conflicts
            progress(n + 1, len(items))
            time.sleep(0.15)
        return total

    env.desk.act = slow_act  # type: ignore[method-assign]
    old = main_mod.LONG_ACTION
    main_mod.LONG_ACTION = 2
    try:
        app = make_app(env.desk)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("X", "A")
            await pilot.pause(0.5)
            panel = app.main.query_one("#progress")
            assert panel.has_class("-active")
            before = table(app).cursor
            await pilot.press("j")  # the UI answers while the write runs
            assert table(app).cursor == before + 1
            await pilot.press("escape")
            await settle(pilot, app, rounds=40)
            assert not panel.has_class("-active")
            approved = [i for i in ids if env.status(i) == "1"]
            assert 0 < len(approved) < len(ids)
            assert any("cancelled" in m for m in messages(app))
            del started
    finally:
        main_mod.LONG_ACTION = old


HOSTILE = "[/bold] [link=http://evil.test]x[/link] \x1b]52;c;aGk=\x07 \u202eevil\u202c [b]"


def _add_hostile(env: Env, big: bool = False) -> int:
    from pingdesk.tui.views import MAX_DETAIL
    from tests.support.blogdata import PingSpec, add_pings

    content = "\x1b[31mred\x1b[0m [/oops] \u200bzero\u200bwidth שלום 👍🏽 مرحبا "
    if big:
        # WordPress's comment_content is TEXT (64 KB) on MariaDB; SQLite takes 10 MB.
        content += "x" * (10 * 1024 * 1024 if env.backend == "sqlite" else 60_000)
    post = env.post_of(env.ids()[0])
    spec = PingSpec(
        "pingback", "0", "http://hostile.example/\u202ex", HOSTILE, post, content=content
    )
    with env.engine.begin() as conn:
        (pid,) = add_pings(conn, env.tables, [spec])
    assert MAX_DETAIL < len(content) or not big
    return pid


def _screen_text(app: PingdeskApp) -> str:
    t = table(app)
    lines = [t.render_line(y).text for y in range(t.size.height)]
    return "\n".join(lines)


async def test_hostile_text_is_shown_literally(env: Env, make_app: Any) -> None:
    import time

    pid = _add_hostile(env, big=True)
    app = make_app(env.desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert table(app).current_id == pid  # the newest ping
        await pilot.pause(0.3)
        await settle(pilot, app)
        text = _screen_text(app)
        assert "[/bold] [link=" in text  # literally, not as markup
        for bad in ("\x1b", "\x07", "\u202e", "\u202c", "\u200b"):
            assert bad not in text
        assert "\\x1b]52" in text or "\\x1b" in _screen_text(app) or "…" in text
        pane = str(app.main.query_one("#detail").query_one("Static").render())
        assert "[/oops]" in pane and "\\x1b[31m" in pane
        for bad in ("\x1b", "\x07", "\u202e", "\u200b"):
            assert bad not in pane
        # The 10 MB content opens in the full detail without freezing the UI.
        start = time.monotonic()
        await pilot.press("enter")
        await settle(pilot, app)
        assert time.monotonic() - start < 5
        full = str(app.screen.query_one("#detail-full").render())
        assert "characters in all" in full
        assert "\x1b" not in full
        await pilot.press("escape")
        # Moderating it works like any other row.
        await pilot.press("s")
        await settle(pilot, app)
        assert env.status(pid) == "spam"


class FakeCheck:
    """A verification Column stand-in: results in memory, calls recorded."""

    key = "check"
    header = "SOURCE"
    width = 9
    values_word = "check"

    def __init__(self) -> None:
        self.results: dict[int, str] = {}
        self.calls: list[list[int]] = []

    def values(self, desk: Any, pings: Any) -> dict[int, str]:
        return {p.id: self.results[p.id] for p in pings if p.id in self.results}

    def details(self, desk: Any, ping: Any) -> list[str]:
        return [f"Source check: {self.results.get(ping.id, 'never')}"]

    def run(self, desk: Any, ids: Any, *, progress: Any = None, should_stop: Any = None) -> str:
        self.calls.append(list(ids))
        for n, i in enumerate(ids):
            self.results[i] = "no-link" if n % 2 else "linked"
            if progress:
                progress(n + 1, len(ids))
        return f"{len(ids)} checked"


async def test_verify_keys_and_column(env: Env, make_app: Any) -> None:
    from pingdesk.tui.columns.base import Columns

    ids = env.ids()
    fake = FakeCheck()
    app = make_app(env.desk, columns=Columns(verify=fake))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("v")
        await settle(pilot, app)
        assert fake.calls == [[ids[0]]]
        assert "linked" in _screen_text(app)
        assert any("1 checked" in m for m in messages(app))
        await pilot.press("x", "x", "x", "v")
        await settle(pilot, app)
        assert fake.calls[-1] == ids[:3]  # v takes the marked pings when there are some
        row = table(app).row(ids[1])
        assert row is not None and row.extras.get("check") == "no-link"
        await pilot.press("V")
        await settle(pilot, app)
        assert fake.calls[-1] == ids  # V: the whole view
        # Without the service, v does nothing and is not in the footer.
    app2 = make_app(env.desk)
    async with app2.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app2)
        assert "v" not in app2.screen.active_bindings
