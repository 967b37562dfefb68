"""The CLI as a script would use it: exit codes, JSON shapes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run


def test_list_json_has_the_stable_fields(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "list", "--limit", "5", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 5
    for r in rows:
        assert {
            "id",
            "post_id",
            "type",
            "status",
            "source_url",
            "domain",
            "author",
            "date_gmt",
            "ip",
            "self",
        } <= set(r)
        assert r["status"] == "pending"


def test_counts_json_is_keyed_by_status_then_type(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "counts", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"pending", "approved", "spam", "trash"}
    assert all(set(v) == {"pingback", "trackback", "webmention"} for v in data.values())


def test_moderate_all_matching_then_undo(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--db", db, "list", "--domain", "casino-bonus-hub.example", "--json", "--limit", "0"
    )
    ids = {r["id"] for r in json.loads(out)}
    assert ids
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "spam",
        "--all-matching",
        "--domain",
        "casino-bonus-hub.example",
        "--dry-run",
        "--json",
    )
    assert code == 0 and set(json.loads(out)["would_change"]) == ids
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "spam",
        "--all-matching",
        "--domain",
        "casino-bonus-hub.example",
        "--json",
    )
    assert code == 0 and set(json.loads(out)["changed"]) == ids
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "list",
        "--status",
        "spam",
        "--domain",
        "casino-bonus-hub.example",
        "--json",
        "--limit",
        "0",
    )
    assert ids <= {r["id"] for r in json.loads(out)}
    code, out, _ = run(capsys, "--db", db, "undo", "--json")
    assert code == 0 and set(json.loads(out)["restored"]) == ids


def test_partial_success_exits_1(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--db", db, "list", "--limit", "1", "--json")
    (row,) = json.loads(out)
    code, out, _ = run(capsys, "--db", db, "approve", str(row["id"]), "999999")
    assert code == 1 and "no ping #999999" in out
    assert "conflict" not in out  # nobody changed it: it never existed


def test_a_ping_that_does_not_exist_is_bad_input(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "approve", "999999", "--json")
    assert code == 2 and json.loads(out)["missing"] == [999999]


def test_no_command_and_no_terminal_says_so_instead_of_hanging(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d")}
    for argv in ([], ["demo"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pingdesk", *argv],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert proc.returncode == 2, proc
        assert proc.stderr.count("\n") == 1 and "terminal" in proc.stderr, proc.stderr


def test_delete_and_restore(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--db", db, "list", "--status", "trash", "--limit", "1", "--json")
    (row,) = json.loads(out)
    assert run(capsys, "--db", db, "delete", str(row["id"]))[0] == 0
    code, _, err = run(capsys, "--db", db, "show", str(row["id"]))
    assert code == 2 and "no ping" in err
    assert run(capsys, "--db", db, "restore", str(row["id"]))[0] == 0
    assert run(capsys, "--db", db, "show", str(row["id"]))[0] == 0


def test_close_pings_dry_run_and_settings(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--db", db, "close-pings", "--older-than", "1y", "--dry-run", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["dry_run"] and data["matched"] > 0 and data["changed"] == 0
    code, out, _ = run(capsys, "--db", db, "settings", "--send-pingbacks", "off", "--json")
    assert code == 0 and json.loads(out)["send_pingbacks"] is False


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--db", "sqlite:///{tmp}/missing.sqlite", "list"], "missing.sqlite"),
        (["--db", "{db}", "--prefix", "wx_", "list"], "wp_"),
        (["--db", "{db}", "--prefix", "wp_;drop", "list"], "prefix"),
        (["--db", "{db}", "list", "--status", "nope"], "invalid value 'nope' for --status"),
        (["--db", "{db}", "approve"], "give ping IDs"),
        (["--db", "{db}", "close-pings", "--older-than", "soon"], "age"),
        (["--wp-config", "{tmp}/nowhere/wp-config.php", "list"], "wp-config.php"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    argv = [a.format(db=db, tmp=tmp_path) for a in argv]
    try:
        code, _out, err = run(capsys, *argv)
    except SystemExit as exc:  # argparse's own usage errors
        code, err = int(exc.code or 0), capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_text_file_posing_as_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / ".ht.sqlite"
    fake.write_text("<?php echo 'not a database';")
    code, _, err = run(capsys, "--db", f"sqlite:///{fake}", "counts")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_console_script_runs_as_a_process(db: str, tmp_path: Path) -> None:
    env = {**os.environ, "PINGDESK_DB": db}
    proc = subprocess.run(
        [sys.executable, "-m", "pingdesk", "list", "--limit", "3", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 3


def test_hostile_text_is_escaped_in_tables(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "list", "--search", "odd-", "--limit", "10")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\u202e" in out or "\\x1b" in out


def test_profile_flag_wins_over_pingdesk_db(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bug the layout issue found: with PINGDESK_DB set, `--profile foo counts` failed
    with "pass either --profile or --db/--wp-config, not both"."""
    from pingdesk.config import Profile, save_profile

    save_profile("foo", Profile(db=db))
    # A database that cannot be reached: if it were used, counts would fail.
    monkeypatch.setenv("PINGDESK_DB", "mysql://x:pw@127.0.0.1:9/elsewhere")
    code, out, err = run(capsys, "--profile", "foo", "counts", "--json")
    assert code == 0, err
    assert set(json.loads(out)) == {"pending", "approved", "spam", "trash"}
    # Without the flag, the variable is used (and its database is unreachable: exit 3).
    code, _, err = run(capsys, "counts")
    assert code == 3 and "unreachable" in err


def test_a_driver_error_is_one_short_line_never_the_sql(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from pingdesk.cli.main import _unexpected

    sql = "UPDATE wp_comments SET comment_approved=%s WHERE comment_ID IN (" + "%s," * 1000 + ")"
    lost = OperationalError(sql, [1] * 1000, Exception(2013, "Lost connection to server"))
    assert _unexpected(lost) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 200 and "UPDATE" not in err
    assert "database is unavailable: 2013 Lost connection to server" in err
    bad = ProgrammingError(sql, [1] * 1000, Exception(1146, "Table 'x.wp_comments' doesn't exist"))
    assert _unexpected(bad) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "UPDATE" not in err and "1146" in err


def test_global_options_anywhere_on_the_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = run(capsys, "--db", db, "counts", "--json")
    after = run(capsys, "counts", "--json", "--db", db)
    assert before[0] == after[0] == 0 and json.loads(before[1]) == json.loads(after[1])
    # Nested subcommands take them too, and the one after the command wins.
    missing = f"sqlite:///{tmp_path / 'nothing.sqlite'}"
    code, out, err = run(capsys, "--db", missing, "history", "--db", db, "--json")
    assert code == 0 and isinstance(json.loads(out), list), err
    code, _, err = run(capsys, "akismet", "status", "--db", missing)
    assert code == 2 and "not found" in err
