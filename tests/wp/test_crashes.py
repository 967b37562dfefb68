"""Crashes during a bulk action: kill -9 of pingdesk, kill -9 of the database server,
and two Akismet senders at once.

The blog is WordPress-made (5,000 pings by wp_new_comment, a quarter approved, on 25
posts; an Akismet key in wordpress_api_key, so every spam queues a report). Each run
works on a fresh copy, runs ``pingdesk spam --all-matching --status all --no-wait --yes`` as
a real process, kills something at a random moment of the action, then opens a Desk
the normal way (reconciliation runs) and checks what a crash must never break:

- no chunk half-applied: each chunk of 1,000 ids is all spam or all as before, and
  the spam chunks are the first ones;
- every ping in spam has exactly one applied journal item and one ready report, and
  no other ping has either;
- every post's comment_count is the recount of its approved comments;
- ``undo`` puts back exactly the pre-state (statuses, trash meta, comment_count).

PINGDESK_TEST_CRASH_RUNS (default 20) kills per engine; PINGDESK_TEST_CRASH_SEED
replays a failing sequence of kill moments (the seed is in every failure message).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pingdesk.store.journal import Journal
from tests.support.akismet_fake import FakeAkismet
from tests.support.crash import (
    KEY,
    BulkBlog,
    PrivateMariaDB,
    State,
    bulk_blog,
    chunks,
    copy_sqlite,
    crash_runs,
    journal_file,
    journal_rows,
    kill9,
    open_cli_desk,
    pingdesk,
    pingdesk_env,
    read_state,
    reaped,
    recounted,
    state_of,
    statuses_of,
    wait_for_action,
)
from tests.support.wpbed import Bed, mariadb

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]

N = 5000
SPAM_ALL = ["spam", "--all-matching", "--status", "all", "--no-wait", "--yes"]


def _seed() -> int:
    return int(os.environ.get("PINGDESK_TEST_CRASH_SEED") or random.randrange(1 << 30))


@pytest.fixture
def bulk(wp_bed: Bed) -> BulkBlog:
    return bulk_blog(wp_bed, N)


class Copies:
    """Fresh copies of the bulk blog, one per run, removed after it."""

    def __init__(self, bed: Bed, bulk: BulkBlog, engine: str, root: Path) -> None:
        self.bed, self.bulk, self.engine, self.root = bed, bulk, engine, root
        self.made: list[str] = []

    def new(self, run: int) -> str:
        if self.engine == "sqlite":
            return copy_sqlite(self.bulk, self.root / f"wordpress{run}.sqlite")
        name = mariadb.new_name("_kill")
        self.made.append(name)
        mariadb.clone_database(self.bulk.db, name)
        return mariadb.url(name)

    def done(self, url: str) -> None:
        if self.engine == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink()
        else:
            name = self.made.pop()
            mariadb.drop_database(name)


def check_after_crash(url: str, journal_path: Path, pre: State, ids: list[int], why: str) -> str:
    """Open the blog as a front end does, check every invariant, undo, check the
    pre-state is back. Returns what the crash left ('done' or 'k of 5 chunks')."""
    journal = Journal(journal_path)
    desk = open_cli_desk(url, journal)
    try:
        blog = desk.blog
        entries = desk.entries()
        assert [e.action for e in entries] == ["spam"], f"{why}: {entries}"
        entry = entries[0]
        assert entry.state in ("done", "interrupted"), f"{why}: {entry}"
        assert desk.journal.unresolved(blog.key) == [], why

        now = statuses_of(blog.engine, blog.tables, ids)
        flags = []
        for n, part in enumerate(chunks(ids)):
            spam = {i for i in part if now[i] == "spam"}
            assert not spam or len(spam) == len(part), (
                f"{why}: chunk {n + 1} half-applied ({len(spam)} of {len(part)} in spam)"
            )
            if not spam:
                moved = [i for i in part if now[i] != pre.status[i]]
                assert not moved, f"{why}: chunk {n + 1} not spam but changed: {moved[:5]}"
            flags.append(bool(spam))
        assert flags == sorted(flags, reverse=True), f"{why}: chunks applied out of order {flags}"
        in_spam = {i for i in ids if now[i] == "spam"}

        items, reports = journal_rows(desk.journal, entry.id)
        assert items == dict.fromkeys(in_spam, 1), (
            f"{why}: journal items {len(items)} for {len(in_spam)} pings in spam; "
            f"missing {sorted(in_spam - set(items))[:5]}, extra {sorted(set(items) - in_spam)[:5]}"
        )
        assert reports == dict.fromkeys(in_spam, 1), (
            f"{why}: reports {Counter(reports.values())} for {len(in_spam)} pings in spam; "
            f"missing {sorted(in_spam - set(reports))[:5]}"
        )
        assert desk.outbox.count(blog.key) == len(in_spam), why
        assert entry.summary.get("changed") == len(in_spam), f"{why}: {entry.summary}"
        assert entry.summary.get("requested") == N, f"{why}: {entry.summary}"
        state = read_state(blog.engine, blog.tables)
        assert state.comment_count == recounted(blog.engine, blog.tables), (
            f"{why}: comment_count differs from the recount"
        )

        result = desk.undo()
        assert result.undone_id == entry.id, why
        assert sorted(result.restored) == sorted(in_spam) and not result.conflicts, why
        after = read_state(blog.engine, blog.tables)
        assert after == pre, f"{why}: undo did not restore the pre-state:\n" + "\n".join(
            pre.diff(after)
        )
        return "done" if entry.state == "done" else f"{sum(flags)} of {len(flags)} chunks"
    finally:
        desk.close()
        journal.close()


# --------------------------------------------------------------------------- (a)


@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
def test_kill_9_of_pingdesk_mid_bulk_spam(
    engine: str, bulk: BulkBlog, wp_bed: Bed, tmp_path: Path
) -> None:
    seed = _seed()
    rng = random.Random(seed)
    copies = Copies(wp_bed, bulk, engine, tmp_path)
    ids = sorted(bulk.ids)
    runs = crash_runs()
    outcomes: Counter[str] = Counter()
    duration = delay = 0.0
    pre: State | None = None
    # Run 0 is not killed: it measures how long the action takes (from its journal
    # entry to the exit), so the kills land across the whole of it. (A cold first run
    # is slower: a kill that finds the action over shortens the estimate.)
    for run in range(runs + 1):
        url = copies.new(run)
        if pre is None:
            pre = state_of(url, tmp_path / "probe.sqlite3")
            assert set(pre.status[i] for i in ids) == {"0", "1"}
        home = tmp_path / f"run{run}"
        proc = pingdesk(["--db", url, "--prefix", "wp_", *SPAM_ALL], pingdesk_env(home))
        with reaped(proc):
            assert wait_for_action(journal_file(home), proc), proc.communicate()
            began = time.monotonic()
            if run == 0:
                out, err = proc.communicate(timeout=300)
                duration = time.monotonic() - began
                assert proc.returncode == 0, err
                assert f"{N:,} pings" in out
                why = f"{engine} run 0 (not killed)"
            else:
                delay = rng.uniform(0, duration)
                time.sleep(max(0.0, began + delay - time.monotonic()))
                kill9(proc)
                why = f"{engine} run {run}: killed {delay:.3f}s into the action (seed {seed})"
        outcome = check_after_crash(url, journal_file(home), pre, ids, why)
        outcomes[outcome] += 1
        if run and outcome == "done":
            duration = min(duration, delay)
        copies.done(url)
    print(f"\n{engine}: action {duration:.2f}s; after {runs} kills: {dict(outcomes)}")
    if runs >= 10:
        # The kills must have cut actions short, not just landed after them.
        assert sum(n for k, n in outcomes.items() if k != "done") >= runs // 3, outcomes


# --------------------------------------------------------------------------- (b)


@pytest.fixture
def private_mariadb(tmp_path: Path) -> Iterator[PrivateMariaDB]:
    server = PrivateMariaDB(tmp_path / "mysqld").install()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)  # ~100 MB of InnoDB files


def _applied_items(journal: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT COUNT(*) FROM items WHERE applied = 1").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_kill_9_of_the_database_server_mid_bulk_spam(
    bulk: BulkBlog, private_mariadb: PrivateMariaDB, tmp_path: Path
) -> None:
    seed = _seed()
    rng = random.Random(seed)
    ids = sorted(bulk.ids)
    server = private_mariadb
    pre: State | None = None
    outcomes: Counter[str] = Counter()
    for run in range(max(2, crash_runs() // 10)):
        name = f"blog{run}"
        server.copy_from_shared(bulk.db, name)
        url = server.url(name)
        if pre is None:
            pre = state_of(url, tmp_path / "probe.sqlite3")
        home = tmp_path / f"run{run}"
        jpath = journal_file(home)
        proc = pingdesk(["--db", url, "--prefix", "wp_", *SPAM_ALL], pingdesk_env(home))
        with reaped(proc):
            assert wait_for_action(jpath, proc), proc.communicate()
            # Mid-bulk: once the first chunk is in, at a random moment of the next one.
            deadline = time.monotonic() + 120
            while _applied_items(jpath) < 1000:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the first chunk never committed"
                time.sleep(0.002)
            delay = rng.uniform(0, 0.3)
            time.sleep(delay)
            server.kill9()
            out, err = proc.communicate(timeout=120)
        why = f"server killed {delay:.3f}s after chunk 1 (run {run}, seed {seed})"
        assert proc.returncode == 3, f"{why}: exit {proc.returncode}\n{out}\n{err}"
        assert "Traceback" not in err, f"{why}:\n{err}"
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and "lost the database connection" in lines[0], f"{why}:\n{err}"
        server.start()  # InnoDB crash recovery
        outcomes[check_after_crash(url, jpath, pre, ids, why)] += 1
        with server.connect() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE `{name}`")
    print(f"\nserver kills: {dict(outcomes)}")


# --------------------------------------------------------------------------- (c)


def test_two_concurrent_akismet_retries_send_each_report_once(
    bulk: BulkBlog, tmp_path: Path
) -> None:
    url = copy_sqlite(bulk, tmp_path / "wordpress.sqlite")
    home = tmp_path / "home"
    env = pingdesk_env(home)
    journal = Journal(journal_file(home))
    desk = open_cli_desk(url, journal)
    try:
        chosen = sorted(bulk.ids)[:1200]
        result = desk.act("spam", chosen)
        assert len(result.changed) == len(chosen)
        assert desk.reports_waiting() == len(chosen)
        authors = {p.id: p.author for p in desk.pings(chosen)}
    finally:
        desk.close()
        journal.close()
    assert len(set(authors.values())) == len(chosen)

    with FakeAkismet(valid_keys=(KEY,), delay=0.02) as fake:
        env["PINGDESK_AKISMET_ENDPOINT"] = fake.url
        args = ["--db", url, "--prefix", "wp_", "akismet", "retry"]
        senders = [pingdesk(args, env) for _ in range(2)]
        with reaped(senders[0]), reaped(senders[1]):
            outputs = [p.communicate(timeout=300) for p in senders]
        submits = fake.calls("submit-spam")
    for p, (out, err) in zip(senders, outputs, strict=True):
        # 1: the first to finish still sees the reports the other is sending as waiting.
        # Reports the other sender is still sending are not a failure of this one.
        assert p.returncode == 0 and not err.strip(), f"{p.returncode}\n{out}\n{err}"
    sent = [int(out.split()[1]) for out, _ in outputs]  # "sent N waiting report(s); ..."
    assert sum(sent) == len(chosen), outputs
    assert all(sent), f"one sender sent everything: no race was tested ({sent})"
    per_ping = Counter(r.params.get("comment_author") for r in submits)
    assert set(per_ping) == set(authors.values())
    assert set(per_ping.values()) == {1}, [a for a, n in per_ping.items() if n > 1][:5]
    assert fake.calls("submit-ham") == []
    journal = Journal(journal_file(home))
    try:
        with journal.reading() as db:
            assert db.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    finally:
        journal.close()
