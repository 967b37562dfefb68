"""The Posts screen: ping status, pings received, trackbacks waiting; open/close pings,
send a trackback (to a receiver on 127.0.0.1), and a post's pings in the queue."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select
from textual.widgets import DataTable

from pingdesk.net.safety import Allowlist
from pingdesk.services.verify import VerifySettings
from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.columns.base import Columns
from pingdesk.tui.columns.verify import VerifyColumn
from pingdesk.tui.screens.ask import AskScreen
from pingdesk.tui.screens.posts import PostsScreen
from tests.support.blogdata import NOW, sqlite_desk
from tests.support.tuienv import until


class _Receiver:
    """A trackback endpoint on 127.0.0.1 that keeps what it was sent."""

    def __init__(self) -> None:
        got: list[dict[str, list[str]]] = []
        self.got = got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append(parse_qs(body.decode()))
                answer = b'<?xml version="1.0"?><response><error>0</error></response>'
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tb/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def _row(table: DataTable[Any], key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def test_posts_screen_shows_changes_and_sends(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path)
    columns = Columns(verify=VerifyColumn(VerifySettings(allow=Allowlist.parse(["127.0.0.1"]))))
    app = PingdeskApp(desk, now=NOW, refresh_interval=None, columns=columns)
    receiver = _Receiver()
    posts = desk.blog.tables.posts
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PostsScreen))
        screen = app.screen
        table: DataTable[Any] = screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 3)
        # Post 2: pending trackback + pingback, an approved trackback (spam/trash not counted).
        assert _row(table, "2")[1:4] == ["Second post", "open", "1·2·0"]

        table.move_cursor(row=table.get_row_index("2"))
        await pilot.press("c")
        await until(pilot, lambda: _row(table, "2")[2] == "closed")
        with desk.blog.engine.connect() as conn:
            status = conn.execute(select(posts.c.ping_status).where(posts.c.ID == 2)).scalar()
        assert status == "closed"

        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await pilot.press(*receiver.url)
        await pilot.press("enter")
        await until(pilot, lambda: receiver.got)
        (sent,) = receiver.got
        assert sent["title"] == ["Second post"] and sent["blog_name"] == ["Test Blog"]
        assert sent["url"][0].endswith("?p=2")

        def pinged() -> str:
            with desk.blog.engine.connect() as conn:
                return str(conn.execute(select(posts.c.pinged).where(posts.c.ID == 2)).scalar())

        await until(pilot, lambda: pinged() == f"\n{receiver.url}")

        await pilot.press("enter")
        await until(pilot, lambda: app.screen is app.main)
        assert app.main.query_.post_id == 2 and app.main.view == "pending"
    receiver.httpd.shutdown()
