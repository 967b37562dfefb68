"""Smoke test: the real `pingdesk demo` command in a real terminal (tmux, 80x24).

Keys go in with send-keys, the screen comes back with capture-pane, and the
demo database is checked afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

# .ci/test installs tmux; a machine without it fails here rather than skipping the check.
assert shutil.which("tmux"), "tmux is not installed (apt-get install tmux)"


def _capture(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=True
    ).stdout


def _wait_for(session: str, pattern: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if re.search(pattern, screen):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} never appeared; the screen was:\n{screen}")


def _alive(session: str) -> bool:
    return (
        subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0
    )


@pytest.mark.parametrize(
    "term,extra",
    [("xterm-256color", {}), ("xterm", {"NO_COLOR": "1"})],
    ids=["256-colours", "16-colours-NO_COLOR"],
)
def test_demo_in_tmux(tmp_path: Path, term: str, extra: dict[str, str]) -> None:
    session = f"pd-smoke-{uuid.uuid4().hex[:8]}"
    env = {
        **extra,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": term,
        "PATH": os.environ.get("PATH", ""),
    }
    cmd = " ".join(
        [
            "env",
            *(f"{k}={v}" for k, v in env.items()),
            sys.executable,
            "-m",
            "pingdesk",
            "demo",
        ]
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd], check=True
    )
    try:
        screen = _wait_for(session, r"1 Pending \d+")
        assert "a Approve" in screen  # footer hints fit at 80 columns
        # Every visible row filled in (no placeholders left).
        screen = _wait_for(session, r"(?m)^ date +\d{4}-")
        # The cursor row is marked by a character, readable without any colour.
        assert re.search(r"^>  (PB|TB|WM) ", screen, re.M), screen
        pending = int(re.search(r"1 Pending (\d+)", screen).group(1))  # type: ignore[union-attr]
        subprocess.run(["tmux", "send-keys", "-t", session, "j", "a"], check=True)
        screen = _wait_for(session, r"Approved 1 ping \(#\d+\)")
        approved_id = int(re.search(r"Approved 1 ping \(#(\d+)\)", screen).group(1))  # type: ignore[union-attr]
        _wait_for(session, rf"1 Pending {pending - 1}\b")
        # Help, then back, then the Spam view.
        subprocess.run(["tmux", "send-keys", "-t", session, "?"], check=True)
        _wait_for(session, r"Moderate the ping under the cursor")
        subprocess.run(["tmux", "send-keys", "-t", session, "Escape"], check=True)
        time.sleep(0.3)
        subprocess.run(["tmux", "send-keys", "-t", session, "3"], check=True)
        _wait_for(session, r"z Not spam")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while _alive(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(session), "q did not quit"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    db = tmp_path / "data" / "pingdesk" / "demo" / "wordpress.sqlite"
    assert db.exists()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        names = [
            r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
        comments = next(n for n in names if n.endswith("comments") and "meta" not in n)
        status = conn.execute(
            text(f"SELECT comment_approved FROM {comments} WHERE comment_ID = :i"),
            {"i": approved_id},
        ).scalar_one()
    engine.dispose()
    assert status == "1"
