"""The documented exit codes, each shown true, and the one-line messages that go with them.

0 done; 1 partly done; 2 bad input or configuration; 3 the database is unavailable;
4 a remote service the command needed (Akismet) is unavailable; 70 a bug.
On a WordPress-made MariaDB blog (the installer's own tables) and on the demo blog.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.support.akismet_fake import FakeAkismet
from tests.support.cli import run as pd

KEY = "a1b2c3d4e5f6"


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("pingdesk: ") and "Traceback" not in err


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seeded(site: Any) -> dict[str, int]:
    """Pings made by WordPress's wp_new_comment in each status, by name."""
    (post,) = site.php1({"cmd": "create_posts", "n": 1})
    names = ["approved", "pending", "pending2", "spam", "trash"]
    status = {"approved": "1", "pending": "0", "pending2": "0", "spam": "spam", "trash": "trash"}
    specs = [
        {
            "post": post,
            "type": "pingback",
            "author": f"Source {n}",
            "author_url": f"https://src{i}.example.com/post/",
            "ip": f"198.51.100.{i + 1}",
            "content": f"[&#8230;] a ping {n} [&#8230;]",
            "approved": status[n],
        }
        for i, n in enumerate(names)
    ]
    ids = site.php1({"cmd": "new_comments", "comments": specs})
    return dict(zip(names, (int(i) for i in ids), strict=True))


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_exit_codes_on_a_wordpress_made_blog(
    wp_site: Any, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = wp_site()
    ids = seeded(site)
    db = str(site.url)

    # 0 done.
    code, out, _ = pd(capsys, "approve", str(ids["pending"]), "--db", db)
    assert code == 0 and out.startswith("approved 1 ping"), out
    # 1 partly done: a ping already approved is skipped, in WordPress's words.
    code, out, _ = pd(capsys, "approve", str(ids["approved"]), "--db", db)
    assert code == 1 and f"#{ids['approved']} is already approved" in out
    assert "'1'" not in out and "status" not in out
    code, out, _ = pd(capsys, "untrash", str(ids["spam"]), "--db", db)
    assert code == 1 and f"#{ids['spam']} is not in the trash (it is spam)" in out
    # Some ids exist, some do not: partly done (1); none exists: bad input (2), one line.
    code, out, _ = pd(capsys, "approve", str(ids["pending2"]), "99999", "--db", db)
    assert code == 1 and "no ping #99999" in out and "conflict" not in out
    code, out, err = pd(capsys, "approve", "99999", "--db", db)
    assert code == 2 and out == "" and one_line(err) and "no ping #99999" in err

    # 2: a wrong prefix, named in the message with the one that exists.
    code, _, err = pd(capsys, "counts", "--db", db, "--prefix", "wx_")
    assert code == 2 and one_line(err) and "wx_" in err and "wp_" in err

    # 2: a wrong password (a user made for this test); the right one works.
    user = f"pd_pw_{secrets.token_hex(4)}"
    with site.engine.begin() as conn:
        conn.execute(text(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'right-pw'"))
        conn.execute(text(f"GRANT ALL ON `{site.db}`.* TO '{user}'@'%'"))
    try:
        base = f"mysql://{user}:{{pw}}@127.0.0.1:{db.split('@127.0.0.1:')[1]}"
        code, out, err = pd(capsys, "counts", "--json", "--db", base.format(pw="right-pw"))
        assert code == 0, err
        code, _, err = pd(capsys, "counts", "--db", base.format(pw="wrong-pw"))
        assert code == 2 and one_line(err) and "access denied" in err
    finally:
        with site.engine.begin() as conn:
            conn.execute(text(f"DROP USER '{user}'@'%'"))

    # 3: a port nothing listens on — worth retrying.
    gone = f"mysql://root@127.0.0.1:{free_port()}/{site.db}"
    code, _, err = pd(capsys, "counts", "--db", gone)
    assert code == 3 and one_line(err) and "unreachable" in err
    code, _, err = pd(capsys, "approve", str(ids["pending2"]), "--db", gone)
    assert code == 3 and one_line(err)


def test_a_typo_is_usage_and_exit_2_as_a_process(demo_db: str, home: Path) -> None:
    env = {**os.environ, "PINGDESK_DB": demo_db}
    for argv in (["lst"], ["approve", "1", "--dry-rn"], ["list", "--status", "pendign"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pingdesk", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_a_blog_locked_past_the_wait_is_3(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = demo_db.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than the wait
    try:
        started = time.monotonic()
        code, _, err = pd(capsys, "counts", "--db", demo_db)
        assert time.monotonic() - started >= 4  # it waited for the lock first
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 3 and one_line(err) and "locked" in err
    assert pd(capsys, "counts", "--db", demo_db)[0] == 0  # and a retry works


@pytest.mark.parametrize("age", ["999999d", "999999y", "99999999999999d"])
def test_an_age_beyond_the_calendar_is_a_usage_error(
    demo_db: str, capsys: pytest.CaptureFixture[str], age: str
) -> None:
    code, out, err = pd(capsys, "close-pings", "--older-than", age, "--dry-run", "--db", demo_db)
    assert code == 2 and out == "" and one_line(err) and age in err


def test_an_unexpected_error_is_a_bug_not_bad_input(
    demo_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pingdesk.cli import pings

    def broken(_args: object) -> int:
        raise RuntimeError("something pingdesk did not foresee")

    monkeypatch.setattr(pings, "cmd_counts", broken)
    code, _, err = pd(capsys, "counts", "--db", demo_db)
    assert code == 70 and one_line(err) and "RuntimeError" in err and "bug" in err


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_akismet_unavailable_is_4_and_a_missing_key_is_2(
    wp_site: Any, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = wp_site()
    ids = seeded(site)
    db = str(site.url)
    pending = str(ids["pending"])

    # No key anywhere: configuration (2).
    code, out, _ = pd(capsys, "akismet", "status", "--db", db)
    assert code == 2 and "no Akismet API key" in out
    site.php1({"cmd": "set_option", "name": "wordpress_api_key", "value": KEY})

    # An endpoint on 127.0.0.1 that refuses connections.
    monkeypatch.setenv("PINGDESK_AKISMET_ENDPOINT", f"http://127.0.0.1:{free_port()}/1.1/")
    code, _, err = pd(capsys, "akismet", "check", pending, "--db", db)
    assert code == 4 and one_line(err) and "could not be reached" in err
    code, out, _ = pd(capsys, "akismet", "status", "--db", db)
    assert code == 4 and "could not be reached" in out
    # The status change does not need Akismet: done (0), its report waits...
    code, out, _ = pd(capsys, "spam", pending, "--db", db)
    assert code == 0 and "1 Akismet report(s) waiting" in out
    # ... and sending it does: 4.
    code, out, _ = pd(capsys, "akismet", "retry", "--db", db)
    assert code == 4 and "1 still waiting" in out

    # An endpoint that hangs: the timeout (1 s here) makes it unavailable too.
    config = home / "config" / "pingdesk"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("[akismet]\ntimeout = 1.0\n")
    with FakeAkismet(valid_keys=(KEY,)) as fake:
        fake.mode = "hang"
        monkeypatch.setenv("PINGDESK_AKISMET_ENDPOINT", fake.url + "/1.1/")
        started = time.monotonic()
        code, _, err = pd(capsys, "akismet", "check", str(ids["pending2"]), "--db", db)
        assert code == 4 and one_line(err)
        assert time.monotonic() - started < 30
        # Akismet answering again: the waiting report goes out, done.
        fake.release()
        fake.mode = "ok"
        code, out, _ = pd(capsys, "akismet", "retry", "--db", db)
        assert code == 0 and "sent 1" in out


def test_a_long_id_list_gets_a_summary_and_json_has_every_id(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = pd(capsys, "list", "--status", "all", "--limit", "0", "--json", "--db", demo_db)
    statuses = {r["id"]: r["status"] for r in json.loads(out)}
    n = 20_000
    ids = [str(i) for i in range(1, n + 1)]
    code, out, err = pd(capsys, "approve", *ids, "--db", demo_db)
    assert code == 1, err
    pending = sum(1 for s in statuses.values() if s == "pending")
    approved = sum(1 for s in statuses.values() if s == "approved")
    missing = n - len(statuses)
    head = out.splitlines()[0]
    assert head.startswith(f"approved {pending:,} pings (undo: pingdesk undo); ")
    assert f"{approved:,} already approved" in head and f"{missing:,} no such ping" in head
    # A summary, not a line per id: a handful of lines naming at most ~10 ids.
    assert len(out.splitlines()) <= 8 and len(out) < 1000
    assert out.count("#") <= 12

    code, out, _ = pd(capsys, "trash", *ids, "--format", "json", "--db", demo_db)
    data = json.loads(out)
    outcomes = {o["id"]: o for o in data["outcomes"]}
    assert code == 1 and len(outcomes) == n
    assert outcomes[n]["outcome"] == "missing" and outcomes[n]["message"] == f"no ping #{n}"
    some_spam = next(i for i, s in statuses.items() if s == "spam")
    assert outcomes[some_spam]["outcome"] == "skipped"
    assert outcomes[some_spam]["message"].startswith(f"#{some_spam} is spam")
    changed = [o for o in data["outcomes"] if o["outcome"] == "changed"]
    # Every ping the approve left approved (it approved the pending ones) is now trashed.
    assert len(changed) == pending + approved and all(o["to"] == "trash" for o in changed)
    assert {o["from"] for o in changed} == {"approved"}


def test_the_database_lost_anywhere_is_3_and_a_network_failure_is_4(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Failures no handler caught: the connection dropped (however the driver says it) is
    worth retrying like an unreachable server; so is a remote service's network failure."""
    import httpx
    from sqlalchemy.exc import InterfaceError, OperationalError

    from pingdesk.cli.main import _unexpected

    sql = "SELECT comment_ID FROM wp_comments WHERE comment_ID IN (" + "%s," * 500 + ")"
    for lost in (
        OperationalError(sql, [1] * 500, Exception(2013, "Lost connection to server")),
        InterfaceError(sql, [1] * 500, Exception(0, "")),
    ):
        assert _unexpected(lost) == 3
        err = capsys.readouterr().err
        assert one_line(err) and "database is unavailable" in err and "SELECT" not in err
    assert _unexpected(httpx.ConnectError("[Errno 111] Connection refused")) == 4
    err = capsys.readouterr().err
    assert one_line(err) and "Connection refused" in err
