"""Checking 1,000 pending pings with Akismet: pingdesk vs the WordPress plugin's way.

Both sides run in the same process against the same fake Akismet server on
127.0.0.1 (tests/akismet_fake.py) that answers every request after 100 ms, on a
SQLite copy of the WordPress schema, and both record the same commentmeta trail
(akismet_result + a recheck-* history row per ping):

* pingdesk: ``AkismetService.check`` — bounded concurrency (``--concurrency``).
* the plugin's way: what "Check for Spam" does (Akismet_Admin::recheck_queue_portion):
  batches of 100 pending rows, one comment-check at a time. It is given a
  keep-alive connection, which flatters it (the plugin opens one per request).

    python bench/bench_akismet.py [--pings 1000] [--delay 0.1] [--runs 3] [--concurrency 16]

Prints the median of ``--runs`` runs for pingdesk, the plugin's way (one full
run; its median per batch of 100 too) and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.akismet_fake import FakeAkismet

from pingdesk.net.akismet_client import AkismetFailure
from pingdesk.services.akismet import AkismetService, AkismetSettings
from pingdesk.store.journal import Journal
from pingdesk.wp.akismet_meta import record_checks
from pingdesk.wp.blog import Blog
from pingdesk.wp.schema import Tables

KEY = "a1b2c3d4e5f6"
HOME = "http://blog.test"


def make_blog(path: Path, n: int) -> Blog:
    engine = create_engine(f"sqlite:///{path}")
    tables = Tables("wp_", "wp_")
    tables.metadata.create_all(engine)
    when = datetime(2024, 1, 3, 10, 0, 0)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.options),
            [
                {"option_name": k, "option_value": v}
                for k, v in (
                    ("home", HOME),
                    ("siteurl", HOME),
                    ("blog_charset", "UTF-8"),
                    ("wordpress_api_key", KEY),
                )
            ],
        )
        conn.execute(
            insert(tables.posts),
            [
                {
                    "ID": p,
                    "post_title": f"Post {p}",
                    "post_content": "",
                    "post_excerpt": "",
                    "to_ping": "",
                    "pinged": "",
                    "post_content_filtered": "",
                    "post_modified_gmt": when,
                }
                for p in range(1, 51)
            ],
        )
        conn.execute(
            insert(tables.comments),
            [
                {
                    "comment_ID": i,
                    "comment_post_ID": i % 50 + 1,
                    "comment_author": f"Source {i}",
                    "comment_author_url": f"http://source{i}.example/post",
                    "comment_author_IP": f"198.51.{i // 250}.{i % 250 + 1}",
                    "comment_content": "[&#8230;] casino [&#8230;]" if i % 4 == 0 else "a link",
                    "comment_approved": "0",
                    "comment_type": "pingback" if i % 2 else "trackback",
                    "comment_agent": "WordPress/6.1",
                    "comment_date": when,
                    "comment_date_gmt": when,
                }
                for i in range(1, n + 1)
            ],
        )
    return Blog(engine=engine, tables=tables, label=str(path))


def pending_ids(blog: Blog, limit: int, offset: int) -> list[int]:
    c = blog.tables.comments
    with blog.engine.connect() as conn:
        rows = conn.execute(
            select(c.c.comment_ID).where(c.c.comment_approved == "0").limit(limit).offset(offset)
        ).all()
    return [int(r[0]) for r in rows]


async def pingdesk_way(blog: Blog, url: str, journal: Journal, concurrency: int) -> float:
    ids = pending_ids(blog, 10**9, 0)
    settings = AkismetSettings(endpoint=url, concurrency=concurrency)
    started = time.perf_counter()
    async with AkismetService(blog, settings, moderator="admin", journal=journal) as svc:
        summary = await svc.check(ids)
    elapsed = time.perf_counter() - started
    assert summary.count("checked") == len(ids), summary.to_json()
    return elapsed


async def plugin_way(blog: Blog, url: str, journal: Journal) -> tuple[float, list[float]]:
    settings = AkismetSettings(endpoint=url, concurrency=1)
    batches: list[float] = []
    checked = 0
    started = time.perf_counter()
    async with AkismetService(blog, settings, moderator="admin", journal=journal) as svc:
        await svc.client.verify()
        offset = 0
        while True:
            t0 = time.perf_counter()
            # recheck_queue_portion(): SELECT ... WHERE comment_approved = '0' LIMIT 100 OFFSET n
            ids = pending_ids(blog, 100, offset)
            if not ids:
                break
            rows, links = svc._rows_and_links(ids)
            stop: list[AkismetFailure] = []
            for i in ids:  # Akismet::recheck_comment(), one request at a time
                row = rows[i]
                _result, record = await svc._check_one(row, i, links.get(row.post_id), stop)
                if record is not None:  # recheck_comment() writes after each answer
                    record_checks(blog, [record], "admin")
                checked += 1
            batches.append(time.perf_counter() - t0)
            offset += 100
    elapsed = time.perf_counter() - started
    assert checked == len(pending_ids(blog, 10**9, 0))
    return elapsed, batches


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pings", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=0.1, help="server answer time, seconds")
    ap.add_argument("--runs", type=int, default=3, help="runs of pingdesk's way")
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeAkismet(valid_keys=(KEY,), delay=args.delay) as fake,
    ):
        root = Path(tmp)
        journal = Journal(root / "journal.sqlite3")
        ours: list[float] = []
        for run in range(args.runs):
            blog = make_blog(root / f"ours{run}.sqlite", args.pings)
            ours.append(await pingdesk_way(blog, fake.url, journal, args.concurrency))
            print(f"pingdesk run {run + 1}: {ours[-1]:.2f} s (max in flight {fake.max_active})")
        blog = make_blog(root / "plugin.sqlite", args.pings)
        theirs, batches = await plugin_way(blog, fake.url, journal)
        print(f"plugin's way: {theirs:.2f} s in {len(batches)} batches of 100")

    med = statistics.median(ours)
    print()
    print(f"{args.pings} pending pings, fake Akismet answering in {args.delay * 1000:.0f} ms")
    print(f"pingdesk (concurrency {args.concurrency}): median {med:.2f} s over {args.runs} runs")
    print(
        f"plugin's way (batches of 100, one at a time): {theirs:.2f} s, "
        f"median {statistics.median(batches):.2f} s per batch of 100"
    )
    print(f"ratio: pingdesk is {theirs / med:.1f}x faster")


if __name__ == "__main__":
    asyncio.run(main())
