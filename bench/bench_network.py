"""The network-wide queue (issue 12) on a 1,000-site network, beside the per-site loop.

    python bench/bench_network.py                      # pd_bench_net (made if missing), 5 runs
    python bench/bench_network.py --runs 3 --json out.json
    python bench/bench_network.py --scope site:2       # pingdesk commands on one site (--site 2)
    python bench/bench_network.py --only naive,pingdesk-list

The network is bench/gen_network.py's (WordPress's installer + wpmu_create_blog(), the
rest cloned; ~30% of live sites with pending pings, 4% archived/spam/deleted sites with
pending pings that must be left out). Every figure is a median of --runs, each measure a
fresh start, the measures alternating order (list order in odd runs, reversed in even
runs) after one untimed warming pass. Measured, each one entry of measures():

- naive-list: what a per-site loop costs. One PyMySQL connection; the live sites from
  {base}blogs (archived = spam = deleted = 0), then for each one serial `SELECT ... FROM
  {prefix}comments WHERE comment_approved = '0' AND comment_type IN ('pingback',
  'trackback') ORDER BY comment_date_gmt DESC LIMIT 150`; merged newest first.
- naive-counts: the same loop counting pings by status (webmentions found by their
  `protocol` meta) — full counts, one serial query per live site.
- union-floor: the batched way in plain SQL (no pingdesk): the same per-site SELECTs glued
  with UNION ALL, 100 sites per statement, merged. A floor for the first screen.
- wp-php: WordPress's API, one php-cli process (bench/wp_network.php queue):
  get_sites() of live sites, switch_to_blog() + get_comments() (150 pending
  pingbacks/trackbacks, comment_date_gmt DESC) + restore_current_blog() per site. "first"
  is the loop timed inside PHP; "exit" the whole process.
- pingdesk-list: `pingdesk --db URL --network list --status pending --limit 150 --format
  jsonl`, whole process: time to the first line and to exit. Its rows are compared with
  naive-list's (pingbacks/trackbacks only there: a pending webmention may push one out).
- pingdesk-counts: `pingdesk --db URL --network counts --format json`: to exit; its
  `pending` total is checked against naive-counts' (live sites only).
- pingdesk-tui: `pingdesk --db URL --network` on an 80x24 pty (bench_tui.Terminal): time
  until a row of the queue is drawn (the source domain of one of the newest pending pings
  appears in the terminal output). Target: first screen <= 1 s.

A measure that fails prints its error and is dropped; the others go on. --scope site:N
runs the pingdesk commands with `--site N` instead of `--network` and the baselines on
that one site (to check the machinery before `--network` exists).
Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_blog  # noqa: E402
import gen_network  # noqa: E402

LIMIT = 150
TUI_SIZE = (80, 24)
TUI_TARGET = 1.0
PINGS = "('pingback', 'trackback')"
UNION_BATCH = 100


@dataclass
class Sample:
    total: float  # seconds to the end (process exit, last row merged)
    first: float | None = None  # seconds to the first line / first row on screen
    note: str = ""
    data: Any = None  # what a check needs (rows, counts)


@dataclass
class Measure:
    key: str
    label: str
    run: Callable[[], Sample]
    first_label: str = ""
    samples: list[Sample] = field(default_factory=list)
    error: str = ""


@dataclass
class Context:
    db: str
    prefix: str
    url: str
    scope: list[str]  # ["--network"] or ["--site", "N"]
    sites: list[int]  # the live sites the baselines loop over
    env: dict[str, str]
    pingdesk: list[str]
    expected: dict[str, Any] = field(default_factory=dict)  # filled by the baselines
    paths: dict[str, int] = field(default_factory=dict)  # "/site2/" -> 2
    flagged: set[int] = field(default_factory=set)  # archived, spam or deleted sites


# -- baselines -----------------------------------------------------------------------------


def live_sites(cur: Any, prefix: str) -> list[int]:
    cur.execute(
        f"SELECT blog_id FROM `{prefix}blogs` WHERE archived = 0 AND spam = 0 AND deleted = 0 "
        "ORDER BY blog_id"
    )
    return [int(r[0]) for r in cur.fetchall()]


def site_query(prefix: str, blog_id: int) -> str:
    t = gen_network.site_prefix(prefix, blog_id) + "comments"
    return (
        f"SELECT {blog_id} AS site, comment_ID, comment_post_ID, comment_type, comment_author, "
        f"comment_author_url, comment_author_IP, comment_date_gmt FROM `{t}` "
        f"WHERE comment_approved = '0' AND comment_type IN {PINGS} "
        f"ORDER BY comment_date_gmt DESC LIMIT {LIMIT}"
    )


def newest(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The LIMIT newest of the merged rows (date, then id, descending)."""
    return heapq.nlargest(LIMIT, rows, key=lambda r: (r[7], r[0], r[1]))


def naive_list(ctx: Context) -> Sample:
    t = time.perf_counter()
    conn = gen_blog.connect(ctx.db)
    rows: list[tuple[Any, ...]] = []
    try:
        with conn.cursor() as cur:
            sites = live_sites(cur, ctx.prefix) if ctx.scope == ["--network"] else ctx.sites
            for blog_id in sites:
                cur.execute(site_query(ctx.prefix, blog_id))
                rows.extend(cur.fetchall())
        top = newest(rows)
    finally:
        conn.close()
    total = time.perf_counter() - t
    return Sample(total, note=f"{len(sites)} queries, {len(top)} rows", data=top)


def counts_query(prefix: str, blog_id: int) -> str:
    p = gen_network.site_prefix(prefix, blog_id)
    return (
        f"SELECT c.comment_approved, COUNT(*) FROM `{p}comments` c "
        f"WHERE c.comment_type IN {PINGS} OR EXISTS (SELECT 1 FROM `{p}commentmeta` m "
        "WHERE m.comment_id = c.comment_ID AND m.meta_key = 'protocol' "
        "AND m.meta_value = 'webmention') GROUP BY c.comment_approved"
    )


def naive_counts(ctx: Context) -> Sample:
    t = time.perf_counter()
    conn = gen_blog.connect(ctx.db)
    per_site: dict[int, dict[str, int]] = {}
    try:
        with conn.cursor() as cur:
            sites = live_sites(cur, ctx.prefix) if ctx.scope == ["--network"] else ctx.sites
            for blog_id in sites:
                cur.execute(counts_query(ctx.prefix, blog_id))
                per_site[blog_id] = {str(s): int(n) for s, n in cur.fetchall()}
    finally:
        conn.close()
    total = time.perf_counter() - t
    pending = sum(c.get("0", 0) for c in per_site.values())
    with_pending = sum(1 for c in per_site.values() if c.get("0"))
    return Sample(
        total,
        note=f"{len(sites)} queries; {pending:,} pending on {with_pending} sites",
        data={"pending": pending, "per_site": {k: v.get("0", 0) for k, v in per_site.items()}},
    )


def union_floor(ctx: Context) -> Sample:
    t = time.perf_counter()
    conn = gen_blog.connect(ctx.db)
    rows: list[tuple[Any, ...]] = []
    try:
        with conn.cursor() as cur:
            sites = live_sites(cur, ctx.prefix) if ctx.scope == ["--network"] else ctx.sites
            for i in range(0, len(sites), UNION_BATCH):
                batch = sites[i : i + UNION_BATCH]
                union = " UNION ALL ".join(f"({site_query(ctx.prefix, b)})" for b in batch)
                cur.execute(
                    f"SELECT * FROM ({union}) u ORDER BY comment_date_gmt DESC LIMIT {LIMIT}"
                )
                rows.extend(cur.fetchall())
        top = newest(rows)
    finally:
        conn.close()
    total = time.perf_counter() - t
    n = -(-len(sites) // UNION_BATCH)
    return Sample(total, note=f"{n} statements, {len(top)} rows", data=top)


def wp_php(ctx: Context) -> Sample:
    spec_home = ctx.expected.get("home", "http://network.test")
    env = gen_blog.php_env(ctx.db, ctx.prefix, spec_home, PD_MULTISITE="1")
    ids = [] if ctx.scope == ["--network"] else [str(b) for b in ctx.sites]
    t = time.perf_counter()
    out = subprocess.run(
        ["php", str(HERE / "wp_network.php"), "queue", str(LIMIT), *ids],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - t
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"wp_network.php queue: exit {out.returncode}\n{out.stderr[-1500:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return Sample(
        total,
        first=res["queue_ms"] / 1000,
        note=f"{res['sites']} sites switched to, {res['rows']} rows; boot {res['boot_ms']:.0f} ms",
    )


# -- pingdesk ------------------------------------------------------------------------------


def run_process(argv: list[str], env: dict[str, str], timeout: float = 600) -> Sample:
    """A whole process with its stdout read through a pipe: first byte and exit times."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first: float | None = None
    chunks: list[bytes] = []
    while chunk := proc.stdout.read1(1 << 16):
        if first is None:
            first = time.perf_counter() - start
        chunks.append(chunk)
    err = proc.stderr.read()
    code = proc.wait(timeout)
    total = time.perf_counter() - start
    if code != 0:
        said = err.decode(errors="replace").strip()
        first = said.splitlines()[0] if said else "(nothing on stderr)"
        raise RuntimeError(f"exit {code}: {first}\n{' '.join(argv[1:])}\n{said[-1500:]}")
    return Sample(total, first=first, data=b"".join(chunks).decode())


def site_of(value: Any, paths: dict[str, int]) -> int | None:
    """A site as an output may name it: its id, "2", "/site2/", "network.test/site2/", or an
    object with an id; None when it cannot be told."""
    if isinstance(value, dict):
        value = value.get("id", value.get("blog_id", value.get("site_id")))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    path = "/" + text.split("/", 1)[1] if "/" in text and not text.startswith("/") else text
    return paths.get(path if path.endswith("/") else path + "/")


def row_key(row: dict[str, Any], paths: dict[str, int]) -> tuple[int | None, int | None]:
    site = row.get("site_id", row.get("blog_id", row.get("site")))
    ident = row.get("id", row.get("comment_ID"))
    return site_of(site, paths), int(ident) if isinstance(ident, int | str) else None


def check_list(ctx: Context, rows: list[dict[str, Any]]) -> str:
    """How pingdesk's rows compare with naive-list's top 150."""
    naive = ctx.expected.get("naive-list")
    if naive is None or not rows:
        return ""
    keys = {row_key(r, ctx.paths) for r in rows}
    if ctx.scope != ["--network"]:  # one site's output: ids only
        ours: set[Any] = {i for _, i in keys}
        theirs: set[Any] = {int(r[1]) for r in naive}
    else:
        if any(site is None for site, _ in keys):
            return "; rows carry no site this script can read (site / site_id / blog_id)"
        ours = set(keys)
        theirs = {(int(r[0]), int(r[1])) for r in naive}
    flagged = {site for site, _ in keys if site in ctx.flagged}
    note = f"; {len(ours & theirs)}/{len(theirs)} of naive-list's rows"
    return note + (f"; ROWS OF ARCHIVED/SPAM/DELETED SITES {sorted(flagged)}" if flagged else "")


def pingdesk_list(ctx: Context) -> Sample:
    argv = [*ctx.pingdesk, *ctx.scope, "list", "--status", "pending"]
    s = run_process([*argv, "--limit", str(LIMIT), "--format", "jsonl"], ctx.env)
    rows = [json.loads(line) for line in s.data.splitlines() if line.strip()]
    s.note = f"{len(rows)} lines"
    try:
        s.note += check_list(ctx, rows)
    except Exception as exc:  # a check that cannot read the output must not drop the timing
        s.note += f"; check failed: {exc}"
    return s


def check_counts(ctx: Context, out: Any) -> str:
    """pingdesk's totals against naive-counts' (live sites), its per-site list too."""
    if not isinstance(out, dict):
        return "; not a JSON object"
    pending = out.get("pending")
    if isinstance(pending, dict):  # one site's counts: {type: n}
        pending = sum(v for v in pending.values() if isinstance(v, int))
    note = f"pending {pending}"
    expected = ctx.expected.get("naive-counts")
    if expected is not None and isinstance(pending, int):
        ok = pending == expected["pending"]
        note += " = naive-counts" if ok else f" != naive-counts {expected['pending']:,}"
    sites = out.get("sites")
    if isinstance(sites, list):
        listed = {
            site_of(e.get("site_id", e.get("blog_id", e.get("site"))), ctx.paths): e.get("pending")
            for e in sites
        }
        note += f"; {len(sites)} sites listed"
        flagged = sorted(k for k in listed if k in ctx.flagged)
        if flagged:
            note += f"; ARCHIVED/SPAM/DELETED SITES LISTED {flagged[:5]}"
        if expected is not None and None not in listed:
            wrong = [
                k
                for k, n in expected["per_site"].items()
                if n and listed.get(k, 0) != n and k in listed
            ]
            missing = [k for k, n in expected["per_site"].items() if n and k not in listed]
            note += f"; per-site pending: {len(wrong)} differ, {len(missing)} missing"
    return note


def pingdesk_counts(ctx: Context) -> Sample:
    s = run_process([*ctx.pingdesk, *ctx.scope, "counts", "--format", "json"], ctx.env)
    s.first = None
    try:
        s.note = check_counts(ctx, json.loads(s.data)).removeprefix("; ")
    except Exception as exc:  # a check that cannot read the output must not drop the timing
        s.note = f"check failed: {exc}"
    return s


def tui_candidates(ctx: Context) -> list[bytes]:
    """Source domains of the newest pending pings (first 8 characters: the table's
    narrowest source column), one of which must appear when a row is drawn."""
    rows = ctx.expected.get("naive-list") or []
    out: list[bytes] = []
    for r in rows[:40]:
        host = (urlsplit(r[5] or "").hostname or "").removeprefix("www.")
        if len(host) >= 8 and host[:8].encode() not in out:
            out.append(host[:8].encode())
    return out


def pingdesk_tui(ctx: Context) -> Sample:
    from bench_tui import Terminal

    wanted = tui_candidates(ctx)
    if not wanted:
        raise RuntimeError("no pending ping to wait for (naive-list found none)")
    cols, rows = TUI_SIZE
    env = {
        k: v
        for k, v in ctx.env.items()
        if k in ("PATH", "HOME") or k.startswith("XDG_") or k == "LANG"
    }
    env |= {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    t = time.perf_counter()
    term = Terminal([*ctx.pingdesk, *ctx.scope], env, cols, rows)
    try:
        end = t + 30
        while True:
            text = term.text()
            if any(w in text for w in wanted):
                break
            if time.perf_counter() > end:
                tail = text[-600:].decode(errors="replace")
                raise RuntimeError(f"no ping row on screen after 30 s; last output: {tail!r}")
            pid, _ = os.waitpid(term.pid, os.WNOHANG)
            if pid:
                tail = text[-1200:].decode(errors="replace")
                raise RuntimeError(f"the UI exited before showing a row: {tail!r}")
            time.sleep(0.005)
        first = time.perf_counter() - t
        with term.lock:
            painted = term.chunks[0][0] - t if term.chunks else first
    finally:
        term.close()
    return Sample(first, first=first, note=f"{cols}x{rows} pty; first output at {ms(painted)}")


# -- the table -----------------------------------------------------------------------------


def measures(ctx: Context) -> list[Measure]:
    """Every measured command, one entry each (the order is the odd runs' order)."""
    union = f"floor: the same SELECTs in UNION ALL, {UNION_BATCH} sites a statement"
    tui = f"pingdesk TUI, {TUI_SIZE[0]}x{TUI_SIZE[1]}: a ping row on screen"
    return [
        Measure("naive-list", "naive: one serial SELECT … LIMIT 150 per live site, merged",
                lambda: naive_list(ctx)),
        Measure("naive-counts", "naive: one serial count query per live site",
                lambda: naive_counts(ctx)),
        Measure("union-floor", union, lambda: union_floor(ctx)),
        Measure("wp-php", "WordPress: switch_to_blog() + get_comments() per live site (php-cli)",
                lambda: wp_php(ctx), first_label="inside PHP"),
        Measure("pingdesk-list", "pingdesk list --status pending --limit 150 --format jsonl",
                lambda: pingdesk_list(ctx), first_label="first line"),
        Measure("pingdesk-counts", "pingdesk counts --format json (full counts)",
                lambda: pingdesk_counts(ctx)),
        Measure("pingdesk-tui", tui, lambda: pingdesk_tui(ctx), first_label="row drawn"),
    ]  # fmt: skip


def attempt(m: Measure, ctx: Context, *, keep: bool) -> None:
    if m.error:
        return
    try:
        s = m.run()
    except Exception as exc:  # any failure: say it, drop the measure, go on
        m.error = f"{type(exc).__name__}: {exc}".strip()
        print(f"  {m.key}: FAILED — {m.error}", flush=True)
        return
    if m.key in ("naive-list", "naive-counts") and s.data is not None:
        ctx.expected[m.key] = s.data
    if keep:
        m.samples.append(s)
    first = f", first {s.first * 1000:.0f} ms" if s.first is not None else ""
    print(f"  {m.key}: {s.total * 1000:.0f} ms{first}; {s.note}", flush=True)


def ms(v: float | None) -> str:
    return "" if v is None else f"{v * 1000:,.0f} ms"


def table(ms_list: list[Measure]) -> tuple[list[str], dict[str, Any]]:
    lines = ["| measure | first line / row / inside PHP | to exit | note |", "|---|---:|---:|---|"]
    out: dict[str, Any] = {}
    for m in ms_list:
        if m.error or not m.samples:
            why = m.error.splitlines()[0][:120].replace("|", "\\|")
            lines.append(f"| {m.label} | | | failed: {why} |")
            out[m.key] = {"error": m.error}
            continue
        firsts = [s.first for s in m.samples if s.first is not None]
        first = statistics.median(firsts) if firsts else None
        total = statistics.median(s.total for s in m.samples)
        note = m.samples[-1].note
        if m.key == "pingdesk-tui" and first is not None:
            note += f"; target ≤ {TUI_TARGET:g} s: {'met' if first <= TUI_TARGET else 'NOT met'}"
        label = m.label + (f" ({m.first_label})" if m.first_label else "")
        total_cell = "" if m.key == "pingdesk-tui" else ms(total)
        lines.append(f"| {label} | {ms(first)} | {total_cell} | {note} |")
        out[m.key] = {
            "first_s": None if first is None else round(first, 4),
            "total_s": round(total, 4),
            "runs_total_s": [round(s.total, 4) for s in m.samples],
            "note": note,
        }
    return lines, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="pd_bench_net", help="network database (gen_network.py)")
    ap.add_argument("--sites", type=int, default=1000, help="sites, when it must be generated")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scope", default="network", help="network (--network) or site:N (--site N)")
    ap.add_argument("--only", default="", help="comma-separated measure keys")
    ap.add_argument("--no-generate", action="store_true", help="fail if the network is missing")
    ap.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = ap.parse_args(argv)
    if args.scope != "network" and not (
        args.scope.startswith("site:") and args.scope[5:].isdigit()
    ):
        ap.error("--scope: network or site:N")

    spec = gen_network.NetSpec(sites=args.sites, prefix="wp_", home="http://network.test", seed=1)
    if not args.no_generate:
        gen_network.ensure(args.db, spec, reuse=True)
    url = f"mysql+pymysql://root@{gen_blog.HOST}:3306/{args.db}"
    tmp = Path(tempfile.mkdtemp(prefix="pd-bench-net-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGDESK_")}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp / var.lower())
    conn = gen_blog.connect(args.db)
    with conn.cursor() as cur:
        live = live_sites(cur, spec.prefix)
        cur.execute(f"SELECT blog_id, path FROM `{spec.prefix}blogs`")
        paths = {str(path): int(blog_id) for blog_id, path in cur.fetchall()}
        n_sites = len(paths)
    conn.close()
    if args.scope == "network":
        scope, sites = ["--network"], live
    else:
        scope, sites = ["--site", args.scope[5:]], [int(args.scope[5:])]
    ctx = Context(
        db=args.db,
        prefix=spec.prefix,
        url=url,
        scope=scope,
        sites=sites,
        env=env,
        pingdesk=[sys.executable, "-m", "pingdesk", "--db", url],
        expected={"home": spec.home},
        paths=paths,
        flagged=set(paths.values()) - set(live),
    )
    todo = measures(ctx)
    if args.only:
        keys = set(args.only.split(","))
        # The checks of the pingdesk rows need the naive figures: always run those.
        todo = [m for m in todo if m.key in keys or m.key in ("naive-list", "naive-counts")]
    print(
        f"{args.db}: {n_sites:,} sites, {len(live):,} live; scope {' '.join(scope)}; "
        f"{args.runs} runs + 1 warming",
        flush=True,
    )
    for i in range(args.runs + 1):
        print(f"run {i}" + (" (warming, not counted)" if i == 0 else ""), flush=True)
        # The naive figures first in the warming pass: the pingdesk checks read them.
        order = todo if i % 2 == 0 or i == 0 else todo[::-1]
        for m in order:
            attempt(m, ctx, keep=i > 0)
    lines, figures = table(todo)
    print()
    print("\n".join(lines))
    print(
        f"\n(medians of {args.runs} runs; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"
    )
    if args.json:
        doc = {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpus": os.cpu_count(),
            "load": os.getloadavg()[0],
            "python": platform.python_version(),
            "db": args.db,
            "sites": n_sites,
            "live_sites": len(live),
            "scope": " ".join(scope),
            "runs": args.runs,
            "measures": figures,
        }
        Path(args.json).write_text(json.dumps(doc, indent=2) + "\n")
    return 0 if all(not m.error for m in todo) else 1


if __name__ == "__main__":
    sys.exit(main())
