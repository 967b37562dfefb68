"""`pingdesk links` on a large blog, beside the mysql client reading the same rows.

    python bench/gen_blog.py --reuse                     # pd_bench: 1M comments (once)
    python bench/bench_links.py --db pd_bench --runs 5
    python bench/bench_links.py --db pd_bench --with-index   # adds pingdesk's count index first

Three figures, medians of ``--runs``, in the same run:
  * mysql client: the approved pings with their post title, stored check and webmention
    source (the rows `links` reads), printed to /dev/null — the floor for reading them;
  * report (in-process): pingdesk's read plus grouping by registrable domain and post;
  * pingdesk links --json: the whole command as a script runs it (imports included).

Without an index on comment_type, finding the approved pings means reading every comment
row (WordPress has none either); ``--with-index`` adds pingdesk's optional index
(``pingdesk index --add``: comment_approved, comment_type, comment_date_gmt) and shows the
same figures with it. The index stays; ``pingdesk index --drop`` removes it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

SQL = """SELECT c.comment_ID, c.comment_post_ID, c.comment_type, c.comment_author_url,
  c.comment_date_gmt, p.post_title, chk.meta_value, wm.meta_value
FROM {p}comments c LEFT JOIN {p}posts p ON p.ID = c.comment_post_ID
LEFT JOIN {p}commentmeta chk ON chk.comment_id = c.comment_ID AND chk.meta_key = '_pingdesk_check'
LEFT JOIN {p}commentmeta wm ON wm.comment_id = c.comment_ID
  AND wm.meta_key = 'webmention_source_url'
WHERE c.comment_approved = '1' AND c.comment_type IN ('pingback', 'trackback')"""


def median_time(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="pd_bench", help="MariaDB database on 127.0.0.1 (root)")
    ap.add_argument("--prefix", default="wp_")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--with-index", action="store_true")
    args = ap.parse_args()

    from pingdesk.services import backlinks
    from pingdesk.services.locate import resolve_target
    from pingdesk.wp.connect import connect
    from pingdesk.wp.count_index import add_index, has_index

    url = f"mysql://root@127.0.0.1/{args.db}"
    blog = connect(resolve_target(db=url, prefix=args.prefix, env={}))
    if args.with_index and not has_index(blog):
        t0 = time.perf_counter()
        add_index(blog)
        print(f"added pingdesk's count index in {time.perf_counter() - t0:.1f} s")
    mysql = [
        *["mysql", "-uroot", "-h127.0.0.1", "-B", args.db, "-e"],
        SQL.format(p=args.prefix),
    ]
    env = dict(os.environ, PINGDESK_DB=url, PINGDESK_PREFIX=args.prefix)
    cli = [sys.executable, "-m", "pingdesk", "links", "--json"]

    def run_mysql() -> None:
        subprocess.run(mysql, stdout=subprocess.DEVNULL, check=True)

    report = backlinks.report(blog)  # warm caches once
    figures = {
        "mysql client (same rows)": median_time(run_mysql, args.runs),
        "report (in-process)": median_time(lambda: backlinks.report(blog), args.runs),
        "pingdesk links --json": median_time(
            lambda: subprocess.run(cli, env=env, stdout=subprocess.DEVNULL, check=True),
            args.runs,
        ),
    }
    index = "with" if has_index(blog) else "without"
    print(
        f"{args.db}: {report.pings:,} approved pings, {len(report.domains):,} domains, "
        f"{len(report.posts):,} posts linked; {index} pingdesk's count index; "
        f"median of {args.runs}"
    )
    floor = figures["mysql client (same rows)"]
    for name, secs in figures.items():
        print(f"  {name:<28} {secs:6.2f} s   {secs / floor:4.1f}x the mysql client")


if __name__ == "__main__":
    main()
