"""Several blogs as one queue from the command line: ``--profile a,b,c`` and
``--all-profiles``; a blog that cannot be reached is named, not waited on."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pingdesk.cli.main import main
from pingdesk.demo import blog as demo
from pingdesk.services.locate import OPEN_WAIT


@pytest.fixture
def profiles(home: Path) -> dict[str, Path]:
    blogs = {name: demo.build(home / f"{name}.sqlite") for name in ("north", "south")}
    for name, path in blogs.items():
        assert main(["profile", "add", name, "--db", f"sqlite:///{path}"]) == 0
    # Nothing listens on port 9 of this machine: refused at once.
    assert main(["profile", "add", "down", "--db", "mysql://u@127.0.0.1:9/x", "--no-check"]) == 0
    return blogs


def _pending(path: Path, author_like: str = "%") -> dict[int, str]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT comment_ID, comment_approved FROM wp_comments "
                "WHERE comment_type IN ('pingback','trackback') AND comment_author LIKE :a"
            ),
            {"a": author_like},
        ).all()
    engine.dispose()
    return {int(i): str(s) for i, s in rows}


def test_profiles_as_one_queue(
    profiles: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--profile", "north,south", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["site"] for r in rows} == {"north", "south"}
    one = len([r for r in rows if r["site"] == "north"])
    assert one and len(rows) == 2 * one  # the same demo blog twice

    # An unreachable blog is named on stderr; the others are listed all the same.
    assert main(["--all-profiles", "counts", "--format", "json"]) == 0
    out = capsys.readouterr()
    counts = json.loads(out.out)
    by_site = {s["site"]: s for s in counts["sites"]}
    assert set(by_site) == {"down", "north", "south"}
    assert "error" in by_site["down"] and by_site["north"]["pending"] == one
    assert counts["pending"]["pingback"] + counts["pending"]["trackback"] <= 2 * one
    assert "down" in out.err

    # SITE:ID acts on that blog only.
    target = next(r for r in rows if r["site"] == "south")
    before_north = _pending(profiles["north"])
    assert main(["--profile", "north,south", "spam", f"south:{target['id']}"]) == 0
    assert _pending(profiles["south"])[target["id"]] == "spam"
    assert _pending(profiles["north"]) == before_north
    assert main(["--profile", "north,south", "undo"]) == 0
    assert _pending(profiles["south"])[target["id"]] == "0"
    # A bare id names no blog in particular.
    assert main(["--profile", "north,south", "spam", str(target["id"])]) == 2
    assert "SITE:ID" in capsys.readouterr().err
    # --network is about one network's sites, not several profiles.
    assert main(["--profile", "north,south", "--network", "list"]) == 2
    capsys.readouterr()
    # Commands about one blog's posts, settings or sources refuse, before connecting.
    for command in (["verify", "1"], ["close-pings", "--all"], ["links"], ["akismet", "status"]):
        assert main(["--all-profiles", *command]) == 2, command
        assert "works on one blog" in capsys.readouterr().err, command


def test_a_blog_that_never_answers_does_not_hold_up_the_others(
    profiles: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # A port that takes the connection and never says a word (as a host behind a
    # firewall that swallows packets): the driver would wait its whole timeout (10 s).
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        port = silent.getsockname()[1]
        url = f"mysql://u@127.0.0.1:{port}/x"
        assert main(["profile", "add", "silent", "--db", url, "--no-check"]) == 0
        capsys.readouterr()
        started = time.monotonic()
        assert main(["--profile", "north,silent", "counts", "--format", "json"]) == 0
        took = time.monotonic() - started
        out = capsys.readouterr()
        by_site = {s["site"]: s for s in json.loads(out.out)["sites"]}
        assert by_site["north"]["pending"] > 0
        assert "no answer within" in by_site["silent"]["error"]
        assert "silent" in out.err
        assert took < OPEN_WAIT + 4, took
    finally:
        silent.close()
