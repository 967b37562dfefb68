"""Reconciliation of an action whose pingdesk died, and undo after it.

The pingdesk that dies is a real process: a fork of the test that opens the blog
like any front end, runs the action and SIGKILLs itself at an exact point of the
protocol — just after WordPress committed a chunk (``Journal.applied`` not called
yet) or just after the journal staged a chunk (WordPress not committed yet). The
blog is WordPress-made (the session's bulk blog) as SQLite, 3,000 pings: 3 chunks.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pingdesk.errors import UsageError
from pingdesk.services.desk import Desk
from pingdesk.store.journal import Journal
from pingdesk.wp.connect import connect, target_from_db
from pingdesk.wp.moderation import moderate
from tests.support.crash import (
    State,
    bulk_blog,
    chunks,
    copy_sqlite,
    journal_rows,
    open_cli_desk,
    read_state,
    recounted,
    statuses_of,
)
from tests.support.wpbed import Bed

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]

N = 3000


@dataclass
class Bench:
    url: str
    journal_path: Path
    ids: list[int]  # the first 3,000 pings: what the actions act on
    others: list[int]  # the rest of the blog's pings
    pre: State

    def desk(self) -> Desk:
        """Open the blog as a front end does: reconciliation runs first."""
        journal = Journal(self.journal_path)
        return open_cli_desk(self.url, journal)


@pytest.fixture
def bench(wp_bed: Bed, tmp_path: Path) -> Iterator[Bench]:
    bulk = bulk_blog(wp_bed, 5000)
    url = copy_sqlite(bulk, tmp_path / "wordpress.sqlite")
    ids = sorted(bulk.ids)
    b = Bench(url, tmp_path / "journal.sqlite3", ids[:N], ids[N:], State({}, (), {}))
    desk = b.desk()
    b.pre = read_state(desk.blog.engine, desk.blog.tables)
    close(desk)
    yield b


def close(desk: Desk) -> None:
    desk.close()
    desk.journal.close()


def die_during(bench: Bench, work: Callable[[Desk], Any], at: str, nth: int) -> None:
    """Run ``work`` in a forked pingdesk that SIGKILLs itself at the ``nth`` call of
    ``Journal.<at>``: 'applied' dies after that chunk's WordPress COMMIT, before the
    journal marks it; 'stage' dies after the journal staged it, before the COMMIT."""

    def child() -> None:
        real = getattr(Journal, at)
        calls = [0]

        def hooked(self: Journal, *a: Any, **kw: Any) -> Any:
            if at == "applied":
                calls[0] += 1
                if calls[0] == nth:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(self, *a, **kw)
            out = real(self, *a, **kw)
            calls[0] += 1
            if calls[0] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return out

        setattr(Journal, at, hooked)
        work(bench.desk())
        os._exit(0)  # it should have died before

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(120)
    assert proc.exitcode == -signal.SIGKILL, f"the pingdesk did not die ({proc.exitcode})"


def spam(bench: Bench) -> Callable[[Desk], Any]:
    return lambda desk: desk.act("spam", bench.ids)


def reports_by_comment(journal: Journal) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = {}
    with journal.reading() as db:
        for cid, verdict, ready in db.execute(
            "SELECT comment_id, verdict, ready FROM outbox ORDER BY id"
        ):
            out.setdefault(int(cid), []).append((str(verdict), int(ready)))
    return out


def pending_action(bench: Bench) -> int:
    with sqlite3.connect(bench.journal_path) as db:
        rows = db.execute("SELECT id FROM actions WHERE state = 'pending'").fetchall()
    assert len(rows) == 1, rows
    return int(rows[0][0])


def staged(bench: Bench) -> tuple[int, int]:
    """(applied, not applied) items in the journal, read as a bystander."""
    with sqlite3.connect(bench.journal_path) as db:
        rows = dict(db.execute("SELECT applied, COUNT(*) FROM items GROUP BY applied").fetchall())
    return int(rows.get(1, 0)), int(rows.get(0, 0))


def assert_restored(desk: Desk, pre: State) -> None:
    now = read_state(desk.blog.engine, desk.blog.tables)
    assert now == pre, "\n".join(pre.diff(now))


# --------------------------------------------------------------------------- settling


@pytest.mark.parametrize("at", ["applied", "stage"])
def test_reconcile_settles_from_the_rows_and_undo_reverses_exactly_those(
    bench: Bench, at: str
) -> None:
    die_during(bench, spam(bench), at, 2)
    aid = pending_action(bench)
    parts = chunks(bench.ids)
    assert staged(bench) == (1000, 1000)  # chunk 1 applied, chunk 2 left staged
    if at == "applied":
        # Chunk 2 committed in WordPress, unmarked. Then, before anyone reconciles, a
        # moderator takes one of its pings out of spam (as wp_unspam_comment does).
        changed = set(parts[0]) | set(parts[1])
        moved = parts[1][17]
        blog = connect(target_from_db(bench.url, bench.journal_path.parent, "wp-admin"))
        try:
            res = moderate(blog, "unspam", {moved: "spam"})  # no journal: not pingdesk's
            assert res.changed == [moved]
        finally:
            blog.engine.dispose()
        applied = changed - {moved}
    else:
        # Chunk 2 staged and never committed: WordPress rolled it back.
        applied = set(parts[0])
    desk = bench.desk()
    try:
        assert [s.action_id for s in desk.settled] == [aid]
        settled = desk.settled[0]
        assert (settled.applied, settled.total) == (len(applied), N)
        assert f"{len(applied):,} of {N:,} applied" in settled.line()
        entry = desk.journal.get(aid)
        assert entry is not None and entry.state == "interrupted"
        assert entry.summary == {"requested": N, "changed": len(applied), "interrupted": True}
        assert desk.journal.unresolved(desk.blog.key) == []

        now = statuses_of(desk.blog.engine, desk.blog.tables, bench.ids)
        assert {i for i, s in now.items() if s == "spam"} == applied
        items, reports = journal_rows(desk.journal, aid)
        assert items == dict.fromkeys(applied, 1)
        assert reports == dict.fromkeys(applied, 1)  # ready; the dropped ones are gone
        assert desk.outbox.count(desk.blog.key) == len(applied)
        assert (
            recounted(desk.blog.engine, desk.blog.tables)
            == read_state(desk.blog.engine, desk.blog.tables).comment_count
        )

        res = desk.undo()
        assert res.undone_id == aid
        assert sorted(res.restored) == sorted(applied) and res.conflicts == []
        assert_restored(desk, bench.pre)
    finally:
        close(desk)


def test_undo_never_skips_the_interrupted_action(bench: Bench) -> None:
    desk = bench.desk()
    trashed = bench.others[:100]
    earlier = desk.act("trash", trashed)
    assert earlier.changed and desk.journal.get(earlier.journal_id or 0).state == "done"  # type: ignore[union-attr]
    close(desk)

    die_during(bench, spam(bench), "applied", 3)
    aid = pending_action(bench)
    desk = bench.desk()
    try:
        assert desk.settled and desk.settled[0].action_id == aid
        first = desk.undo()
        assert first.undone_id == aid and len(first.restored) == 3000
        second = desk.undo()
        assert second.undone_id == earlier.journal_id
        assert_restored(desk, bench.pre)
    finally:
        close(desk)


def test_undo_of_an_older_action_refuses_when_a_later_one_changed_its_rows(
    bench: Bench,
) -> None:
    desk = bench.desk()
    pending = [i for i in bench.ids if bench.pre.status[i] == "0"]
    approved = desk.act("approve", pending)
    older = approved.journal_id
    assert older is not None and len(approved.changed) == len(pending)
    close(desk)

    die_during(bench, spam(bench), "applied", 2)
    later = pending_action(bench)
    desk = bench.desk()
    try:
        with pytest.raises(UsageError) as caught:
            desk.undo(older)
        assert f"#{later}" in caught.value.message
        assert f"cannot undo #{older}" in caught.value.message
        # Nothing was changed by the refusal.
        now = statuses_of(desk.blog.engine, desk.blog.tables, bench.ids)
        assert sum(s == "spam" for s in now.values()) == 2000
        assert desk.undo().undone_id == later
        assert desk.undo(older).undone_id == older
        assert_restored(desk, bench.pre)
    finally:
        close(desk)


@pytest.mark.parametrize("at", ["applied", "stage"])
def test_an_interrupted_undo_is_finished_by_undoing_again(bench: Bench, at: str) -> None:
    desk = bench.desk()
    done = desk.act("spam", bench.ids)
    aid = done.journal_id
    assert aid is not None and len(done.changed) == N
    close(desk)

    die_during(bench, lambda d: d.undo(), at, 2)
    undo1 = pending_action(bench)
    assert staged(bench) == (N + 1000, 1000)  # the spam, the undo's chunk 1, its chunk 2
    parts = chunks(bench.ids)
    first_done = set(parts[0]) | (set(parts[1]) if at == "applied" else set())
    desk = bench.desk()
    try:
        assert [s.action_id for s in desk.settled] == [undo1]
        entry = desk.journal.get(undo1)
        assert entry is not None and entry.state == "interrupted" and entry.undo_of == aid
        assert desk.journal.get(aid).state == "done"  # type: ignore[union-attr]
        now = statuses_of(desk.blog.engine, desk.blog.tables, bench.ids)
        assert {i for i, s in now.items() if s != "spam"} == first_done

        res = desk.undo()
        assert res.undone_id == aid
        assert sorted(res.restored) == sorted(set(bench.ids) - first_done)
        assert res.conflicts == []
        assert desk.journal.get(aid).state == "undone"  # type: ignore[union-attr]
        assert_restored(desk, bench.pre)

        # Every item of the action reversed exactly once, across both undos.
        with desk.journal.reading() as db:
            per_item = db.execute(
                "SELECT i.undoes, COUNT(*) FROM items i JOIN actions a ON a.id = i.action_id"
                " WHERE a.undo_of = ? AND i.applied = 1 GROUP BY i.undoes",
                (aid,),
            ).fetchall()
            unapplied = db.execute(
                "SELECT COUNT(*) FROM items i JOIN actions a ON a.id = i.action_id"
                " WHERE a.undo_of = ? AND i.applied = 0",
                (aid,),
            ).fetchone()[0]
        assert len(per_item) == N and {n for _, n in per_item} == {1}
        assert unapplied == 0
        # Akismet hears spam then ham, once each, for every ping.
        reports = reports_by_comment(desk.journal)
        assert set(reports) == set(bench.ids)
        assert {tuple(v) for v in reports.values()} == {(("spam", 1), ("ham", 1))}
    finally:
        close(desk)
