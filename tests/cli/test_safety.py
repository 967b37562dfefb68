"""Safety for scripted bulk writes: asking before taking a whole view, delete only from
spam or trash, --dry-run that changes nothing at all, and the demo blog never reaching
for the network."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run as pd


def ids_of(capsys: pytest.CaptureFixture[str], db: str, *filters: str) -> dict[int, str]:
    code, out, err = pd(capsys, "list", "--limit", "0", "--json", "--db", db, *filters)
    assert code == 0, err
    return {r["id"]: r["status"] for r in json.loads(out)}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- --all-matching with no filter -------------------------------------------------------


def test_all_matching_a_whole_view_needs_yes_off_a_terminal(
    db: str, blog_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = ids_of(capsys, db)
    before = digest(blog_file)
    code, out, err = pd(capsys, "trash", "--all-matching", "--db", db)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"trash all {len(pending)} pending pings" in err and "--yes" in err
    assert digest(blog_file) == before  # nothing touched
    # --status is no filter: the whole spam view asks too.
    code, _, err = pd(capsys, "delete", "--all-matching", "--status", "spam", "--db", db)
    assert code == 2 and "delete all 5 spam pings" in err
    # The count is of the pings the action applies to: trash takes pending and approved.
    code, _, err = pd(capsys, "trash", "--all-matching", "--status", "all", "--db", db)
    assert code == 2 and f"trash all {len(pending) + 25} pending or approved pings" in err
    # Nothing it applies to: nothing to ask, nothing done (all skipped: 1).
    code, out, _ = pd(capsys, "approve", "--all-matching", "--status", "approved", "--db", db)
    assert code == 1 and out.startswith("approved 0 pings; 25 skipped: 25 already approved")
    assert digest(blog_file) == before
    # A real filter narrows it: no question.
    code, out, _ = pd(
        capsys, "spam", "--all-matching", "--domain", "casino-bonus-hub.example", "--db", db
    )
    assert code == 0 and out.startswith("marked as spam")
    # --yes: done.
    left = ids_of(capsys, db)
    code, out, _ = pd(capsys, "trash", "--all-matching", "--yes", "--db", db)
    assert code == 0 and out.startswith(f"trashed {len(left)} pings")
    assert ids_of(capsys, db) == {}
    # close-pings with no filter at all is the same kind of write.
    code, _, err = pd(capsys, "close-pings", "--db", db)
    assert code == 2 and "close pings on all" in err and "--yes" in err


def _on_a_terminal(argv: list[str], answer: bytes, env: dict[str, str]) -> tuple[int, str, str]:
    """Run pingdesk with a terminal on stdin and stderr; answer its question."""
    main_fd, tty_fd = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pingdesk", *argv],
        stdin=tty_fd,
        stdout=subprocess.PIPE,
        stderr=tty_fd,
        env=env,
    )
    os.close(tty_fd)
    seen = b""
    while b"[y/N]" not in seen:
        chunk = os.read(main_fd, 1024)
        assert chunk, seen
        seen += chunk
    os.write(main_fd, answer + b"\n")
    out, _ = proc.communicate(timeout=60)
    with contextlib.suppress(OSError):  # the terminal closed with the process
        seen += os.read(main_fd, 4096)
    os.close(main_fd)
    return proc.returncode, out.decode(), seen.decode(errors="replace")


def test_all_matching_a_whole_view_asks_on_a_terminal(
    db: str, blog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = ids_of(capsys, db)
    env = {**os.environ, "PINGDESK_DB": db}
    before = digest(blog_file)
    code, out, term = _on_a_terminal(["trash", "--all-matching"], b"n", env)
    assert f"trash all {len(pending)} pending pings? [y/N]" in term
    assert code == 1 and "nothing changed" in term and out == ""
    assert digest(blog_file) == before
    code, out, term = _on_a_terminal(["trash", "--all-matching"], b"y", env)
    assert code == 0 and out.startswith(f"trashed {len(pending)} pings"), term
    assert ids_of(capsys, db) == {}


# --- delete only from spam or trash ------------------------------------------------------


def test_delete_refuses_a_ping_not_in_spam_or_trash_without_force(
    db: str, blog_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = next(iter(ids_of(capsys, db)))
    trashed = next(iter(ids_of(capsys, db, "--status", "trash")))
    before = digest(blog_file)
    code, out, err = pd(capsys, "delete", str(pending), str(trashed), "--db", db)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"#{pending} is pending" in err and "--force" in err and f"#{trashed}" not in err
    assert digest(blog_file) == before  # refused as a whole: the trashed one stays too
    every_pending = ["--all-matching", "--status", "pending", "--yes"]
    code, out, _ = pd(capsys, "delete", *every_pending, "--db", db)
    assert code == 2 and digest(blog_file) == before
    # From the trash: as wp-admin's Delete Permanently.
    code, out, _ = pd(capsys, "delete", str(trashed), "--db", db)
    assert code == 0 and out.startswith("deleted permanently 1 ping")
    # --force: the moderator insists (journaled; restore brings it back).
    code, out, _ = pd(capsys, "delete", str(pending), "--force", "--db", db)
    assert code == 0 and pending not in ids_of(capsys, db, "--status", "all")
    assert pd(capsys, "restore", str(pending), "--db", db)[0] == 0
    assert ids_of(capsys, db)[pending] == "pending"


# --- --dry-run changes nothing -----------------------------------------------------------


def _journal_entries(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, Any]]:
    code, out, _ = pd(capsys, "history", "--json", "--limit", "1000", "--db", db)
    assert code == 0
    entries: list[dict[str, Any]] = json.loads(out)
    return entries


def test_dry_run_on_every_writing_command_leaves_the_blog_byte_for_byte(
    db: str, blog_file: Path, capsys: pytest.CaptureFixture[str], loopback_only: list[str]
) -> None:
    pending = list(ids_of(capsys, db))
    approved = list(ids_of(capsys, db, "--status", "approved"))
    spam = list(ids_of(capsys, db, "--status", "spam"))
    trash = list(ids_of(capsys, db, "--status", "trash"))
    # Something to undo and something to restore, made before the snapshot.
    assert pd(capsys, "trash", str(pending[0]), "--db", db)[0] == 0
    assert pd(capsys, "delete", str(trash[0]), "--db", db)[0] == 0
    assert pd(capsys, "spam", str(pending[1]), "--db", db)[0] == 0
    before = digest(blog_file)
    journal = _journal_entries(capsys, db)
    loopback_only.clear()  # the spam above reported to the demo's Akismet look-alike

    runs: list[tuple[list[str], str]] = [
        (["approve", str(pending[2])], "would approve 1 ping"),
        (["unapprove", str(approved[0])], "would unapprove 1 ping"),
        (["spam", "--all-matching"], "would mark as spam"),
        (["unspam", str(spam[0])], "would mark as not spam 1 ping"),
        # Spam and trash in the view would be skipped: the dry run exits 1 as the run would.
        (["trash", "--all-matching", "--status", "all"], "would trash"),
        (["untrash", str(trash[1])], "would restore from the trash 1 ping"),
        (["delete", str(trash[1]), str(spam[0])], "would delete permanently 2 pings"),
        (["undo"], "would undo spam"),
        (["restore", str(trash[0])], f"would restore ping #{trash[0]}"),
        (["close-pings"], "would have closed pings on"),
        (["open-pings"], "would have opened pings on"),
        (["settings", "--send-pingbacks", "off", "--new-posts-pings", "closed"], "would change"),
        (["index", "--add"], "would add it"),
        (["verify", "--all-matching"], "would verify"),
        (["akismet", "check", "--all-matching", "--move-spam"], "would ask Akismet about"),
        (["akismet", "retry"], "would send"),
        (["links", "--verify"], "would verify"),
    ]
    for argv, said in runs:
        code, out, err = pd(capsys, *argv, "--dry-run", "--db", db)
        assert code == (1 if "--status" in argv else 0), (argv, err)
        assert said in out + err, (argv, out, err)
        assert digest(blog_file) == before, argv
    assert _journal_entries(capsys, db) == journal  # nor was anything journaled
    assert loopback_only == []  # and nothing went to any network, loopback included


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_dry_run_changes_no_row_of_a_wordpress_made_blog(
    wp_site: Any, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.test_exit_codes import seeded

    site = wp_site()
    ids = seeded(site)
    db = str(site.url)
    before = site.snapshot()
    flag = site.php1({"cmd": "get_option", "name": "default_pingback_flag"})
    for argv in (
        ["approve", "--all-matching"],
        ["trash", str(ids["approved"]), str(ids["pending"])],
        ["delete", "--all-matching", "--status", "trash"],
        ["close-pings"],
        ["settings", "--send-pingbacks", "off"],
    ):
        code, out, err = pd(capsys, *argv, "--dry-run", "--db", db)
        assert code == 0 and "would" in out, (argv, out, err)
        assert site.snapshot() == before, argv
    assert site.php1({"cmd": "get_option", "name": "default_pingback_flag"}) == flag
    code, out, _ = pd(capsys, "trash", str(ids["approved"]), "--db", db)
    assert code == 0 and site.snapshot() != before  # the comparison can tell


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_self_pings_dry_run_writes_no_plugin(
    wp_site: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pingdesk.wp.self_pings import PLUGIN_FILE
    from tests.services.test_self_pings import _wp_config
    from tests.support.wpbed import php

    content = php.make_content_dir(tmp_path / "blog")
    cli = ["--wp-config", str(_wp_config(tmp_path / "wp-config.php", wp_site(), content))]
    plugin = content / "mu-plugins" / PLUGIN_FILE
    code, out, _ = pd(capsys, *cli, "self-pings", "stop", "--dry-run")
    assert code == 0 and f"would write the must-use plugin {plugin}" in out
    assert not plugin.exists()
    assert pd(capsys, *cli, "self-pings", "stop")[0] == 0 and plugin.exists()
    code, out, _ = pd(capsys, *cli, "self-pings", "stop", "--dry-run")
    assert code == 0 and out.startswith("would change nothing")
    code, out, _ = pd(capsys, *cli, "self-pings", "allow", "--dry-run")
    assert code == 0 and f"would remove the must-use plugin {plugin}" in out
    assert plugin.exists()


# --- the demo blog opened with --db ------------------------------------------------------


def test_verify_and_akismet_on_the_demo_blog_use_its_offline_look_alikes(
    blog_file: Path, home: Path, capsys: pytest.CaptureFixture[str], loopback_only: list[str]
) -> None:
    """The demo is known by what it wrote into its database, not by its file name."""
    copy = home / "copied" / "shop-backup.db"
    copy.parent.mkdir()
    shutil.copy(blog_file, copy)
    db = f"sqlite:///{copy}"
    code, out, _ = pd(capsys, "list", "--limit", "0", "--json", "--db", db)
    linked = [r["id"] for r in json.loads(out) if "/src/linked/" in (r["source_url"] or "")]
    assert len(linked) >= 2

    code, out, err = pd(capsys, "verify", *map(str, linked[:3]), "--json", "--db", db)
    assert code == 0, err
    results = {r["ping_id"]: r["result"] for r in json.loads(out)["results"]}
    assert set(results.values()) == {"linked"}, results
    # Stored on the pings, as a real run stores them: never 'unreachable'.
    code, out, _ = pd(capsys, "list", "--check", "linked", "--json", "--db", db)
    assert {r["id"] for r in json.loads(out)} >= set(linked[:3])
    assert pd(capsys, "list", "--check", "unreachable", "--json", "--db", db)[1].strip() == "[]"

    # links --verify re-checks through them as well.
    code, _, err = pd(capsys, "links", "--verify", "--db", db)
    assert code == 0 and "verified 25 sources" in err and "linked" in err, err
    assert "unreachable" not in err

    code, out, err = pd(capsys, "akismet", "check", "--all-matching", "--json", "--db", db)
    assert code in (0, 1), err  # 1: a ping without an IP cannot be sent
    summary = json.loads(out)
    assert summary["spam"] + summary["discard"] > 0 and summary["ham"] > 0
    code, out, _ = pd(capsys, "akismet", "status", "--db", db)
    assert code == 0 and "valid" in out
    # Spam reports go to the look-alike too, none left waiting.
    spam = next(iter(ids_of(capsys, db, "--domain", "casino-bonus-hub.example")))
    code, out, _ = pd(capsys, "spam", str(spam), "--db", db)
    assert code == 0 and "1 reported to Akismet" in out and "waiting" not in out
    # Everything stayed on 127.0.0.1 (the look-alikes' ports).
    assert loopback_only and set(loopback_only) == {"127.0.0.1"}


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_a_wordpress_blog_is_not_taken_for_the_demo(wp_site: Any) -> None:
    from pingdesk.demo.marker import is_demo

    blog = wp_site().blog()
    try:
        assert not is_demo(blog)
    finally:
        blog.engine.dispose()


def test_the_demo_marker_is_an_option_the_demo_writes(blog_file: Path) -> None:
    import sqlite3

    from pingdesk.demo.marker import MARKER_OPTION

    with sqlite3.connect(blog_file) as conn:
        (value,) = conn.execute(
            "SELECT option_value FROM wp_options WHERE option_name = ?", (MARKER_OPTION,)
        ).fetchone()
    assert value == "1"
