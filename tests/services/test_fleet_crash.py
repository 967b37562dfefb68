"""kill -9 of pingdesk in the middle of a spam across a multisite network.

A network made by WordPress's own code (install_network(), wpmu_create_blog()) gets
the WordPress-made bulk blog's posts and 5,000 pings on each of two sites. Each run
runs ``pingdesk --network spam --all-matching --status all`` as a real process on a
fresh copy and kills it at a random moment; then the network is opened as any front
end opens it (each site's interrupted action is settled) and, on every site:

- no chunk is half-applied, and a site not reached is untouched;
- every post's comment_count is the recount of its approved comments;
- each site's action is journaled under that site, with one applied item per ping
  in spam;
- undo, as often as there are actions, gives back exactly the pre-state.

PINGDESK_TEST_CRASH_RUNS (default here 4) kills; PINGDESK_TEST_CRASH_SEED replays.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from pingdesk.config import load_config
from pingdesk.services.fleet import Fleet
from pingdesk.services.locate import Where, open_queue
from pingdesk.store.journal import Journal
from pingdesk.wp.schema import Tables
from tests.support.crash import (
    BulkBlog,
    State,
    bulk_blog,
    chunks,
    crash_runs,
    journal_file,
    journal_rows,
    kill9,
    pingdesk,
    pingdesk_env,
    read_state,
    reaped,
    recounted,
    wait_for_action,
)
from tests.support.wpbed import Bed, WPSite, mariadb

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]

N = 5000
SITES = {2: "/sub/", 3: "/third/"}
SPAM_ALL = ["--network", "spam", "--all-matching", "--status", "all", "--no-wait", "--yes"]


@pytest.fixture
def network(wp_bed: Bed) -> WPSite:
    """Sites 2 and 3 each hold a copy of the bulk blog's posts, pings and meta."""
    bulk: BulkBlog = bulk_blog(wp_bed, N)
    net = wp_bed.site(multisite=True)
    assert net.php1({"cmd": "create_blog", "path": SITES[3], "title": "Third"}) == 3
    with net.engine.begin() as conn:
        for site in SITES:
            for table in ("posts", "comments", "commentmeta"):
                ours, theirs = f"`{net.db}`.`wp_{site}_{table}`", f"`{bulk.db}`.`wp_{table}`"
                conn.execute(text(f"DELETE FROM {ours}"))
                conn.execute(text(f"INSERT INTO {ours} SELECT * FROM {theirs}"))
    return net


def _tables(site: int) -> Tables:
    return Tables(f"wp_{site}_", "wp_")


def test_kill_9_of_pingdesk_mid_network_spam(network: WPSite, wp_bed: Bed, tmp_path: Path) -> None:
    seed = int(os.environ.get("PINGDESK_TEST_CRASH_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    runs = crash_runs(4)
    pings = sorted(bulk_blog(wp_bed, N).ids)  # on each site (the default comment is not one)
    duration = 0.0
    outcomes: list[str] = []
    for run in range(runs + 1):
        name = mariadb.new_name("_netkill")
        wp_bed.databases.append(name)
        mariadb.clone_database(network.db, name)
        url = mariadb.url(name)
        engine = wp_bed.engine(url)
        pre = {s: read_state(engine, _tables(s)) for s in SITES}
        home = tmp_path / f"run{run}"
        proc = pingdesk(["--db", url, *SPAM_ALL], pingdesk_env(home))
        with reaped(proc):
            assert wait_for_action(journal_file(home), proc), proc.communicate()
            began = time.monotonic()
            if run == 0:  # not killed: how long the whole action takes
                _, err = proc.communicate(timeout=300)
                duration = time.monotonic() - began
                assert proc.returncode == 0, err
                why = "run 0 (not killed)"
            else:
                delay = rng.uniform(0, duration)
                time.sleep(max(0.0, began + delay - time.monotonic()))
                kill9(proc)
                why = f"run {run}: killed {delay:.2f}s into the action (seed {seed})"
        outcomes.append(_check(url, journal_file(home), pings, pre, why))
        mariadb.drop_database(name)
    print(f"\nnetwork spam {duration:.2f}s; after {runs} kills: {outcomes}")
    if runs >= 10:
        # The kills must have cut actions short, not just landed after them.
        cut = [o for o in outcomes[1:] if "interrupted" in o or "sites [2, 3] done,done" not in o]
        assert len(cut) >= runs // 3, outcomes


def _check(url: str, journal_path: Path, ids: list[int], pre: dict[int, State], why: str) -> str:
    journal = Journal(journal_path)
    fleet = open_queue(Where(db=url), load_config(environ={}), journal, network=True)
    assert isinstance(fleet, Fleet)
    try:
        entries = fleet.entries()
        assert {e.action for e in entries} <= {"spam"} and len(entries) <= 2, f"{why}: {entries}"
        assert all(e.state in ("done", "interrupted") for e in entries), f"{why}: {entries}"
        by_blog = {e.blog: e for e in entries}
        reached = []
        for site, before in pre.items():
            tables = _tables(site)
            now = read_state(fleet.blog.engine, tables)
            in_spam = {i for i in ids if now.status[i] == "spam" != before.status[i]}
            for n, part in enumerate(chunks(ids)):
                moved = [i for i in part if now.status[i] != before.status[i]]
                spam = [i for i in moved if now.status[i] == "spam"]
                assert moved == spam, f"{why}: site {site} chunk {n + 1} moved elsewhere"
                changeable = [i for i in part if before.status[i] != "spam"]
                assert not spam or len(spam) == len(changeable), (
                    f"{why}: site {site} chunk {n + 1} half-applied ({len(spam)} of "
                    f"{len(changeable)})"
                )
            assert now.comment_count == recounted(fleet.blog.engine, tables), (
                f"{why}: site {site}: comment_count differs from the recount"
            )
            key = next((k for k in by_blog if k.endswith(f"#wp_{site}_")), None)
            if key is None:
                assert not in_spam, f"{why}: site {site} changed without a journal entry"
                continue
            reached.append(site)
            items, _ = journal_rows(journal, by_blog[key].id)
            assert items == dict.fromkeys(in_spam, 1), f"{why}: site {site} journal items"
        for _ in entries:  # each site's action, newest first
            fleet.undo()
        for site, before in pre.items():
            after = read_state(fleet.blog.engine, _tables(site))
            assert after == before, f"{why}: site {site} not restored:\n" + "\n".join(
                before.diff(after)
            )
        states = ",".join(sorted(e.state for e in entries))
        return f"sites {reached} {states}"
    finally:
        fleet.close()
        journal.close()
