"""Generate a WordPress multisite network of many sites in MariaDB for the network benchmark.

    python bench/gen_network.py                   # pd_bench_net, 1,000 sites (about a minute)
    python bench/gen_network.py --sites 200       # smaller
    python bench/gen_network.py --reuse           # keep pd_bench_net if it has this shape

How (issue 12):

1. WordPress's own code makes the network: wp_install() for the main site, then
   install_network() + populate_network() (what Tools > Network Setup does), a
   subdirectory network on --home's host (bench/wp_network.php, booted by wp_boot.php
   with PD_MULTISITE).
2. wpmu_create_blog() makes sites 2, 3 and 4 (/site2/ ...), so their tables, options,
   roles, default content and the global rows are exactly what WordPress makes.
3. Every further site N is a clone of site 2, the way wpmu_create_blog() would have left
   it: `CREATE TABLE {base}N_t LIKE {base}2_t` + `INSERT ... SELECT` for each site table,
   siteurl/home/blogname and the `{base}2_user_roles` option name rewritten, guids and
   the sample page's links moved to /siteN/; and the global rows wp_insert_site() and
   wp_initialize_site() write: `{base}blogs` (public 1), the admin's
   `{base}N_capabilities` / `{base}N_user_level` usermeta, `{base}registration_log`
   (`{base}blogmeta` gets nothing from WordPress 6.1 here). blog_count in sitemeta is
   updated at the end as wp_update_network_site_counts() would.
4. Content per site, by bench/gen_blog.py's generators (LOAD DATA): posts, comments,
   pings (pingbacks, trackbacks, a few webmentions with protocol / webmention_source_url
   meta). 70% of live sites have no pending ping; the others a few to hundreds
   (log-uniform), a handful thousands. ~2% of sites archived, ~1% spam, ~1% deleted,
   each WITH pending pings (a network queue must leave them out, as Network Admin's
   lists of live sites do). comment_count and term counts recounted per site.

The spec is stored in the main site's option pingdesk_bench_spec (as gen_blog.py).
Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_blog  # noqa: E402

SPEC_OPTION = gen_blog.SPEC_OPTION
# Sites made by wpmu_create_blog() itself; site 2 is the template of the clones.
WP_MADE = (2, 3, 4)
TEMPLATE = 2
SITE_TABLES = (
    "commentmeta",
    "comments",
    "links",
    "options",
    "postmeta",
    "posts",
    "term_relationships",
    "term_taxonomy",
    "termmeta",
    "terms",
)
DAY = 86400.0


@dataclass(frozen=True)
class NetSpec:
    """What the network must look like; stored so --reuse can check it."""

    sites: int
    prefix: str
    home: str
    seed: int
    version: int = 1  # bump when the generator's output changes shape


@dataclass
class SitePlan:
    blog_id: int
    pending: int  # pending pings wanted (approximately: statuses are drawn)
    comments: int  # all comments, pings included
    posts: int
    archived: int = 0
    spam: int = 0
    deleted: int = 0
    registered: float = 0.0

    @property
    def live(self) -> bool:
        return not (self.archived or self.spam or self.deleted)


@dataclass
class Totals:
    sites: int = 0
    live: int = 0
    archived: int = 0
    spam: int = 0
    deleted: int = 0
    live_with_pending: int = 0
    posts: int = 0
    comments: int = 0
    pingbacks: int = 0
    trackbacks: int = 0
    webmentions: int = 0
    pending_live: int = 0
    pending_excluded: int = 0
    max_pending: tuple[int, int] = (0, 0)  # (pending, blog_id)
    per_site: dict[int, int] = field(default_factory=dict)  # blog_id -> pending pings


def site_prefix(base: str, blog_id: int) -> str:
    return base if blog_id == 1 else f"{base}{blog_id}_"


def site_home(home: str, blog_id: int) -> str:
    return home if blog_id == 1 else f"{home}/site{blog_id}"


# -- planning --------------------------------------------------------------------------


def plan_sites(spec: NetSpec, rnd: random.Random, now: float) -> list[SitePlan]:
    """Per-site sizes and flags. Decided before anything is written, from the seed."""
    ids = list(range(1, spec.sites + 1))
    clones = [i for i in ids if i > max(WP_MADE)]
    n = len(ids)
    flagged = rnd.sample(clones, min(len(clones), max(3, round(0.04 * n))))
    n_arch, n_spam = max(1, round(0.02 * n)), max(1, round(0.01 * n))
    archived = set(flagged[:n_arch])
    spam = set(flagged[n_arch : n_arch + n_spam])
    deleted = set(flagged[n_arch + n_spam :])
    rest = [i for i in ids if i not in archived | spam | deleted]
    # A handful of big queues (thousands), always including one WordPress-made site.
    big = {3, *rnd.sample([i for i in rest if i != 3], max(0, max(1, n // 200) - 1))}
    plans = []
    for blog_id in ids:
        if blog_id in big:
            pending = rnd.randint(1500, 5000)
        elif blog_id in archived | spam | deleted or blog_id in (1, 2):
            pending = rnd.randint(5, 200)
        elif blog_id == 4 or rnd.random() < 0.7:
            pending = 0  # most sites: nothing waiting (site 4: a WordPress-made one)
        else:
            pending = round(3 * 100 ** rnd.random())  # log-uniform 3 .. 300
        if pending:
            # Pings ~30% of comments; ~60% of the pings pending (the rest approved,
            # spam, trash, as gen_blog.gen_comments draws them).
            comments = int(pending / 0.6 / 0.3) + rnd.randint(10, 60)
        else:
            comments = rnd.randint(5, 80)
        posts = max(5, min(3000, comments // 15))
        plans.append(
            SitePlan(
                blog_id=blog_id,
                pending=pending,
                comments=comments,
                posts=posts,
                archived=int(blog_id in archived),
                spam=int(blog_id in spam),
                deleted=int(blog_id in deleted),
                registered=now - rnd.uniform(400, 3000) * DAY,
            )
        )
    return plans


# -- WordPress --------------------------------------------------------------------------


def wp_network(db: str, spec: NetSpec, *args: str, installing: bool = False) -> dict[str, Any]:
    extra = {"PD_INSTALLING": "1"} if installing else {"PD_MULTISITE": "1"}
    out = subprocess.run(
        ["php", str(HERE / "wp_network.php"), *args],
        env=gen_blog.php_env(db, spec.prefix, spec.home, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"wp_network.php {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# -- cloning ----------------------------------------------------------------------------


def clone_site(cur: Any, spec: NetSpec, blog_id: int) -> None:
    """Site ``blog_id`` as wpmu_create_blog() would have made it: site 2's tables and rows,
    with what differs from site to site rewritten."""
    base = spec.prefix
    src, dst = site_prefix(base, TEMPLATE), site_prefix(base, blog_id)
    for t in SITE_TABLES:
        cur.execute(f"CREATE TABLE `{dst}{t}` LIKE `{src}{t}`")
        cur.execute(f"INSERT INTO `{dst}{t}` SELECT * FROM `{src}{t}`")
    home = site_home(spec.home, blog_id)
    cur.execute(
        f"UPDATE `{dst}options` SET option_value = CASE option_name "
        "WHEN 'blogname' THEN %s ELSE %s END "
        "WHERE option_name IN ('siteurl', 'home', 'blogname')",
        (f"Site {blog_id}", home),
    )
    cur.execute(
        f"UPDATE `{dst}options` SET option_name = %s WHERE option_name = %s",
        (f"{dst}user_roles", f"{src}user_roles"),
    )
    old, new = f"/site{TEMPLATE}/", f"/site{blog_id}/"
    cur.execute(
        f"UPDATE `{dst}posts` SET guid = REPLACE(guid, %s, %s), "
        "post_content = REPLACE(post_content, %s, %s)",
        (old, new, old, new),
    )


def global_rows(cur: Any, spec: NetSpec, plans: list[SitePlan]) -> None:
    """What wp_insert_site() / wp_initialize_site() write outside the site's tables, for
    the cloned sites; the flags of every site (WordPress-made ones included)."""
    base = spec.prefix
    host = spec.home.split("://", 1)[1].split("/", 1)[0]
    clones = [p for p in plans if p.blog_id > max(WP_MADE)]
    cur.executemany(
        f"INSERT INTO `{base}blogs` (blog_id, site_id, domain, path, registered, last_updated, "
        "public, archived, mature, spam, deleted, lang_id) "
        "VALUES (%s, 1, %s, %s, %s, %s, 1, 0, 0, 0, 0, 0)",
        [
            (
                p.blog_id,
                host,
                f"/site{p.blog_id}/",
                gen_blog.fmt(p.registered),
                gen_blog.fmt(p.registered),
            )
            for p in clones
        ],
    )
    cur.executemany(
        f"INSERT INTO `{base}usermeta` (user_id, meta_key, meta_value) VALUES (1, %s, %s)",
        [
            row
            for p in clones
            for row in (
                (f"{base}{p.blog_id}_capabilities", 'a:1:{s:13:"administrator";b:1;}'),
                (f"{base}{p.blog_id}_user_level", "10"),
            )
        ],
    )
    cur.executemany(
        f"INSERT INTO `{base}registration_log` (email, IP, blog_id, date_registered) "
        "VALUES ('admin@bench.test', '127.0.0.1', %s, %s)",
        [(p.blog_id, gen_blog.fmt(p.registered)) for p in clones],
    )
    # Flags as update_blog_status() leaves them (it also bumps last_updated).
    cur.executemany(
        f"UPDATE `{base}blogs` SET archived = %s, spam = %s, deleted = %s, "
        "last_updated = UTC_TIMESTAMP() WHERE blog_id = %s",
        [(p.archived, p.spam, p.deleted, p.blog_id) for p in plans if not p.live],
    )
    cur.execute(
        f"UPDATE `{base}sitemeta` SET meta_value = (SELECT COUNT(*) FROM `{base}blogs` "
        "WHERE spam = 0 AND deleted = 0 AND archived = 0 AND site_id = 1) "
        "WHERE meta_key = 'blog_count' AND site_id = 1"
    )


# -- content ----------------------------------------------------------------------------


def fill_site(
    conn: Any,
    spec: NetSpec,
    plan: SitePlan,
    text: gen_blog.Text,
    terms: gen_blog.Terms,
    load: gen_blog.Loader,
    end: float,
) -> dict[str, int]:
    prefix = site_prefix(spec.prefix, plan.blog_id)
    with conn.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(ID), 0) FROM `{prefix}posts`")
        first_post = int(cur.fetchone()[0]) + 1
        cur.execute(f"SELECT COALESCE(MAX(comment_ID), 0) FROM `{prefix}comments`")
        first_comment = int(cur.fetchone()[0]) + 1
    ping_share = 0.3
    site_spec = gen_blog.Spec(
        posts=plan.posts,
        comments=plan.comments,
        ping_share=ping_share,
        pending_pings=plan.pending,
        prefix=prefix,
        home=site_home(spec.home, plan.blog_id),
        seed=spec.seed,
    )
    start = max(plan.registered, end - 3 * 365.25 * DAY)
    posts = gen_blog.gen_posts(site_spec, first_post, start, end, text, terms, load, 50_000)
    return gen_blog.gen_comments(site_spec, first_comment, start, end, posts, text, load, 50_000)


def recount(cur: Any, spec: NetSpec, blog_id: int) -> None:
    """comment_count as wp_update_comment_count_now(); term counts as
    _update_post_term_count() (gen_blog.build's statements, per site)."""
    gen_blog.recount(cur, site_prefix(spec.prefix, blog_id))


def count_pending(cur: Any, spec: NetSpec, blog_id: int) -> int:
    p = site_prefix(spec.prefix, blog_id)
    cur.execute(
        f"SELECT COUNT(*) FROM `{p}comments` WHERE comment_approved = '0' "
        "AND comment_type IN ('pingback', 'trackback')"
    )
    return int(cur.fetchone()[0])


# -- the whole build ----------------------------------------------------------------------


def build(spec: NetSpec, db: str, *, log: Callable[[str], None] = print) -> Totals:
    t_all = time.perf_counter()
    conn = gen_blog.connect()
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
        cur.execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci")
    conn.close()

    t = time.perf_counter()
    wp_network(db, spec, "install", installing=True)
    made = wp_network(db, spec, "create", *(f"/site{i}/" for i in WP_MADE if i <= spec.sites))
    log(
        f"  wp_install() + install_network() + populate_network() + wpmu_create_blog() "
        f"x{len(made['blog_ids'])}: {time.perf_counter() - t:.1f}s"
    )
    if made["blog_ids"] != [i for i in WP_MADE if i <= spec.sites]:
        raise SystemExit(f"wpmu_create_blog() gave ids {made['blog_ids']}, expected {WP_MADE}")

    rnd = random.Random(spec.seed)
    end_dt = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
    end = (end_dt - gen_blog.EPOCH).total_seconds()
    plans = plan_sites(spec, rnd, end)
    conn = gen_blog.connect(db)

    # Categories and tags on WordPress's sites (the clones copy site 2's).
    t = time.perf_counter()
    terms: dict[int, gen_blog.Terms] = {}
    for blog_id in (1, *WP_MADE):
        if blog_id <= spec.sites:
            prefix = site_prefix(spec.prefix, blog_id)
            terms[blog_id] = gen_blog.gen_terms(conn, prefix, rnd, n_cats=8, n_tags=40)
    with conn.cursor() as cur:
        for plan in plans:
            if plan.blog_id > max(WP_MADE):
                clone_site(cur, spec, plan.blog_id)
        global_rows(cur, spec, plans)
    log(f"  {max(0, spec.sites - max(WP_MADE))} sites cloned: {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    text = gen_blog.Text(rnd)
    totals = Totals(sites=spec.sites)
    with tempfile.TemporaryDirectory(prefix="pd_bench_net_") as tmp:
        load = gen_blog.Loader(db, Path(tmp))
        try:
            for plan in plans:
                stats = fill_site(
                    conn, spec, plan, text, terms.get(plan.blog_id, terms[TEMPLATE]), load, end
                )
                totals.posts += plan.posts
                totals.comments += stats["comments"]
                totals.pingbacks += stats["pingbacks"]
                totals.trackbacks += stats["trackbacks"]
                totals.webmentions += stats["webmentions"]
        finally:
            load.close()
    log(f"  posts and comments generated and loaded: {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    with conn.cursor() as cur:
        for plan in plans:
            recount(cur, spec, plan.blog_id)
            pending = count_pending(cur, spec, plan.blog_id)
            totals.per_site[plan.blog_id] = pending
            if plan.live:
                totals.live += 1
                totals.pending_live += pending
                totals.live_with_pending += pending > 0
                totals.max_pending = max(totals.max_pending, (pending, plan.blog_id))
            else:
                totals.pending_excluded += pending
            totals.archived += plan.archived
            totals.spam += plan.spam
            totals.deleted += plan.deleted
        cur.execute(
            f"INSERT INTO `{spec.prefix}options` (option_name, option_value, autoload) "
            "VALUES (%s, %s, 'no')",
            (SPEC_OPTION, json.dumps(asdict(spec), sort_keys=True)),
        )
    conn.close()
    log(f"  recount: {time.perf_counter() - t:.1f}s")
    log(f"done in {time.perf_counter() - t_all:.0f}s")
    return totals


def report(totals: Totals, log: Callable[[str], None] = print) -> None:
    t = totals
    log(
        f"sites: {t.sites:,} ({t.live:,} live; {t.archived} archived, {t.spam} spam, "
        f"{t.deleted} deleted)"
    )
    log(
        f"live sites with pending pings: {t.live_with_pending:,}; pending pings on live "
        f"sites: {t.pending_live:,} (most on one site: {t.max_pending[0]:,}, site "
        f"{t.max_pending[1]}); on archived/spam/deleted sites: {t.pending_excluded:,}"
    )
    log(
        f"posts: {t.posts:,}; comments: {t.comments:,}; pingbacks: {t.pingbacks:,}; "
        f"trackbacks: {t.trackbacks:,}; webmentions: {t.webmentions:,}"
    )


# -- reuse --------------------------------------------------------------------------------


def existing(db: str, spec: NetSpec) -> tuple[dict[str, Any] | None, int]:
    """The spec stored by a finished run and the number of sites in {base}blogs."""
    found, _ = gen_blog.existing_spec(db, spec.prefix)
    if not found or found.get("dirty"):
        return found, 0
    conn = gen_blog.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM `{spec.prefix}blogs`")
            return found, int(cur.fetchone()[0])
    finally:
        conn.close()


def ensure(db: str, spec: NetSpec, *, reuse: bool, log: Callable[[str], None] = print) -> None:
    """Build the network unless --reuse finds one with exactly this spec (the API
    bench_network.py calls)."""
    if reuse:
        found, n = existing(db, spec)
        if found == asdict(spec) and n == spec.sites:
            log(f"reusing {db}: {n:,} sites (spec matches)")
            return
        log(f"{db}: {'different spec' if found else 'not there or unfinished'}; generating")
    log(f"generating {db} ({spec.sites:,} sites)")
    report(build(spec, db, log=log), log)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="pd_bench_net", help="database name (dropped and recreated)")
    ap.add_argument("--sites", type=int, default=1000, help="sites in the network, main included")
    ap.add_argument("--prefix", default="wp_")
    ap.add_argument("--home", default="http://network.test", help="the network's address")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="keep the database if its spec matches")
    return ap


def spec_from_args(args: argparse.Namespace) -> NetSpec:
    return NetSpec(sites=args.sites, prefix=args.prefix, home=args.home.rstrip("/"), seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not all(c.isalnum() or c == "_" for c in args.db):
        ap.error("--db: letters, digits and underscores only")
    if args.sites < max(WP_MADE) + 1:
        ap.error(f"--sites: at least {max(WP_MADE) + 1}")
    ensure(args.db, spec_from_args(args), reuse=args.reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
