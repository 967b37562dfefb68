"""`pingdesk list --format jsonl` of every pending ping beside the `mysql` client (issue 10).

    python bench/bench_cli_list.py                 # pd_bench_cli (made if missing), 5 runs
    python bench/bench_cli_list.py --reuse         # keep pd_bench_cli when it has this shape
    python bench/bench_cli_list.py --runs 3 --db NAME --pending-pings N

The blog is bench/gen_blog.py's (WordPress's installer, then LOAD DATA): 100k posts, 1M
comments, --pending-pings (110,000) pending pings among them; every tenth pending ping is
given a stored verification result (`_pingdesk_check` commentmeta, as `pingdesk verify`
writes it) so the per-page lookup of results has something to find.

Measured in every run, the two commands alternating (pingdesk first in odd runs, mysql
first in even runs), each a whole process with its output read through a pipe and
counted here:

- **pingdesk**: `pingdesk --db URL list --format jsonl` — every pending ping, streamed a
  keyset page at a time;
- **mysql**: `mysql -B -e "SELECT …"` printing the same columns of the same rows in the
  same order (id, post, type, status, source URL or webmention source, author, date,
  IP, post title, stored check) — one query, with `FORCE INDEX
  (comment_approved_date_gmt)`, the plan pingdesk's pages use (without it MariaDB chooses
  a full scan and a filesort, about twice as slow: the comparison would flatter pingdesk).

Also: the time to pingdesk's first line, its peak memory (ru_maxrss of the child, from
wait4) for `--limit 10000` against the whole list, to show that memory stays flat, and
one 1,000-ping page near the top, in the middle and near the end of the list, read with
pingdesk's FORCE INDEX and with the optimizer's own plan (which reads the index down
from the newest row to the cursor: pages got slower with depth).
Medians of --runs. Target: pingdesk ≤ 3× mysql. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_blog
from pingdesk.wp.verify_meta import META_KEY, VerifyResult

TARGET = 3.0
PING_TYPES = "('pingback', 'trackback')"


def mysql_query(prefix: str) -> str:
    p = prefix
    return f"""
SELECT c.comment_ID, c.comment_post_ID, c.comment_type, c.comment_approved,
       COALESCE(ws.meta_value, c.comment_author_url) AS source_url, c.comment_author,
       c.comment_date_gmt, c.comment_author_IP, COALESCE(p.post_title, '') AS post_title,
       ck.meta_value AS `check`
FROM {p}comments c FORCE INDEX (comment_approved_date_gmt)
LEFT JOIN {p}posts p ON p.ID = c.comment_post_ID
LEFT JOIN {p}commentmeta ws ON ws.comment_id = c.comment_ID
     AND ws.meta_key = 'webmention_source_url' AND c.comment_type NOT IN {PING_TYPES}
LEFT JOIN {p}commentmeta ck ON ck.comment_id = c.comment_ID AND ck.meta_key = '{META_KEY}'
WHERE c.comment_approved = '0'
  AND (c.comment_type IN {PING_TYPES}
       OR (c.comment_type NOT IN {PING_TYPES}
           AND (SELECT w.meta_id FROM {p}commentmeta w WHERE w.comment_id = c.comment_ID
                AND w.meta_key = 'protocol' AND w.meta_value = 'webmention' LIMIT 1)
               IS NOT NULL))
ORDER BY c.comment_date_gmt DESC, c.comment_ID DESC"""


def add_checks(db: str, prefix: str) -> int:
    """A stored verification result on every tenth pending ping (once; idempotent)."""
    value = VerifyResult(
        ping_id=0,
        result="linked",
        http_status=200,
        checked_at="2026-12-01T10:00:00Z",
        source_url="http://example.invalid/",
    ).meta_value()
    conn = gen_blog.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO `{prefix}commentmeta` (comment_id, meta_key, meta_value) "
                f"SELECT c.comment_ID, %s, %s FROM `{prefix}comments` c "
                f"WHERE c.comment_approved = '0' AND c.comment_type IN {PING_TYPES} "
                "AND c.comment_ID %% 10 = 0 AND NOT EXISTS (SELECT 1 FROM "
                f"`{prefix}commentmeta` m WHERE m.comment_id = c.comment_ID AND m.meta_key = %s)",
                (META_KEY, value, META_KEY),
            )
            cur.execute(
                f"SELECT COUNT(*) FROM `{prefix}commentmeta` WHERE meta_key = %s", (META_KEY,)
            )
            row = cur.fetchone()
            return int(row[0]) if row else 0
    finally:
        conn.close()


@dataclass
class Run:
    seconds: float
    first_line: float  # seconds to the first line of output
    lines: int
    bytes: int
    maxrss_kb: int
    code: int


def run(argv: list[str], env: dict[str, str], *, header: bool = False) -> Run:
    """A whole process, its stdout read through a pipe and counted; its own rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    first = 0.0
    lines = size = 0
    while chunk := proc.stdout.read1(1 << 16):
        if not size:
            first = time.perf_counter() - start
        size += len(chunk)
        lines += chunk.count(b"\n")
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return Run(seconds, first, lines - (1 if header else 0), size, usage.ru_maxrss, proc.returncode)


def page_depths(url: str, runs: int) -> list[tuple[str, float, float]]:
    """Seconds for one 1,000-ping keyset page at depths of the pending list, with the index
    pingdesk names (FORCE INDEX) and without it (the optimizer's own choice):
    (where, with, without), medians of ``runs`` after a warming round."""
    from pingdesk.services.locate import resolve_target
    from pingdesk.wp.connect import connect
    from pingdesk.wp.pings import PingFilter, list_pings, ping_ids, status_date_index

    blog = connect(resolve_target(db=url, env={}))
    try:
        flt = PingFilter()
        ids = ping_ids(blog, flt)
        index = status_date_index(blog, flt)
        out = []
        n = len(ids)
        for name, at in (
            ("top", 0),
            ("10 %", n // 10),
            ("25 %", n // 4),
            ("50 %", n // 2),
            ("end", n - 1_500),
        ):
            after = None
            if at:
                (p,) = list_pings(blog, PingFilter(status="all", ids=(ids[at - 1],)), limit=1).pings
                after = p.cursor
            times: dict[str | None, list[float]] = {index: [], None: []}
            for i in range(runs + 1):  # the first round warms the pages both read
                for hint in (index, None) if i % 2 else (None, index):
                    t = time.perf_counter()
                    page = list_pings(
                        blog, flt, limit=1000, after=after, brief=True, date_index=hint
                    )
                    if i:
                        times[hint].append(time.perf_counter() - t)
                    assert page.pings[0].id == ids[at]
            out.append((name, statistics.median(times[index]), statistics.median(times[None])))
        return out
    finally:
        blog.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="pd_bench_cli", help="database (made by gen_blog if missing)")
    ap.add_argument("--pending-pings", type=int, default=110_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="keep the blog if its spec matches")
    ap.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = ap.parse_args(argv)

    spec = gen_blog.Spec(
        posts=100_000,
        comments=1_000_000,
        ping_share=0.30,
        pending_pings=args.pending_pings,
        prefix="wp_",
        home="http://bench.test",
        seed=1,
    )
    gen_blog.ensure(args.db, spec, reuse=args.reuse)
    checks = add_checks(args.db, spec.prefix)
    url = f"mysql+pymysql://root@{gen_blog.HOST}:3306/{args.db}?charset=utf8mb4"
    tmp = Path(tempfile.mkdtemp(prefix="pd-bench-cli-"))
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_STATE_HOME": str(tmp / "state"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }
    for name in [n for n in env if n.startswith("PINGDESK_")]:
        del env[name]
    pingdesk = [sys.executable, "-m", "pingdesk", "--db", url, "list", "--format", "jsonl"]
    mysql = ["mysql", f"-h{gen_blog.HOST}", "-uroot", "-B", "-e", mysql_query(spec.prefix), args.db]

    print(f"{args.db}: {checks:,} stored verification results; {args.runs} runs", flush=True)
    # One untimed pass each: the buffer pool and the OS cache as a second run finds them.
    warm_p, warm_m = run(pingdesk, env), run(mysql, env, header=True)
    if warm_p.code or warm_m.code:
        print(f"failed: pingdesk exit {warm_p.code}, mysql exit {warm_m.code}", file=sys.stderr)
        return 1
    if warm_p.lines != warm_m.lines:
        print(f"row counts differ: pingdesk {warm_p.lines:,}, mysql {warm_m.lines:,}")
    ours: list[Run] = []
    theirs: list[Run] = []
    small: list[Run] = []
    for i in range(args.runs):
        order = [("p", pingdesk), ("m", mysql)] if i % 2 == 0 else [("m", mysql), ("p", pingdesk)]
        for who, cmd in order:
            r = run(cmd, env, header=who == "m")
            (ours if who == "p" else theirs).append(r)
            print(
                f"  run {i + 1} {'pingdesk' if who == 'p' else 'mysql   '}: {r.seconds:6.2f} s, "
                f"{r.lines:,} rows, {r.bytes / 1e6:.1f} MB, first line {r.first_line:.2f} s, "
                f"peak {r.maxrss_kb / 1024:.0f} MiB",
                flush=True,
            )
        small.append(run([*pingdesk, "--limit", "10000"], env))

    med = statistics.median
    p_s, m_s = med(r.seconds for r in ours), med(r.seconds for r in theirs)
    ratio = p_s / m_s
    rss_small = med(r.maxrss_kb for r in small) / 1024
    rss_all = med(r.maxrss_kb for r in ours) / 1024
    figures = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "python": platform.python_version(),
        "rows": ours[-1].lines,
        "pingdesk_s": round(p_s, 2),
        "mysql_s": round(m_s, 2),
        "ratio": round(ratio, 2),
        "first_line_s": round(med(r.first_line for r in ours), 2),
        "peak_mib_10k": round(rss_small, 1),
        "peak_mib_all": round(rss_all, 1),
        "mysql_peak_mib": round(med(r.maxrss_kb for r in theirs) / 1024, 1),
    }
    print()
    print(f"| rows | pingdesk jsonl | mysql -B | ratio (target ≤ {TARGET:g}×) | first line |")
    print("|---:|---:|---:|---:|---:|")
    verdict = "PASS" if ratio <= TARGET else "over"
    print(
        f"| {figures['rows']:,} | {p_s:.2f} s | {m_s:.2f} s | {ratio:.2f}× {verdict} "
        f"| {figures['first_line_s']:.2f} s |"
    )
    print()
    print("| pingdesk peak RSS | --limit 10000 | all |")
    print("|---|---:|---:|")
    print(f"| ru_maxrss | {rss_small:.1f} MiB | {rss_all:.1f} MiB |")
    print(
        f"\n(medians of {args.runs} runs; {figures['cpus']} CPUs, load {figures['load']:.1f}; "
        f"mysql client peak {figures['mysql_peak_mib']} MiB)"
    )
    depths = page_depths(url, args.runs)
    print("\n| 1,000-ping page of pending | FORCE INDEX (pingdesk) | optimizer's choice |")
    print("|---|---:|---:|")
    for name, with_hint, without in depths:
        print(f"| {name} | {with_hint:.3f} s | {without:.3f} s |")
    figures["pages"] = {name: [round(a, 3), round(b, 3)] for name, a, b in depths}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
