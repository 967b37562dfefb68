"""Invoking pingdesk: help, did-you-mean with the right usage, an unwritable HOME.

The completion scripts have their own file (test_completion.py), run in the shells.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pingdesk.cli.main import build_parser
from pingdesk.cli.parser import subcommands
from pingdesk.demo import blog as demo
from tests.support.cli import run

# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("topic", [[], ["list"], ["akismet"], ["akismet", "check"], ["help"]])
def test_help_prints_what_dash_dash_help_prints(
    capsys: pytest.CaptureFixture[str], topic: list[str]
) -> None:
    code, out, err = run(capsys, "help", *topic)
    assert (code, err) == (0, "")
    _, expected, _ = run(capsys, *topic, "--help")
    assert out == expected
    assert out.startswith(f"usage: {' '.join(['pingdesk', *topic])} ")


def test_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for name in subcommands(build_parser()):
        assert f"    {name} " in text or f"    {name}\n" in text, name


@pytest.mark.parametrize(
    ("topic", "line"),
    [
        (["lsit"], "pingdesk: unknown command 'lsit'; did you mean 'list'?"),
        (
            ["akismet", "chek"],
            "pingdesk: unknown command 'chek' for `pingdesk akismet`; did you mean 'check'?",
        ),
        (
            ["list", "more"],
            "pingdesk: `pingdesk list` has no subcommands; `pingdesk help` lists them",
        ),
    ],
)
def test_help_on_an_unknown_command_suggests_one(
    capsys: pytest.CaptureFixture[str], topic: list[str], line: str
) -> None:
    code, out, err = run(capsys, "help", *topic)
    assert (code, out, err) == (2, "", line + "\n")


# --------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    ("argv", "message", "usage"),
    [
        (
            ["lsit"],
            "unknown command 'lsit'; did you mean 'list'?",
            "usage: pingdesk [options] COMMAND ...",
        ),
        (
            ["list", "--stauts", "pending"],
            "unknown option --stauts for `pingdesk list`; did you mean --status?",
            "usage: pingdesk list [options]",
        ),
        (
            ["list", "--stauts=pending"],
            "unknown option --stauts for `pingdesk list`; did you mean --status?",
            "usage: pingdesk list [options]",
        ),
        (
            ["list", "--status", "pendng"],
            "invalid value 'pendng' for --status; did you mean 'pending'? "
            "(choose from pending, approved, spam, trash, all)",
            "usage: pingdesk list [options]",
        ),
        (
            ["approve", "3", "--dryrun"],
            "unknown option --dryrun for `pingdesk approve`; did you mean --dry-run?",
            "usage: pingdesk approve [options] [ID ...]",
        ),
        (
            ["akismet", "chek"],
            "unknown command 'chek' for `pingdesk akismet`; did you mean 'check'?",
            "usage: pingdesk akismet [options] ACTION ...",
        ),
        (
            ["akismet", "check", "--move-spma"],
            "unknown option --move-spma for `pingdesk akismet check`; did you mean --move-spam?",
            "usage: pingdesk akismet check [options] [ID ...]",
        ),
        (
            ["--porfile", "blog", "counts"],
            "unknown option --porfile for `pingdesk`; did you mean --profile?",
            "usage: pingdesk [options] COMMAND ...",
        ),
        (
            ["counts", "--zzzzzz"],
            "unknown option --zzzzzz for `pingdesk counts`",
            "usage: pingdesk counts [options]",
        ),
        (
            ["counts", "extra"],
            "unexpected argument 'extra' for `pingdesk counts`",
            "usage: pingdesk counts [options]",
        ),
        (
            ["completion", "tcsh"],
            "invalid value 'tcsh' for SHELL (choose from bash, zsh, fish)",
            "usage: pingdesk completion [options] [SHELL]",
        ),
    ],
)
def test_a_typo_gets_a_suggestion_and_the_usage_of_its_command(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str, usage: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    first, second = err.splitlines()
    assert first == f"pingdesk: {message}"
    # The usage of the command the typo was made in, on one line, and where the rest is.
    assert second.startswith(usage + "  (all of it: `pingdesk help"), second


def test_typos_never_reach_the_database(tmp_path: Path) -> None:
    """As a process: no traceback, exit 2, nothing but the two lines (no blog is opened:
    the database named does not even exist)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pingdesk", "list", "--db", "sqlite:////nonexistent/x", "--stauts"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "pingdesk: unknown option --stauts for `pingdesk list`; did you mean --status?",
        "usage: pingdesk list [options]  (all of it: `pingdesk help list`)",
    ]


def test_help_and_completion_do_not_read_config_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pingdesk").mkdir()
    (tmp_path / "pingdesk" / "config.toml").write_text("this is [not toml\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert run(capsys, "help", "list")[0] == 0
    assert run(capsys, "completion", "bash")[0] == 0
    # completing --profile says nothing at all rather than an error on the command line
    assert run(capsys, "completion", "--profiles") == (0, "", "")
    code, _, err = run(capsys, "counts")
    assert code == 2 and "config.toml:1: invalid TOML" in err


# --------------------------------------------------------------------------- unwritable HOME


def pingdesk_under(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """pingdesk with HOME somewhere that can never be created (its parent is a regular
    file, which even root cannot make a folder in) and no XDG_* variables."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "PYTHONPATH": ":".join(p for p in sys.path if p),
    }
    return subprocess.run(
        [sys.executable, "-m", "pingdesk", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture
def no_home(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("a regular file\n")
    return tmp_path / "file" / "home"


@pytest.mark.parametrize(
    "argv",
    [
        ["counts", "--json"],
        ["list", "--json", "--limit", "0"],
        ["show", "48", "--json"],
        ["history", "--json"],
        ["sites"],
        ["settings"],
        ["help", "list"],
        ["completion", "fish"],
        ["--version"],
    ],
)
def test_read_only_commands_work_with_an_unwritable_home(
    tmp_path: Path, no_home: Path, argv: list[str]
) -> None:
    db = f"sqlite:///{demo.build(tmp_path / 'blog.sqlite')}"
    proc = pingdesk_under(no_home, "--db", db, *argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    if "--json" in argv:
        json.loads(proc.stdout)


def test_a_write_with_an_unwritable_home_names_the_journal_and_changes_nothing(
    tmp_path: Path, no_home: Path
) -> None:
    db = f"sqlite:///{demo.build(tmp_path / 'blog.sqlite')}"
    proc = pingdesk_under(no_home, "approve", "48", "--db", db)
    journal = no_home / ".local" / "share" / "pingdesk" / "journal.sqlite3"
    assert proc.returncode == 2
    assert proc.stderr == (
        f"pingdesk: cannot write pingdesk's journal {journal}: Not a directory; nothing was "
        "changed; set XDG_DATA_HOME to a writable folder to move it ($XDG_DATA_HOME/pingdesk)\n"
    )
    shown = json.loads(pingdesk_under(no_home, "show", "48", "--json", "--db", db).stdout)
    assert shown["status"] == "pending"
    # Pointing XDG_DATA_HOME elsewhere, as the message says, makes it work.
    env_db = ["--db", db]
    moved = subprocess.run(
        [sys.executable, "-m", "pingdesk", "approve", "48", *env_db],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(no_home),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "PYTHONPATH": ":".join(p for p in sys.path if p),
        },
    )
    assert moved.returncode == 0, moved.stderr
    assert (tmp_path / "data" / "pingdesk" / "journal.sqlite3").is_file()


def test_demo_with_an_unwritable_home_says_where_it_would_write(no_home: Path) -> None:
    proc = pingdesk_under(no_home, "demo", "--no-ui")
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        f"pingdesk: cannot write pingdesk's data folder {no_home}/.local/share/pingdesk: "
    )
    assert "XDG_DATA_HOME" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_read_only_journal_leaves_interrupted_actions_for_a_pingdesk_that_can_write(
    tmp_path: Path,
) -> None:
    """Settling an action cut short writes the journal: a command that only reads goes on
    without (saying so once), and the next one that can write settles it."""
    from pingdesk.services.locate import resolve_target
    from pingdesk.store.journal import Journal
    from pingdesk.wp.connect import connect

    db = f"sqlite:///{demo.build(tmp_path / 'blog.sqlite')}"
    blog = connect(resolve_target(db=db, env={}))
    key = blog.key
    blog.engine.dispose()
    path = tmp_path / "data" / "pingdesk" / "journal.sqlite3"
    journal = Journal(path)
    action = journal.begin(key, "spam", total=3)
    with journal.transaction() as sql:  # its pingdesk ran on this host before this boot
        sql.execute(
            "UPDATE actions SET owner = ? WHERE id = ?",
            (f"{socket.gethostname()}:an-earlier-boot:1:1", action),
        )
    journal.close()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": ":".join(p for p in sys.path if p),
    }

    def counts() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pingdesk", "--db", db, "counts", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    subprocess.run(["chattr", "+i", str(path)], check=True)  # root writes through 0444
    try:
        proc = counts()
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)
    assert proc.stderr == (
        f"pingdesk: 1 interrupted action(s) on this blog wait to be settled: the journal "
        f"{path} cannot be written (Operation not permitted)\n"
    )
    proc = counts()
    assert proc.returncode == 0
    assert proc.stderr.startswith(f"pingdesk: settled action #{action} (spam)")


@pytest.mark.parametrize(
    "argv",
    [["help"], ["help", "akismet", "check"], ["completion", "zsh"], ["completion", "--profiles"]],
)
def test_help_and_completion_load_no_database_network_or_ui(
    tmp_path: Path, argv: list[str]
) -> None:
    from tests.cli.test_import_hygiene import HEAVY, loaded

    code, modules = loaded(tmp_path, *argv)
    assert code == 0
    assert not modules & {*HEAVY, "sqlalchemy", "pymysql", "asyncio"}
