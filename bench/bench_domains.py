"""The domain view and the `domain:` filter on a large blog (issue 12).

    python bench/gen_blog.py --db pd_bench_cli --reuse          # the blog (once)
    python bench/bench_domains.py --db pd_bench_cli --runs 5
    python bench/bench_domains.py --db pd_bench_cli --runs 3 --no-old   # skip the 15 s baseline

Figures are medians of ``--runs`` (the SQL `domain:` path and the old grouping run fewer
times: ``--sql-runs``, and once), all in the same run, read-only:

  * snapshot: the pending view's compact index (services.snapshot, one UNION ALL read)
    beside ``ping_ids`` — the bare id list the queue read before — as its floor;
  * filter: `domain:` for a few domains answered from the snapshot in memory, beside the
    SQL path (LIKE prefilter, host check in Python, keyset pages: what the queue ran on
    every filter change) to its first page of 150 rows and to its whole id list;
  * group: all pending pings by registrable domain from the snapshot, then the second
    read (verification and Akismet meta by key) and filling the groups' columns; the
    page-by-page grouping the domain view used before, once;
  * `pingdesk domains --format json`: the whole command, as a script runs it;
  * the terminal UI (Textual's pilot, 120x40): the queue's snapshot, then `domain:` terms
    on the same view until the table has its rows' ids, and the domain view (o) until its
    groups show and until its CHECKS and AKISMET columns are filled (a second after the
    snapshot arrived, as a moderator would: the queue groups a large view ahead).

Target (issue 12): filtering and grouping <= 0.5 s once the snapshot is loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def row(name: str, secs: float, note: str = "") -> None:
    print(f"  {name:<46} {secs:8.3f} s  {note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="pd_bench_cli", help="MariaDB database on 127.0.0.1 (root)")
    ap.add_argument("--prefix", default="wp_")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sql-runs", type=int, default=1, help="runs of the SQL domain: path")
    ap.add_argument("--no-old", action="store_true", help="skip the page-by-page grouping")
    args = ap.parse_args()

    from pingdesk.services.desk import Desk
    from pingdesk.services.locate import resolve_target
    from pingdesk.services.snapshot import Snapshot, fill
    from pingdesk.store.journal import Journal
    from pingdesk.wp.connect import connect
    from pingdesk.wp.pings import PingFilter, iter_pings, list_pings, ping_ids

    url = f"mysql+pymysql://root@127.0.0.1:3306/{args.db}"
    blog = connect(resolve_target(db=url, prefix=args.prefix, env={}))
    tmp = Path(tempfile.mkdtemp(prefix="pd-bench-domains-"))
    desk = Desk(blog, Journal(tmp / "journal.sqlite3"))
    view = PingFilter(status="pending")

    ping_ids(blog, view)  # warm the buffer pool once, for both sides
    t_ids, ids = median_time(lambda: ping_ids(blog, view), args.runs)
    t_snap, snap = median_time(lambda: desk.snapshot(view), args.runs)
    assert snap.ids() == ids, "the snapshot is the view"
    # A fresh Snapshot on the same index each time: it keeps its groups per filter.
    t_group, groups = median_time(lambda: Snapshot(snap.index).group(view), args.runs)
    # A few domains: the largest group, a middling and a one-ping one, a whole
    # top-level domain's worth of hosts, one with no pings.
    domains = [groups[0].domain, groups[len(groups) // 50].domain, groups[-1].domain, "fr"]
    domains.append("nowhere.example")

    print(
        f"{args.db}: {len(ids):,} pending pings from {len(snap.index.hosts):,} hosts in "
        f"{len(groups):,} domains; median of {args.runs} (SQL domain: path {args.sql_runs})"
    )
    print("snapshot of the pending view")
    row("ping_ids (the id list, as before)", t_ids)
    row("snapshot (ids + host, kind, post, date, status)", t_snap, f"{t_snap / t_ids:.2f}x")
    print("domain: filter — in memory vs SQL (first page; all ids)")
    for d in domains:
        flt = PingFilter(status="pending", domain=d)
        t_mem, found = median_time(lambda f=flt: snap.ids(f), args.runs)
        t_page, _ = median_time(lambda f=flt: list_pings(blog, f, limit=150), args.sql_runs)
        t_sql, sql = median_time(lambda f=flt: [p.id for p in iter_pings(blog, f)], args.sql_runs)
        assert found == sql, f"in-memory and SQL disagree on {d}"
        row(f"domain:{d} ({len(found):,} pings) in memory", t_mem)
        row("  SQL path, first page / all ids", t_page, f"/ {t_sql:.3f} s")
    print("grouping by registrable domain")
    row(f"group {len(ids):,} pings from the snapshot", t_group)
    t_ev, evidence = median_time(lambda: snap.evidence(desk, view), args.runs)
    groups = snap.group(view)
    row("second read: checks + Akismet meta (by key/id)", t_ev)
    t_fill, _ = median_time(lambda: fill(groups, evidence), args.runs)
    row("fill the groups' columns", t_fill)
    row("group_by_domain (snapshot, group, evidence)", t_snap + t_group + t_ev + t_fill)
    if not args.no_old:
        sys.path.insert(0, str(REPO))
        from tests.support.domain_oracle import group_by_domain_paged

        t_old, old = median_time(lambda: group_by_domain_paged(desk, view), 1)
        same = [g.to_json() for g in old] == [g.to_json() for g in groups]
        row("old page-by-page grouping (once)", t_old, "same groups" if same else "DIFFERENT")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }
    cli = [sys.executable, "-m", "pingdesk", "--db", url, "--prefix", args.prefix]
    cli += ["domains", "--format", "json"]
    t_cli, _ = median_time(
        lambda: subprocess.run(cli, env=env, stdout=subprocess.DEVNULL, check=True), args.runs
    )
    print("whole command")
    row("pingdesk domains --format json", t_cli)
    print("terminal UI (pilot, 120x40; one run)")
    for name, secs in asyncio.run(tui_times(desk, domains)):
        row(name, secs)
    desk.journal.close()


async def tui_times(desk: Any, domains: list[str]) -> list[tuple[str, float]]:
    from textual.widgets import DataTable, Label

    from pingdesk.tui.app import PingdeskApp
    from pingdesk.tui.screens.domains import DomainsScreen

    out: list[tuple[str, float]] = []
    app = PingdeskApp(desk, refresh_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:

        async def until(cond: Callable[[], bool]) -> float:
            # asyncio.sleep, not pilot.pause/press: those wait for the app to be idle,
            # which the domain view is not until its second read is done.
            t0 = time.perf_counter()
            while not cond():
                await asyncio.sleep(0.005)
            return time.perf_counter() - t0

        async def painted() -> None:
            done = asyncio.get_running_loop().create_future()
            app.screen.call_after_refresh(lambda: done.set_result(None))
            await done

        main = app.main
        opened = await until(lambda: main.current_snapshot() is not None)
        out.append(("queue open -> snapshot kept", opened))
        await pilot.pause(1.0)  # the moderator reads the first rows; the queue groups ahead
        for d in domains[:3]:
            t0 = time.perf_counter()
            main.show_query("pending", f"domain:{d}")
            await until(lambda: main.matches is not None)
            await painted()
            out.append((f"domain:{d} -> table painted", time.perf_counter() - t0))
        main.show_query("pending", "")
        await until(lambda: main.matches is not None)
        t0 = time.perf_counter()
        app.action_domains()  # the o key
        await until(lambda: isinstance(app.screen, DomainsScreen))
        await until(lambda: bool(app.screen.query(DataTable)))  # composed
        table: DataTable[Any] = app.screen.query_one(DataTable)
        await until(lambda: table.row_count > 0)
        await painted()
        out.append(("o -> domain groups painted", time.perf_counter() - t0))
        status = app.screen.query_one("#domains-status", Label)
        await until(lambda: "reading" not in str(status.render()))
        out.append(("o -> CHECKS and AKISMET filled", time.perf_counter() - t0))
    return out


if __name__ == "__main__":
    main()
