"""pingdesk's engine beside WordPress's own cost, on the same database, in the same run.

    python bench/bench_engine.py            # pd_bench: 100k posts, 1M comments (made if missing)
    python bench/bench_engine.py --quick    # pd_bench_quick (5% size), fewer runs: a smoke run
    python bench/bench_engine.py --only read,cli --explain

Sections (each a few runs, medians reported; pingdesk and WordPress alternate
within every run so both see the same server load):

  read      first page of pending pings (list_pings, 20) vs get_comments(); counts
            (count_pings) vs the pending-pings count + wp_count_comments()
  cli       `pingdesk list --status pending --limit 20 --json` as a whole process vs
            the whole PHP process computing the Comments screen's data
  moderate  approve / spam N pending pings with moderate() vs edit-comments.php's bulk
            loop (wp_set_comment_status / wp_spam_comment) on a smaller sample,
            compared per ping
  close     close-pings on every open post (set_ping_status) vs bulk_edit_posts() on
            999 posts, compared per post

Every write is put back afterwards (SQL for WordPress's side, pingdesk's own undo
for close-pings), so runs are comparable. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_blog
from pingdesk.services.locate import resolve_target
from pingdesk.store.journal import Journal
from pingdesk.wp import undo
from pingdesk.wp.blog import Blog
from pingdesk.wp.connect import connect
from pingdesk.wp.moderation import TRASH_KEYS, moderate
from pingdesk.wp.pings import PingFilter, count_pings, list_pings
from pingdesk.wp.posts import PostFilter, set_ping_status

HERE = Path(__file__).resolve().parent
SECTIONS = ("read", "cli", "moderate", "close")


# -- measuring -----------------------------------------------------------------------


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0


def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Row:
    """One line of the final table."""

    what: str
    pd: list[float] = field(default_factory=list)
    wp: list[float] = field(default_factory=list)
    unit: str = "ms"
    target: str = ""
    check: Callable[[float, float], bool] | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        p, w = med(self.pd), med(self.wp)
        return w / p if p and self.wp else float("nan")

    def met(self) -> str:
        if self.check is None:
            return ""
        return "yes" if self.check(med(self.pd), med(self.wp)) else "NO"


def fmt_value(v: float, unit: str) -> str:
    if v != v:  # NaN: not measured
        return "-"
    if unit == "ms":
        if v < 1:
            return f"{v * 1000:.0f} us"
        return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms"
    if unit == "s":
        return f"{v:,.2f} s"
    return f"{v:.3f} {unit}"


def print_table(rows: list[Row]) -> None:
    head = ("measure", "pingdesk", "WordPress", "WP/pd", "target", "met")
    body = []
    for r in rows:
        ratio = r.ratio
        body.append(
            (
                r.what,
                fmt_value(med(r.pd), r.unit),
                fmt_value(med(r.wp), r.unit),
                "-" if ratio != ratio else (f"{ratio:,.1f}x" if ratio >= 1 else f"{ratio:.2f}x"),
                r.target,
                r.met(),
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for n, cells in enumerate([head, *body]):
        print(
            "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
        if n == 0:
            print(line)
    print(line)
    for r in rows:
        if r.note:
            print(f"  {r.what}: {r.note}")


# -- WordPress's side --------------------------------------------------------------


class WordPress:
    def __init__(self, db: str, prefix: str, home: str) -> None:
        self.env = gen_blog.php_env(db, prefix, home)

    def run(self, *args: str) -> tuple[dict[str, Any], float]:
        """Run bench/wp_bench.php; its JSON and the whole process's wall time (ms)."""
        t0 = time.perf_counter()
        out = subprocess.run(
            ["php", str(HERE / "wp_bench.php"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = ms_since(t0)
        lines = out.stdout.strip().splitlines()
        if out.returncode != 0 or not lines:
            raise SystemExit(f"wp_bench.php {' '.join(args)} failed:\n{out.stderr[-3000:]}")
        return dict(json.loads(lines[-1])), wall


def write_ids(path: Path, ids: Iterable[int]) -> Path:
    path.write_text("".join(f"{i}\n" for i in ids))
    return path


# -- state restore (so that every run starts from the same data) ----------------------


def chunks(ids: Sequence[int], n: int = 5000) -> Iterable[list[int]]:
    for i in range(0, len(ids), n):
        yield list(ids[i : i + n])


def in_list(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids)  # ints only: safe to inline


def scalar(conn: Connection, sql: str) -> Any:
    return conn.exec_driver_sql(sql).scalar()


def restore_pending(blog: Blog, ids: Sequence[int], max_meta: int) -> None:
    """Put moderated pings back to pending: status, the trash metas added since
    ``max_meta``, and their posts' comment_count."""
    t = blog.tables
    c, m, p = t.comments.name, t.commentmeta.name, t.posts.name
    keys = ",".join(f"'{k}'" for k in TRASH_KEYS)
    with blog.engine.begin() as conn:
        posts: set[int] = set()
        for ch in chunks(ids):
            il = in_list(ch)
            posts |= {
                int(r[0])
                for r in conn.exec_driver_sql(
                    f"SELECT DISTINCT comment_post_ID FROM {c} WHERE comment_ID IN ({il})"
                )
            }
            conn.exec_driver_sql(
                f"UPDATE {c} SET comment_approved = '0' WHERE comment_ID IN ({il})"
            )
            conn.exec_driver_sql(
                f"DELETE FROM {m} WHERE comment_id IN ({il}) AND meta_key IN ({keys}) "
                f"AND meta_id > {int(max_meta)}"
            )
        for ch in chunks(sorted(posts)):
            conn.exec_driver_sql(
                f"UPDATE {p} SET comment_count = (SELECT COUNT(*) FROM {c} "
                f"WHERE comment_post_ID = {p}.ID AND comment_approved = '1') "
                f"WHERE ID IN ({in_list(ch)})"
            )
        still = sum(
            int(
                scalar(
                    conn,
                    f"SELECT COUNT(*) FROM {c} WHERE comment_approved = '0' "
                    f"AND comment_ID IN ({in_list(ch)})",
                )
            )
            for ch in chunks(ids)
        )
    if still != len(ids):
        raise SystemExit(f"restore failed: {still} of {len(ids)} pings pending again")


def reopen_posts(blog: Blog, ids: Sequence[int]) -> None:
    p = blog.tables.posts.name
    with blog.engine.begin() as conn:
        for ch in chunks(ids):
            conn.exec_driver_sql(
                f"UPDATE {p} SET ping_status = 'open' WHERE ID IN ({in_list(ch)}) "
                "AND ping_status = 'closed'"
            )


# -- sections -----------------------------------------------------------------------


@dataclass
class Ctx:
    blog: Blog
    wp: WordPress
    url: str
    prefix: str
    runs_fast: int
    runs_slow: int
    n_moderate: int
    wp_sample: int
    n_bulk: int
    tmp: Path
    seed: int
    explain: bool


def pending_pings(blog: Blog) -> list[int]:
    c = blog.tables.comments.name
    with blog.engine.connect() as conn:
        return [
            int(r[0])
            for r in conn.exec_driver_sql(
                f"SELECT comment_ID FROM {c} WHERE comment_approved = '0' "
                "AND comment_type IN ('pingback', 'trackback') ORDER BY comment_ID"
            )
        ]


def section_read(ctx: Ctx) -> list[Row]:
    page = Row("first page, 20 pending pings", target="<= 20 ms")
    page.check = lambda p, w: p <= 20
    counts = Row("counts (per status x type)", target="<= 300 ms")
    counts.check = lambda p, w: p <= 300
    wp_pending = Row("  WP: pending-pings count only", unit="ms")
    wp_cc = Row("  WP: wp_count_comments() only", unit="ms")
    flt = PingFilter(status="pending")
    blog = ctx.blog
    list_pings(blog, flt, limit=20)  # connection pool and imports warm, as after boot
    for r in range(ctx.runs_fast):

        def pd() -> None:
            blog.forget_options()  # a fresh process has no cached home/siteurl
            t0 = time.perf_counter()
            res = list_pings(blog, flt, limit=20)
            page.pd.append(ms_since(t0))
            assert len(res.pings) == 20, "fewer than 20 pending pings"
            t0 = time.perf_counter()
            count_pings(blog)
            counts.pd.append(ms_since(t0))

        def wp() -> None:
            out, _ = ctx.wp.run("read")
            page.wp.append(out["page_ms"])
            counts.wp.append(out["pending_count_ms"] + out["count_comments_ms"])
            wp_pending.wp.append(out["pending_count_ms"])
            wp_cc.wp.append(out["count_comments_ms"])

        for f in (pd, wp) if r % 2 == 0 else (wp, pd):
            f()
        print(
            f"  run {r + 1}: page {page.pd[-1]:.1f} / {page.wp[-1]:.1f} ms, "
            f"counts {counts.pd[-1]:.0f} / {counts.wp[-1]:.0f} ms (pingdesk / WordPress)",
            flush=True,
        )
    counts.note = "WordPress: pending-pings count + wp_count_comments() (no split by type)"
    return [page, counts, wp_pending, wp_cc]


def pingdesk_cmd(ctx: Ctx, *args: str) -> list[str]:
    return [sys.executable, "-m", "pingdesk", "--db", ctx.url, "--prefix", ctx.prefix, *args]


def section_cli(ctx: Ctx) -> list[Row]:
    row = Row(
        "whole process: list pending 20 --json",
        target="faster than WP",
        note="pingdesk: `pingdesk --db URL --prefix P list --status pending --limit 20 "
        "--json`; WordPress: php-cli boot + get_comments(20) + pending count + "
        "wp_count_comments()",
    )
    row.check = lambda p, w: p < w
    counts = Row(
        "whole process: counts --json",
        note="`pingdesk counts --json` against the same WordPress process (which also "
        "fetched the page): what a script needing the numbers pays",
    )
    env = dict(os.environ)
    # A throwaway config/data home: the user's profiles and journal stay out of it.
    env["XDG_CONFIG_HOME"] = str(ctx.tmp / "config")
    env["XDG_DATA_HOME"] = str(ctx.tmp / "data")

    def timed_cli(args: list[str]) -> tuple[float, Any]:
        t0 = time.perf_counter()
        out = subprocess.run(
            pingdesk_cmd(ctx, *args), env=env, capture_output=True, text=True, check=False
        )
        ms = ms_since(t0)
        if out.returncode != 0:
            raise SystemExit(f"pingdesk {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
        return ms, json.loads(out.stdout)

    for r in range(ctx.runs_fast):
        for side in ("pd", "wp") if r % 2 == 0 else ("wp", "pd"):
            if side == "pd":
                ms, data = timed_cli(["list", "--status", "pending", "--limit", "20", "--json"])
                assert len(data) == 20, "fewer than 20 pending pings listed"
                row.pd.append(ms)
                ms, data = timed_cli(["counts", "--json"])
                assert "pending" in data
                counts.pd.append(ms)
            else:
                _, wall = ctx.wp.run("read")
                row.wp.append(wall)
                counts.wp.append(wall)
        print(
            f"  run {r + 1}: list {row.pd[-1]:.0f} ms, counts {counts.pd[-1]:.0f} ms / "
            f"WordPress {row.wp[-1]:.0f} ms",
            flush=True,
        )
    return [row, counts]


def max_meta_id(blog: Blog) -> int:
    with blog.engine.connect() as conn:
        return int(
            scalar(conn, f"SELECT COALESCE(MAX(meta_id), 0) FROM {blog.tables.commentmeta.name}")
        )


def pd_moderate(ctx: Ctx, action: str, ids: list[int], run: int) -> float:
    """moderate() on ``ids`` (all pending), journaled; ms. Then put them back."""
    before = max_meta_id(ctx.blog)
    journal = Journal(ctx.tmp / f"journal-{action}-{run}.sqlite")
    t0 = time.perf_counter()
    res = moderate(ctx.blog, action, dict.fromkeys(ids, "0"), journal=journal)
    ms = ms_since(t0)
    journal.close()
    assert len(res.changed) == len(ids), res.summary()
    restore_pending(ctx.blog, ids, before)
    return ms


def wp_moderate(ctx: Ctx, action: str, ids_file: Path, ids: list[int]) -> float:
    """edit-comments.php's bulk loop on ``ids``; ms per ping. Then put them back."""
    before = max_meta_id(ctx.blog)
    out, _ = ctx.wp.run("moderate", action, str(ids_file))
    assert out["changed"] == len(ids), out
    restore_pending(ctx.blog, ids, before)
    return float(out["per_ping_ms"])


def section_moderate(ctx: Ctx) -> list[Row]:
    blog = ctx.blog
    pool = pending_pings(blog)
    need = ctx.n_moderate + ctx.wp_sample
    if len(pool) < need:
        raise SystemExit(f"only {len(pool)} pending pings; need {need}")
    rnd = random.Random(ctx.seed)
    picked = rnd.sample(pool, need)
    pd_ids, wp_ids = sorted(picked[: ctx.n_moderate]), sorted(picked[ctx.n_moderate :])
    wp_file = write_ids(ctx.tmp / "wp_ids.txt", wp_ids)
    rows: list[Row] = []
    for action in ("approve", "spam"):
        total = Row(
            f"{action} {ctx.n_moderate:,} pings (total)",
            unit="s",
            note=f"WordPress figure extrapolated from {ctx.wp_sample} pings "
            f"(edit-comments.php bulk loop) x {ctx.n_moderate / ctx.wp_sample:g}",
        )
        per = Row(f"{action}: per ping", target="-")
        for r in range(ctx.runs_slow):
            for side in ("pd", "wp") if r % 2 == 0 else ("wp", "pd"):
                if side == "pd":
                    ms = pd_moderate(ctx, action, pd_ids, r)
                    total.pd.append(ms / 1000)
                    per.pd.append(ms / len(pd_ids))
                else:
                    per_ping = wp_moderate(ctx, action, wp_file, wp_ids)
                    per.wp.append(per_ping)
                    total.wp.append(per_ping * ctx.n_moderate / 1000)
            print(
                f"  {action} run {r + 1}: {per.pd[-1]:.3f} / {per.wp[-1]:.2f} ms per ping",
                flush=True,
            )
        rows += [total, per]
    return rows


def section_close(ctx: Ctx) -> list[Row]:
    blog = ctx.blog
    p = blog.tables.posts.name
    pm = blog.tables.postmeta.name
    with blog.engine.connect() as conn:
        open_ids = [
            int(r[0])
            for r in conn.exec_driver_sql(f"SELECT ID FROM {p} WHERE ping_status = 'open'")
        ]
        candidates = [
            int(r[0])
            for r in conn.exec_driver_sql(
                f"SELECT ID FROM {p} WHERE ping_status = 'open' AND post_type = 'post' "
                "AND post_status = 'publish'"
            )
        ]
    bulk_ids = sorted(random.Random(ctx.seed).sample(candidates, min(ctx.n_bulk, len(candidates))))
    bulk_file = write_ids(ctx.tmp / "bulk_ids.txt", bulk_ids)
    total = Row(
        f"close-pings on all open posts ({len(open_ids):,})",
        unit="s",
        target="<= 3 s",
        note=f"WordPress figure extrapolated from bulk_edit_posts() on {len(bulk_ids)} posts",
    )
    total.check = lambda pd, wp: pd <= 3
    per = Row("close-pings: per post", target=">= 400x")
    per.check = lambda pd, wp: wp / pd >= 400
    reopen = Row("undo close-pings (re-open all)", unit="s", note="pingdesk's journal undo")
    for r in range(ctx.runs_slow):

        def pd(r: int = r) -> None:
            journal = Journal(ctx.tmp / f"journal-close-{r}.sqlite")
            t0 = time.perf_counter()
            res = set_ping_status(blog, PostFilter(), close=True, journal=journal)
            ms = ms_since(t0)
            total.pd.append(ms / 1000)
            per.pd.append(ms / max(1, res.changed))
            t0 = time.perf_counter()
            undone = undo.undo(blog, journal)
            reopen.pd.append(ms_since(t0) / 1000)
            journal.close()
            if undone.conflicts:
                print(f"  undo reported {len(undone.conflicts)} conflicts", flush=True)
            reopen_posts(blog, open_ids)  # a no-op when undo re-opened them all

        def wp() -> None:
            with blog.engine.connect() as conn:
                max_post = int(scalar(conn, f"SELECT MAX(ID) FROM {p}"))
                max_pm = int(scalar(conn, f"SELECT COALESCE(MAX(meta_id), 0) FROM {pm}"))
            out, _ = ctx.wp.run("bulk_edit", str(bulk_file))
            assert out["updated"] == len(bulk_ids), out
            per.wp.append(out["per_post_ms"])
            total.wp.append(out["per_post_ms"] * len(open_ids) / 1000)
            # Undo what bulk edit wrote besides ping_status: revisions, _edit_last,
            # _pingme/_encloseme. post_modified stays bumped (it costs nothing here).
            with blog.engine.begin() as conn:
                conn.exec_driver_sql(f"DELETE FROM {pm} WHERE meta_id > {max_pm}")
                conn.exec_driver_sql(f"DELETE FROM {p} WHERE ID > {max_post}")
            reopen_posts(blog, bulk_ids)

        for f in (pd, wp) if r % 2 == 0 else (wp, pd):
            f()
        print(
            f"  run {r + 1}: pingdesk {total.pd[-1]:.2f} s ({per.pd[-1] * 1000:.1f} us/post), "
            f"WordPress {per.wp[-1]:.1f} ms/post",
            flush=True,
        )
    return [total, per, reopen]


# -- EXPLAIN of the engine's reads ----------------------------------------------------


def explain_reads(blog: Blog) -> None:
    """EXPLAIN every statement list_pings() and count_pings() send, to check that they
    use WordPress's indexes."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(blog.engine, "before_cursor_execute", capture)
    try:
        blog.forget_options()
        list_pings(blog, PingFilter(status="pending"), limit=20)
        count_pings(blog)
    finally:
        event.remove(blog.engine, "before_cursor_execute", capture)
    with blog.engine.connect() as conn:
        for statement, params in seen:
            print("\n" + " ".join(statement.split())[:400])
            res = conn.exec_driver_sql("EXPLAIN " + statement, params)
            cols = list(res.keys())
            print("  " + " | ".join(cols))
            for r in res:
                print("  " + " | ".join("" if v is None else str(v) for v in r))


# -- main ---------------------------------------------------------------------------


def environment(blog: Blog) -> list[str]:
    t = blog.tables
    with blog.engine.connect() as conn:
        version = scalar(conn, "SELECT VERSION()")
        pool = int(scalar(conn, "SELECT @@innodb_buffer_pool_size"))
        n_posts = scalar(conn, f"SELECT COUNT(*) FROM {t.posts.name}")
        n_comments = scalar(conn, f"SELECT COUNT(*) FROM {t.comments.name}")
    counts = count_pings(blog)
    pings = sum(sum(v.values()) for v in counts.by_status.values())
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"machine: {os.cpu_count()} cores {cpu}, {platform.system()} {platform.release()}",
        f"MariaDB {version}, innodb_buffer_pool_size {pool // 1048576} MB; "
        f"PHP {php_version()}, Python {platform.python_version()}",
        f"blog: {n_posts:,} posts, {n_comments:,} comments, {pings:,} pings, "
        f"{counts.total('pending'):,} pending pings",
    ]


def php_version() -> str:
    out = subprocess.run(
        ["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", help="database (default pd_bench, pd_bench_quick with --quick)")
    ap.add_argument("--prefix", default="wp_")
    ap.add_argument("--quick", action="store_true", help="5%% blog, fewer runs: a smoke run")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"sections: {','.join(SECTIONS)}")
    ap.add_argument("--runs-fast", type=int, help="runs of the fast measures (default 5)")
    ap.add_argument("--runs-slow", type=int, help="runs of the slow measures (default 3)")
    ap.add_argument("--moderate", type=int, help="pings per moderation run (default 10000)")
    ap.add_argument("--wp-sample", type=int, help="pings per WordPress run (default 500)")
    ap.add_argument("--bulk", type=int, help="posts per WordPress bulk edit (default 999)")
    ap.add_argument("--explain", action="store_true", help="EXPLAIN the engine's reads")
    ap.add_argument("--no-generate", action="store_true", help="fail instead of generating")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    for s in sections:
        if s not in SECTIONS:
            ap.error(f"unknown section {s!r}")
    q = args.quick
    db = args.db or ("pd_bench_quick" if q else "pd_bench")
    if not all(ch.isalnum() or ch == "_" for ch in db):
        ap.error("--db: letters, digits and underscores only")

    spec = gen_blog.spec_from_args(
        gen_blog.build_parser().parse_args(
            ["--prefix", args.prefix, *(["--scale", "0.05"] if q else [])]
        )
    )
    if args.no_generate:
        found, _ = gen_blog.existing_spec(db, args.prefix)
        if found is None or found.get("dirty"):
            raise SystemExit(f"{db} has no usable generated blog; run bench/gen_blog.py first")
    else:
        gen_blog.ensure(db, spec, reuse=True)

    url = f"mysql+pymysql://root@{gen_blog.HOST}:3306/{db}"
    blog = connect(resolve_target(db=url, prefix=args.prefix, env={}))
    print("\n".join(environment(blog)), flush=True)
    if args.explain:
        explain_reads(blog)

    with tempfile.TemporaryDirectory(prefix="pd_bench_run_") as tmp:
        ctx = Ctx(
            blog=blog,
            wp=WordPress(db, args.prefix, spec.home),
            url=url,
            prefix=args.prefix,
            runs_fast=args.runs_fast or (3 if q else 5),
            runs_slow=args.runs_slow or (2 if q else 3),
            n_moderate=args.moderate or (1000 if q else 10_000),
            wp_sample=args.wp_sample or (100 if q else 500),
            n_bulk=args.bulk or (99 if q else 999),
            tmp=Path(tmp),
            seed=args.seed,
            explain=args.explain,
        )
        rows: list[Row] = []
        runners = {
            "read": section_read,
            "cli": section_cli,
            "moderate": section_moderate,
            "close": section_close,
        }
        for name in sections:
            print(f"\n[{name}]", flush=True)
            if name in ("moderate", "close"):
                # Cleared only once every change is put back (see gen_blog.DIRTY_OPTION).
                gen_blog.set_dirty(db, args.prefix, True)
            rows += runners[name](ctx)
        gen_blog.set_dirty(db, args.prefix, False)
    print(f"\nmedians (fast: {ctx.runs_fast} runs, slow: {ctx.runs_slow} runs)")
    print_table(rows)
    blog.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
