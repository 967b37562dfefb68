"""The journal's protocol and the Akismet outbox, unit by unit.

stage → (WordPress commits) → applied: reports are staged with their change and sent
only once it is applied; an action whose pingdesk is gone is reconciliation's work, a
live one's never; a journal that cannot be written stops an action before WordPress
changes anything; senders claim reports with a lease, one report to one sender.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pingdesk.errors import EXIT_DB_UNAVAILABLE
from pingdesk.store import journal as journal_mod
from pingdesk.store.journal import (
    Journal,
    JournalUnavailable,
    NewItem,
    NewReport,
    _boot_id,
    owner_alive,
    this_owner,
)
from pingdesk.store.outbox import Outbox
from pingdesk.wp.akismet_meta import Trail
from pingdesk.wp.akismet_payload import site_info
from pingdesk.wp.blog import Blog
from pingdesk.wp.connect import connect, target_from_db
from pingdesk.wp.moderation import Reporting, moderate
from tests.support.crash import BulkBlog, bulk_blog, read_state, statuses_of
from tests.support.wpbed import Bed
from tests.support.wpbed.snapshot import take

BLOG = "test-blog"


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def _item(cid: int, before: str = "0", after: str = "spam") -> NewItem:
    return NewItem("comment", cid, {"status": before, "post_id": 1}, {"status": after})


def _report(n: int, cid: int, verdict: str = "spam") -> NewReport:
    return NewReport(
        n, cid, verdict, "http://blog.test", "192.0.2.1", {"comment_author": f"a{cid}"}
    )


def _staged(j: Journal, cids: list[int], verdict: str = "spam") -> tuple[int, list[int]]:
    aid = j.begin(BLOG, "spam", total=len(cids))
    ids = j.stage(
        aid,
        BLOG,
        [_item(c) for c in cids],
        [_report(n, c, verdict) for n, c in enumerate(cids)],
    )
    return aid, ids


def _dead_pid() -> int:
    """A pid no process has now (so not ours, nor anyone's)."""
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    for pid in range(pid_max - 1, 1, -1):
        if not Path(f"/proc/{pid}").exists():
            return pid
    raise AssertionError("no free pid")


def _set_owner(j: Journal, action_id: int, owner: str | None) -> None:
    with j.transaction() as db:
        db.execute("UPDATE actions SET owner = ? WHERE id = ?", (owner, action_id))


# --------------------------------------------------------------------------- protocol


def test_staged_reports_are_not_ready_until_applied(journal: Journal, tmp_path: Path) -> None:
    aid, ids = _staged(journal, [11, 12])
    outbox = Outbox(journal.path)
    try:
        assert [it.applied for it in journal.items(aid)] == [False, False]
        assert outbox.count(BLOG) == 0 and outbox.waiting() == []
        assert outbox.claim(BLOG, "me", limit=10, lease_s=60) == []
        journal.applied(ids)
        assert [it.applied for it in journal.items(aid)] == [True, True]
        assert [(r.comment_id, r.verdict) for r in outbox.waiting(BLOG)] == [
            (11, "spam"),
            (12, "spam"),
        ]
        assert outbox.count(BLOG) == 2
    finally:
        outbox.close()


def test_drop_forgets_the_items_and_their_reports(journal: Journal) -> None:
    aid, ids = _staged(journal, [21, 22, 23])
    journal.applied(ids[:1])
    journal.drop(ids[1:])
    assert [(it.object_id, it.applied) for it in journal.items(aid)] == [("21", True)]
    with journal.reading() as db:
        rows = db.execute("SELECT comment_id, ready FROM outbox ORDER BY id").fetchall()
    assert rows == [(21, 1)]


def test_settle_applies_some_drops_the_rest_and_interrupts(journal: Journal) -> None:
    aid, ids = _staged(journal, [31, 32, 33])
    journal.settle(aid, ids[:2], ids[2:], {"requested": 3, "changed": 2, "interrupted": True})
    entry = journal.get(aid)
    assert entry is not None and entry.state == "interrupted"
    assert entry.summary == {"requested": 3, "changed": 2, "interrupted": True}
    assert [(it.object_id, it.applied) for it in journal.items(aid)] == [
        ("31", True),
        ("32", True),
    ]
    with journal.reading() as db:
        assert db.execute("SELECT comment_id, ready FROM outbox ORDER BY id").fetchall() == [
            (31, 1),
            (32, 1),
        ]


def test_unresolved_returns_pending_actions_of_dead_owners_only(journal: Journal) -> None:
    host, boot = socket.gethostname(), _boot_id()
    me = this_owner()
    start = me.rsplit(":", 1)[-1]
    owners = {
        "dead pid": f"{host}:{boot}:{_dead_pid()}:{start}",
        "pid reused": f"{host}:{boot}:{os.getpid()}:{int(start) + 1}",
        "earlier boot": f"{host}:not-this-boot:{os.getpid()}:{start}",
        "released": None,
        "alive": me,
        "other host": f"elsewhere.invalid:{boot}:{_dead_pid()}:{start}",
    }
    ids = {}
    for name, owner in owners.items():
        ids[name] = journal.begin(BLOG, "spam")
        _set_owner(journal, ids[name], owner)
    # A finished action of a dead owner is nobody's work.
    done = journal.begin(BLOG, "trash")
    _set_owner(journal, done, owners["dead pid"])
    journal.finish(done, "done", {})
    # Another blog's unresolved action is that blog's business.
    other_blog = journal.begin("another-blog", "spam")
    _set_owner(journal, other_blog, owners["dead pid"])

    assert owner_alive(me) and not owner_alive(owners["dead pid"])
    got = [e.id for e in journal.unresolved(BLOG)]
    assert got == [ids["dead pid"], ids["pid reused"], ids["earlier boot"], ids["released"]]
    # The live one is running (for another pingdesk), never unresolved.
    assert ids["alive"] not in got and ids["other host"] not in got
    assert [e.id for e in journal.unresolved("another-blog")] == [other_blog]


# --------------------------------------------------------------------------- unavailable


@pytest.fixture
def small_blog(wp_bed: Bed, tmp_path: Path) -> Iterator[tuple[Blog, BulkBlog]]:
    """A WordPress-made blog (the session's bulk blog) as SQLite."""
    bulk = bulk_blog(wp_bed, 5000)
    path = tmp_path / "wordpress.sqlite"
    shutil.copyfile(bulk.sqlite, path)
    blog = connect(target_from_db(f"sqlite:///{path}", tmp_path, "test"))
    yield blog, bulk
    blog.engine.dispose()


def _reporting(blog: Blog) -> Reporting:
    return Reporting(Trail("admin", reports=True, status_history=False), site_info(blog))


def test_journal_locked_past_the_wait_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_mod, "LOCK_WAIT_S", 0.2)
    path = tmp_path / "journal.sqlite3"
    j = Journal(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(JournalUnavailable) as caught:
            j.begin(BLOG, "spam")
        assert 0.15 < time.monotonic() - started < 5
        assert caught.value.exit_code == EXIT_DB_UNAVAILABLE == 3
        assert str(path) in caught.value.message and "locked" in caught.value.message
        other.execute("ROLLBACK")
        assert j.begin(BLOG, "spam") > 0  # free again: works again
    finally:
        other.close()
        j.close()


@pytest.mark.parametrize("when", ["before the action", "after it began"])
def test_locked_journal_changes_nothing_in_wordpress(
    small_blog: tuple[Blog, BulkBlog],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    when: str,
) -> None:
    blog, bulk = small_blog
    monkeypatch.setattr(journal_mod, "LOCK_WAIT_S", 0.2)
    path = tmp_path / "journal.sqlite3"
    j = Journal(path)
    other = sqlite3.connect(path, isolation_level=None)
    ids = list(bulk.ids[:1500])  # two chunks
    seen = statuses_of(blog.engine, blog.tables, ids)
    before = take(blog.engine, blog.tables)
    if when == "before the action":
        other.execute("BEGIN IMMEDIATE")
    else:
        real_begin = Journal.begin

        def begin_then_lock(self: Journal, *a: object, **kw: object) -> int:
            aid = real_begin(self, *a, **kw)  # type: ignore[arg-type]
            other.execute("BEGIN IMMEDIATE")  # another pingdesk takes the journal now
            return aid

        monkeypatch.setattr(Journal, "begin", begin_then_lock)
    try:
        with pytest.raises(JournalUnavailable) as caught:
            moderate(blog, "spam", seen, journal=j, reporting=_reporting(blog))
        assert caught.value.exit_code == 3 and str(path) in caught.value.message
        after = take(blog.engine, blog.tables)
        assert after == before, before.diff(after, ("before", "after"))
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()
    with j.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    j.close()


def _make_read_only(path: Path) -> None:
    if os.geteuid() == 0:  # root writes through permissions: make the file immutable
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        path.chmod(0o444)


def _make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o600)


def test_read_only_journal_is_unavailable(
    small_blog: tuple[Blog, BulkBlog], tmp_path: Path
) -> None:
    blog, bulk = small_blog
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    _make_read_only(path)
    try:
        with pytest.raises(JournalUnavailable) as caught:
            Journal(path)
        assert caught.value.exit_code == 3
        assert str(path) in caught.value.message and "read-only" in caught.value.message
        with pytest.raises(JournalUnavailable):
            Outbox(path)
    finally:
        _make_writable(path)
    assert read_state(blog.engine, blog.tables).status  # the blog was never touched
    assert bulk.ids


# --------------------------------------------------------------------------- outbox


def _ready(j: Journal, cids: list[int], verdict: str = "spam") -> None:
    _, ids = _staged(j, cids, verdict)
    j.applied(ids)


def test_two_outboxes_claiming_at_once_get_disjoint_reports(journal: Journal) -> None:
    _ready(journal, list(range(1, 301)))
    boxes = [Outbox(journal.path), Outbox(journal.path)]
    got: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sender(n: int) -> None:
        try:
            barrier.wait()
            while batch := boxes[n].claim(BLOG, f"sender{n}", limit=7, lease_s=60):
                got[n].extend(r.id for r in batch)
                time.sleep(0.002)  # sending them
                for r in batch:
                    boxes[n].done(r.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for box in boxes:
        box.close()
    assert not errors, errors
    assert got[0] and got[1], "both senders should have claimed some"
    assert not set(got[0]) & set(got[1])
    assert len(got[0]) + len(got[1]) == 300 == len(set(got[0]) | set(got[1]))


def test_an_expired_lease_is_claimable_again(journal: Journal) -> None:
    _ready(journal, [41, 42])
    box = Outbox(journal.path)
    try:
        t = time.time()
        first = box.claim(BLOG, "dies", limit=10, lease_s=30, now=t)
        assert [r.comment_id for r in first] == [41, 42]
        assert box.claim(BLOG, "other", limit=10, lease_s=30, now=t + 29) == []
        again = box.claim(BLOG, "other", limit=10, lease_s=30, now=t + 31)
        assert [r.id for r in again] == [r.id for r in first]
        box.release([again[1].id])  # given back untried: claimable at once
        assert [r.id for r in box.claim(BLOG, "third", limit=10, lease_s=30, now=t + 32)] == [
            again[1].id
        ]
    finally:
        box.close()


def test_only_the_oldest_report_of_a_comment_is_claimable(journal: Journal) -> None:
    _ready(journal, [51, 52], "spam")
    _ready(journal, [51], "ham")  # not spam after all: must reach Akismet after the spam
    box = Outbox(journal.path)
    try:
        first = box.claim(BLOG, "me", limit=10, lease_s=60)
        assert [(r.comment_id, r.verdict) for r in first] == [(51, "spam"), (52, "spam")]
        assert box.claim(BLOG, "me", limit=10, lease_s=60) == []
        # A failed spam report keeps its place: the ham still waits behind it.
        box.failed(first[0].id, "timeout")
        assert [(r.comment_id, r.verdict) for r in box.claim(BLOG, "me", limit=10, lease_s=60)] == [
            (51, "spam")
        ]
        box.done(first[0].id)
        assert [(r.comment_id, r.verdict) for r in box.claim(BLOG, "me", limit=10, lease_s=60)] == [
            (51, "ham")
        ]
    finally:
        box.close()


def test_an_undone_action_and_its_undo_do_not_block_undoing_an_older_one(
    journal: Journal,
) -> None:
    """approve #A, spam #B on the same rows, undo #B (#C): #A is undoable again.

    (Found by tests/wp/test_reconcile.py: #C, an undo, was named as a later action to
    undo first, and an undo cannot be undone, so #A could never be undone.)
    """

    def applied(action: str, undo_of: int | None = None) -> int:
        aid = journal.begin(BLOG, action, undo_of=undo_of)
        journal.applied(journal.stage(aid, BLOG, [_item(61), _item(62)]))
        journal.finish(aid, "done", {})
        return aid

    a = applied("approve")
    b = applied("spam")
    assert journal.later_touching(BLOG, a, "comment", ["61"]) == [b]
    c = applied("undo spam", undo_of=b)
    # Until #B is marked undone (an undo cut short), #B still stands in the way.
    assert journal.later_touching(BLOG, a, "comment", ["61", "62"]) == [b, c]
    journal.set_state(b, "undone")
    assert journal.later_touching(BLOG, a, "comment", ["61", "62"]) == []
    # The undo of #A itself never blocks #A, and an unrelated later action still does.
    applied("undo approve", undo_of=a)
    d = applied("trash")
    assert journal.later_touching(BLOG, a, "comment", ["62"]) == [d]


def test_an_unwritable_journal_is_read_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    j = Journal(path)
    aid = j.begin(BLOG, "spam", total=1)
    j.finish(aid, "done", {"changed": 1})
    j.close()
    _make_read_only(path)
    try:
        ro = Journal.open(path)
        assert not ro.writable
        assert [e.id for e in ro.entries(BLOG)] == [aid]
        with pytest.raises(JournalUnavailable) as caught:
            ro.begin(BLOG, "spam")
        assert caught.value.message.startswith(f"cannot write pingdesk's journal {path}: ")
        ro.close()
    finally:
        _make_writable(path)
    assert [e.id for e in Journal(path).entries(BLOG)] == [aid]  # and nothing was added


def test_a_journal_that_cannot_be_created_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a regular file: no folder can be made in it, even by root")
    path = tmp_path / "file" / "pingdesk" / "journal.sqlite3"
    j = Journal.open(path)
    assert not j.writable
    assert j.entries(BLOG) == [] and j.unresolved(BLOG) == [] and j.history(BLOG, 1) == []
    with pytest.raises(JournalUnavailable) as caught:
        j.begin(BLOG, "spam")
    assert caught.value.message == (
        f"cannot write pingdesk's journal {path}: Not a directory; nothing was changed"
    )
    assert (tmp_path / "file").is_file()
