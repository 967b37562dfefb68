"""What the CLI prints: every format, --fields, tables in terminal cells, output that the
terminal's encoding cannot hold, and `list` streaming every match a keyset page at a time."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wcwidth import width as cells

from pingdesk.cli.main import main
from tests.support.cli import run
from tests.support.wpbed import seed_pings

# A ping title a moderator in Tokyo, Paris or on a phone would send: wide CJK characters,
# emoji (one a ZWJ sequence), combining marks (e + U+0301), long enough to need cutting.
WIDE_TITLE = "東京のブログ 🍣🍜 Café\u0301 naïve 👩\u200d💻 " + "長い題名" * 12


def newest_pending(db: str) -> int:
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        (cid,) = conn.execute(
            "SELECT comment_ID FROM wp_comments WHERE comment_approved = '0' "
            "AND comment_type = 'pingback' ORDER BY comment_date_gmt DESC LIMIT 1"
        ).fetchone()
    return int(cid)


def retitle(db: str, ping_id: int, title: str) -> None:
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        conn.execute(
            "UPDATE wp_comments SET comment_author = ? WHERE comment_ID = ?", (title, ping_id)
        )


# -- formats ----------------------------------------------------------------------------


def test_every_format_gives_the_same_pings(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "list", "--format", "json")
    assert code == 0
    records = json.loads(out)
    ids = [r["id"] for r in records]
    assert out.startswith("[\n  {\n") and out.endswith("}\n]\n")  # json.dump(indent=2)'s text

    _, out, _ = run(capsys, "--db", db, "list", "--format", "jsonl")
    assert [json.loads(line) for line in out.splitlines()] == records

    _, out, _ = run(capsys, "--db", db, "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(records[0])  # the header: the JSON fields, in order
    assert [int(r["id"]) for r in rows] == ids
    assert "\x1b" not in out and "\u202e" not in out  # hostile titles escaped, as in tables
    plain = [(r["author"], j["author"]) for r, j in zip(rows, records, strict=True)]
    assert any(a == b and not a.isascii() for a, b in plain)  # others as they are

    _, out, _ = run(capsys, "--db", db, "list", "--format", "ids")
    assert [int(i) for i in out.split()] == ids

    _, out, _ = run(capsys, "--db", db, "list", "--format", "count")
    assert out == f"{len(ids)}\n"

    _, out, _ = run(capsys, "--db", db, "list", "--format", "table")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "TYPE", "STATUS"]
    assert [int(line.split()[0]) for line in lines[1:]] == ids

    # --json stays --format json.
    assert run(capsys, "--db", db, "list", "--json")[1] == json.dumps(records, indent=2) + "\n"


def test_list_returns_every_match_by_default(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--db", db, "counts", "--json")
    pending = sum(json.loads(out)["pending"].values())
    assert pending > 50  # the old default cut the list at 50
    code, out, _ = run(capsys, "--db", db, "list", "--json")
    assert code == 0 and len(json.loads(out)) == pending
    _, out, _ = run(capsys, "--db", db, "list", "--limit", "7", "--format", "jsonl")
    assert len(out.splitlines()) == 7
    _, out, _ = run(capsys, "--db", db, "list", "--limit", "0", "--format", "count")
    assert out == f"{pending}\n"
    code, _, err = run(capsys, "--db", db, "list", "--limit", "-3")
    assert code == 2 and "0 means all" in err


def test_fields_choose_and_order_columns(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "list", "--format", "jsonl", "--fields", "status,id,age")
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert list(first) == ["status", "id", "age"] and first["status"] == "pending"
    _, out, _ = run(capsys, "--db", db, "list", "--format", "csv", "--fields", "id,domain")
    assert out.splitlines()[0] == "id,domain"
    _, out, _ = run(capsys, "--db", db, "list", "--fields", "id,domain,check", "--limit", "2")
    assert out.splitlines()[0].split() == ["ID", "DOMAIN", "CHECK"]
    # show: one record; JSON is the object itself, the table a FIELD  VALUE list.
    pid = newest_pending(db)
    _, out, _ = run(capsys, "--db", db, "show", str(pid), "--json", "--fields", "id,status")
    assert json.loads(out) == {"id": pid, "status": "pending"}
    _, out, _ = run(capsys, "--db", db, "show", str(pid), "--fields", "id,status")
    assert out.split() == ["ID", str(pid), "STATUS", "pending"]


def test_unknown_field_is_a_usage_error_naming_the_valid_ones(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", db, "list", "--fields", "id,titel")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "titel" in err and "post_title" in err and "domain" in err
    code, _, err = run(capsys, "--db", db, "counts", "--format", "ids")
    assert code == 2 and "'ids'" in err and "count" in err  # counts have no ids


def test_counts_history_and_sites_take_formats(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--db", db, "counts", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["status"] for r in rows] == ["pending", "approved", "spam", "trash"]
    assert all(int(r["total"]) == sum(int(r[k]) for k in ("pingback", "trackback", "webmention"))
               for r in rows)  # fmt: skip
    pid = newest_pending(db)
    assert run(capsys, "--db", db, "approve", str(pid))[0] == 0
    code, out, _ = run(capsys, "--db", db, "history", "--format", "jsonl", "--fields", "id,action")
    assert code == 0 and json.loads(out.splitlines()[0])["action"] == "approve"
    _, out, _ = run(capsys, "--db", db, "history", "--format", "ids")
    assert len(out.split()) == 1
    code, out, _ = run(capsys, "--db", db, "sites", "--format", "count")
    assert code == 0 and out == "0\n"


# -- tables in terminal cells -------------------------------------------------------------


def test_wide_titles_are_cut_to_the_terminal_in_cells(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = newest_pending(db)
    retitle(db, pid, WIDE_TITLE)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--db", db, "list", "--status", "all")
    assert code == 0
    lines = out.splitlines()
    assert all(cells(line) <= 80 for line in lines), max(lines, key=cells)
    row = next(line for line in lines if line.startswith(f"{pid} "))
    title = row.split()[4]
    assert title.startswith("東京の") and row.count("…") >= 1  # there, cut with …
    assert "長い題名" * 12 not in row
    # Columns stay aligned in cells: every row's TYPE starts where the header's does.
    at = lines[0].index("TYPE")
    assert all(cells(line[: line.index(line.split()[1])]) == at for line in lines[1:4])
    # Wider terminal, more of the title; nothing is cut when stdout is a pipe and COLUMNS
    # is not set (a script wants whole values).
    monkeypatch.delenv("COLUMNS")
    _, out, _ = run(capsys, "--db", db, "list", "--status", "all")
    assert WIDE_TITLE.strip() in out


def test_a_terminal_narrower_than_the_headers_still_gets_no_wrapped_row(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    retitle(db, newest_pending(db), WIDE_TITLE)
    monkeypatch.setenv("COLUMNS", "30")
    _, out, _ = run(capsys, "--db", db, "list")
    assert out and all(cells(line) <= 30 for line in out.splitlines())


def test_output_the_encoding_cannot_hold_is_escaped(db: str, tmp_path: Path) -> None:
    pid = newest_pending(db)
    retitle(db, pid, WIDE_TITLE)
    env = {
        **os.environ,
        "PYTHONIOENCODING": "ascii",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "100",
    }
    for argv in (["list"], ["show", str(pid)], ["list", "--format", "csv"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pingdesk", "--db", db, *argv],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
        out = proc.stdout.decode("ascii")  # nothing but ASCII reached the stream
        assert "\\u6771\\u4eac" in out  # 東京, escaped
    # A table printed in ASCII is cut with "..." and still fits in cells.
    proc = subprocess.run(
        [sys.executable, "-m", "pingdesk", "--db", db, "list"],
        capture_output=True,
        env={**env, "COLUMNS": "80"},
        timeout=60,
        check=False,
    )
    lines = proc.stdout.decode("ascii").splitlines()
    assert all(len(line) <= 80 for line in lines) and any("..." in line for line in lines)


# -- streaming ----------------------------------------------------------------------------


def test_list_prints_rows_before_the_last_page_is_read(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 10 on the demo's 84 pending pings: the first rows must be out while later
    pages are still unread, and no more than a couple of pages are ever held."""
    from pingdesk.services.desk import Desk

    events: list[str] = []
    real_pages = Desk.pages

    def small_pages(self: Desk, *args: Any, **kw: Any) -> Any:
        kw["size"] = 10
        for i, page in enumerate(real_pages(self, *args, **kw)):
            events.append(f"page {i}")
            yield page

    monkeypatch.setattr(Desk, "pages", small_pages)

    class Watched(io.StringIO):
        def write(self, text: str) -> int:
            if text.strip():
                events.append("write")
            return super().write(text)

    out = Watched()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["--db", db, "list", "--format", "jsonl"]) == 0
    pages = [e for e in events if e.startswith("page")]
    assert len(pages) == 9 and len(out.getvalue().splitlines()) == 84
    first_write = events.index("write")
    read_before = sum(1 for e in events[:first_write] if e.startswith("page"))
    assert read_before <= 3, events  # one page printed, at most two read ahead


# -- keyset pages on MariaDB ----------------------------------------------------------------


@pytest.mark.mariadb
@pytest.mark.wordpress
def test_keyset_pages_on_mariadb_are_the_rows_of_one_query(
    wp_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from pingdesk.wp.pings import (
        STATUS_DATE_INDEX,
        PingFilter,
        iter_pages,
        list_pings,
        ping_ids,
        status_date_index,
    )

    site = wp_site()
    seed_pings(site, 5, 120, random.Random(10))
    blog = site.blog()
    try:
        for status in ("pending", "approved", "spam", "all"):
            flt = PingFilter(status=status)
            whole = list_pings(blog, flt, limit=100_000)
            assert whole.next_cursor is None
            for size in (1, 7, 50):
                paged = [p for page in iter_pages(blog, flt, batch=size, brief=True) for p in page]
                assert [p.id for p in paged] == [p.id for p in whole.pings], (status, size)
                # A listing's fields are the full rows' fields.
                assert [p.to_json() for p in paged] == [p.to_json() for p in whole.pings]
            assert ping_ids(blog, flt) == [p.id for p in whole.pings]
        # On WordPress's schema the pages of a status are read from its own index.
        assert status_date_index(blog, PingFilter()) == STATUS_DATE_INDEX
        assert status_date_index(blog, PingFilter(post_id=1)) is None
        assert status_date_index(blog, PingFilter(status="all")) is None
        expected = ping_ids(blog, PingFilter())
    finally:
        blog.engine.dispose()
    code, out, _ = run(capsys, "--db", site.url, "list", "--format", "ids")
    assert code == 0 and [int(i) for i in out.split()] == expected
    code, out, _ = run(capsys, "--db", site.url, "list", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in out.splitlines()] == expected


@settings(max_examples=500)
@given(
    st.dictionaries(
        st.text(),
        st.one_of(
            st.none(), st.booleans(), st.integers(), st.text(), st.lists(st.integers(), max_size=2)
        ),
    )
)
def test_streamed_json_objects_are_json_dumps_text(d: dict[str, Any]) -> None:
    from pingdesk.cli.formats import indented

    assert indented(d) == json.dumps(d, indent=2, ensure_ascii=True, default=str)
