"""Browser mode: `pingdesk serve` as a real process, a real headless chromium on it.

The page must show the queue of the blog the global options name, keys must moderate
it (the database changes), hostile text must show as plain text, and with --public no
request passes without the token. Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from pingdesk.services.locate import resolve_target
from pingdesk.textsafe import clean
from pingdesk.tui.web.loopback import is_loopback
from pingdesk.wp.connect import connect
from tests.support.blogdata import PingSpec, build_blog
from tests.support.served import CHROMIUM, group_members, open_tab, serving, user_env
from tests.support.wpbed import WPSite

# .ci/test installs chromium; a machine without it fails here rather than skipping.
assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing (apt-get install chromium)"

KNOWN = "Alpha links here"
# Rich markup and terminal escapes (SGR, clear screen, set title): all must show literally.
HOSTILE = "[bold red]Evil[/bold red] \x1b[2J\x1b]0;pwned\x07 end"
WS_HANDSHAKE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Debian's chromium, never a browser Playwright would download.
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def sqlite_blog(tmp_path: Path) -> tuple[list[str], str]:
    """A SQLite blog whose newest pending pings are KNOWN, then HOSTILE."""
    url = f"sqlite:///{tmp_path / 'blog.sqlite'}"
    engine = create_engine(url)
    h = timedelta(hours=1)
    build_blog(
        engine,
        [
            PingSpec("pingback", "0", "http://alpha.example/post-1", KNOWN, age=1 * h),
            PingSpec("trackback", "0", "http://evil.example/t", HOSTILE, age=2 * h),
            PingSpec("pingback", "0", "http://gamma.example/g", "Gamma", age=3 * h),
            PingSpec("pingback", "1", "http://delta.example/ok", "Delta approved", age=9 * h),
        ],
    )
    engine.dispose()
    return ["--db", url], url


def wordpress_blog(site: WPSite) -> tuple[list[str], str]:
    """The same pings made by WordPress (wp_new_comment) in MariaDB."""
    (post,) = site.php1({"cmd": "create_posts", "n": 1})
    now = datetime.utcnow()

    def ping(author: str, url: str, hours: int, kind: str = "pingback") -> dict[str, Any]:
        when = f"{now - timedelta(hours=hours):%Y-%m-%d %H:%M:%S}"
        return {
            "post": post,
            "type": kind,
            "author": author,
            "author_url": url,
            "content": "[&#8230;] a link to your post [&#8230;]",
            "ip": "203.0.113.9",
            "agent": "WordPress/6.4; http://example.net",
            "date": when,
            "date_gmt": when,
            "approved": "0",
        }

    site.php1(
        {
            "cmd": "new_comments",
            "comments": [
                ping(KNOWN, "http://alpha.example/post-1", 1),
                ping(HOSTILE, "http://evil.example/t", 2, "trackback"),
                ping("Gamma", "http://gamma.example/g", 3),
            ],
        }
    )
    return ["--db", site.url, "--prefix", site.prefix], site.url


@pytest.fixture(params=["sqlite", "mariadb"])
def blog(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], str]:
    """(global options naming the blog, its database URL)."""
    if request.param == "sqlite":
        return sqlite_blog(tmp_path)
    make_site: Callable[..., WPSite] = request.getfixturevalue("wp_site")
    return wordpress_blog(make_site())


def stored(db: str) -> dict[str, tuple[int, str]]:
    """author -> (comment ID, comment_approved), read from the database itself."""
    target = resolve_target(db=db, env={})
    wp = connect(target)
    c = wp.tables.comments.c
    try:
        with wp.engine.connect() as conn:
            rows = conn.execute(select(c.comment_author, c.comment_ID, c.comment_approved))
            return {r[0]: (int(r[1]), str(r[2])) for r in rows}
    finally:
        wp.engine.dispose()


def approved_soon(db: str, author: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stored(db)[author][1] == "1":
            return True
        time.sleep(0.1)
    return False


def test_the_queue_in_a_browser_moderates_the_blog_and_shows_hostile_text_as_text(
    tmp_path: Path, browser: Any, blog: tuple[list[str], str]
) -> None:
    options, db = blog
    before = stored(db)
    hostile = next(a for a in before if "[bold red]" in a)  # as WordPress stored it
    with serving(tmp_path, *options, "serve") as served:
        assert f"Open http://127.0.0.1:{served.port}/" in served.output()
        tab = open_tab(browser, served.base + "/", served.base)
        screen = tab.wait_for(re.escape(KNOWN))
        screen = tab.wait_for(r"1 Pending 3\b")
        # The markup and the escapes arrive as the characters they are.
        assert clean(hostile) in screen, screen
        assert "[bold red]Evil[/bold red]" in screen
        # WordPress strips control characters from names; the SQLite blog keeps them.
        for escape in ("\x1b[2J", "\x1b]0;pwned\x07"):
            assert escape in hostile or db.startswith("mysql"), hostile
            assert escape not in hostile or clean(escape) in screen
        # The cursor starts on the newest ping: `a` approves it, in the database.
        assert re.search(rf"^>.*{re.escape(KNOWN)}", screen, re.M), screen
        tab.press("a")
        tab.wait_for(r"Approved 1 ping")
        assert approved_soon(db, KNOWN)
        after = stored(db)
        assert after[hostile] == before[hostile]  # only the ping under the cursor
        tab.wait_for(r"1 Pending 2\b")
        tab.page.close()


def test_public_needs_the_token_for_every_request_and_the_page_works_with_it(
    tmp_path: Path, browser: Any
) -> None:
    options, db = sqlite_blog(tmp_path)
    # --public on 127.0.0.1: the token rules of a public server, bound only here.
    with serving(tmp_path, *options, "serve", "--public") as served:
        token = served.wait_for(r"\?token=([\w-]+)").group(1)
        assert len(token) >= 32
        base = served.base
        ws = base + "/ws?width=80&height=24"
        with httpx.Client(timeout=10) as http:
            for url in (base + "/", base + "/static/js/textual.js", ws):
                assert http.get(url).status_code == 403, url
            # One character off (not 'x' for an 'x': 1 token in 64 ends with one).
            off = token[:-1] + ("y" if token.endswith("x") else "x")
            assert http.get(base + "/?token=" + off).status_code == 403
            assert http.get(ws, headers=WS_HANDSHAKE).status_code == 403
            assert http.get(ws + "&token=nope", headers=WS_HANDSHAKE).status_code == 403
            # The right token: the page, and a cookie for its own requests.
            page = http.get(f"{base}/?token={token}")
            assert page.status_code == 200
            cookie = page.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
            assert http.get(base + "/static/js/textual.js").status_code == 200  # by cookie
        wrong = {cookie.split("=", 1)[0]: "x" * len(token)}
        with httpx.Client(timeout=10, cookies=wrong) as stranger:
            assert stranger.get(base + "/static/css/xterm.css").status_code == 403
        # In the browser: only the page URL has the token; script, styles and websocket
        # pass by the cookie, and the queue shows.
        tab = open_tab(browser, f"{base}/?token={token}", base)
        tab.wait_for(re.escape(KNOWN))
        tab.press("a")
        assert approved_soon(db, KNOWN)
        tab.page.close()


def test_loopback_answers_only_loopback_names_and_its_own_pages(tmp_path: Path) -> None:
    """No token on loopback (an ssh tunnel), so: a page of another site may not open
    the websocket, and a DNS name rebound to 127.0.0.1 is not answered."""
    options, _ = sqlite_blog(tmp_path)
    with serving(tmp_path, *options, "serve") as served:
        base = served.base
        with httpx.Client(timeout=10) as http:
            assert http.get(base + "/").status_code == 200
            # Through `ssh -L 9000:127.0.0.1:PORT` the browser says localhost:9000: the
            # page's websocket must go back there, not to the port bound here.
            tunnelled = http.get(base + "/", headers={"Host": "localhost:9000"})
            assert tunnelled.is_success
            assert 'data-session-websocket-url="ws://localhost:9000/ws"' in tunnelled.text
            rebound = {"Host": f"evil.example:{served.port}"}
            assert http.get(base + "/", headers=rebound).status_code == 403
            ws = base + "/ws?width=80&height=24"
            other_site = WS_HANDSHAKE | {"Origin": "http://evil.example"}
            assert http.get(ws, headers=other_site).status_code == 403
            other_port = WS_HANDSHAKE | {"Origin": "http://127.0.0.1:1"}
            assert http.get(ws, headers=other_port).status_code == 403
            # The page's own origin gets the websocket (101 Switching Protocols).
            own = WS_HANDSHAKE | {"Origin": base}
            with http.stream("GET", ws, headers=own) as switched:
                assert switched.status_code == 101


def test_token_on_loopback_asks_for_it_there_too(tmp_path: Path) -> None:
    options, _ = sqlite_blog(tmp_path)
    with serving(tmp_path, *options, "serve", "--token") as served:
        token = served.wait_for(r"Open http://127\.0\.0\.1:\d+/\?token=([\w-]+)").group(1)
        with httpx.Client(timeout=10) as http:
            assert http.get(served.base + "/").status_code == 403
            assert http.get(f"{served.base}/?token={token}").status_code == 200


def test_demo_is_served_too_and_stopping_the_server_ends_open_tabs(
    tmp_path: Path, browser: Any
) -> None:
    with serving(tmp_path, "serve", "--demo") as served:
        assert "demo blog" in served.output()
        tab = open_tab(browser, served.base + "/", served.base)
        tab.wait_for(r"\(pingdesk demo\)")
        tab.wait_for(r"1 Pending \d+")
        # The tab's own pingdesk, a child of the server in its process group, is
        # still running when the server is told to stop (serving() then waits for the
        # whole group to end, or fails).
        tabs = [c for c in group_members(served.proc.pid) if c.endswith("-m pingdesk demo")]
        assert len(tabs) == 1, group_members(served.proc.pid)
    tab.page.close()
    assert (tmp_path / "data" / "pingdesk" / "demo" / "wordpress.sqlite").exists()


def test_serve_help_and_a_refused_host_load_no_web_server(tmp_path: Path) -> None:
    """textual-serve and aiohttp load when the server starts, not for --help or for a
    --host refused before anything runs."""
    probe = (
        "import json, sys\n"
        "from pingdesk.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    for argv in (["serve", "--help"], ["serve", "--host", "0.0.0.0"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            capture_output=True,
            text=True,
            env=user_env(tmp_path),
            timeout=60,
        )
        modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
        heavy = {"textual_serve", "aiohttp", "textual", "rich", "sqlalchemy"}
        assert not modules & heavy, (argv, modules & heavy)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "blog.example"])
def test_a_host_others_can_reach_needs_public(tmp_path: Path, host: str) -> None:
    options, _ = sqlite_blog(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pingdesk", *options, "serve", "--host", host],
        capture_output=True,
        text=True,
        env=user_env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 2
    assert "--public" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""  # nothing served, no URL printed


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import socket

    options, _ = sqlite_blog(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "pingdesk", *options, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=user_env(tmp_path),
            timeout=60,
        )
    assert done.returncode == 2, done
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_blog_that_cannot_be_opened_fails_before_serving(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pingdesk", "--db", "sqlite:///nowhere/x.sqlite", "serve"],
        capture_output=True,
        text=True,
        env=user_env(tmp_path),
        timeout=60,
    )
    assert done.returncode in (2, 3), done
    assert done.stderr.startswith("pingdesk: ") and "Open http" not in done.stdout


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.10", "blog.example", "localhost.evil.example"):
        assert not is_loopback(host), host


def test_only_a_driver_textual_was_given_stands_in_for_a_terminal(tmp_path: Path) -> None:
    """Each tab's pingdesk has pipes for stdin and stdout and TEXTUAL_DRIVER set by
    textual-serve; without that variable, no terminal still means no UI (cron)."""
    options, _ = sqlite_blog(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pingdesk", *options],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={k: v for k, v in user_env(tmp_path).items() if k != "TEXTUAL_DRIVER"},
        timeout=60,
    )
    assert done.returncode == 2
    assert "no terminal" in done.stderr
