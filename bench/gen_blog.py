"""Generate a large WordPress blog in MariaDB for the benchmarks.

The schema and options are created by WordPress itself (wp_install() through
php-cli, bench/wp_install.php); the bulk rows then go in with LOAD DATA LOCAL
INFILE, which is an order of magnitude faster than anything row by row.

Default: 100k posts over ~15 years (ping_status open), 1M comments of which
~30% are pings (pingbacks, trackbacks, a few webmentions with their protocol
meta), ~100k of those pending, comment_count recounted at the end with one
UPDATE ... JOIN.

    python bench/gen_blog.py                 # pd_bench, full size (a few minutes)
    python bench/gen_blog.py --scale 0.05    # 5k posts / 50k comments, seconds
    python bench/gen_blog.py --reuse         # keep pd_bench if it already has this shape

Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymysql

HERE = Path(__file__).resolve().parent
SPEC_OPTION = "pingdesk_bench_spec"
# Set while a benchmark has rows changed that it has not put back yet: a run killed
# half-way leaves it behind, and --reuse then regenerates instead of measuring a
# blog in an unknown state.
DIRTY_OPTION = "pingdesk_bench_dirty"
HOST = "127.0.0.1"  # the benchmarks never touch anything but the local server
EPOCH = datetime(1970, 1, 1)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Word pools for titles, excerpts and names (fixed, so a seed gives the same blog).
WORDS = _words(
    "about above across action active actual add admin after again against agent album "
    "almost alone along already always amount analysis another answer anyone apart apple "
    "approach archive around article aside audio author autumn average away backup balance "
    "basic battery beach before begin behind better between beyond bicycle block blog board "
    "book border bottom branch bread bridge brief bright broken budget build button cable "
    "camera campaign canvas capital carbon career carry castle cause center chain change "
    "chapter charge cheap check choice circle city class clean clear client climate clock "
    "cloud coast code coffee collect color column comment common community company compare "
    "complete concert config connect contact content context control cookie copy corner "
    "cotton count country course cover craft create credit cross culture current custom "
    "cycle daily damage data debate debug decade default degree delay delta demand design "
    "detail device diary digital dinner direct display distance doctor domain double draft "
    "dream drive early earth easy edge editor effect effort element email empty energy "
    "engine enough entry error escape evening event every exact example expert extra fabric "
    "factor family famous fashion feature field figure filter final finance first flight "
    "floor flower focus follow forest format forum frame free fresh friend front fruit "
    "future galaxy garden gather general gentle glass global golden good graph green group "
    "growth guide habit handle happy harbor health heart heavy helper hidden history holiday "
    "honest horizon hosting house human idea image impact import index inside install "
    "island item journal journey kernel kitchen label language laptop large launch layer "
    "leader learn letter level library light limit linux liquid listen little local logic "
    "market matter measure media memory metal method middle minute mirror mobile model "
    "modern moment money month morning motion mountain music native nature network night "
    "notice number object ocean office online open option orange order origin outline "
    "output owner package paint paper parent party pattern people pepper perfect phone "
    "photo piano picture planet plugin pocket poetry policy portal power practice present "
    "press price print private problem process product profile project public purple "
    "python quality quarter query quick quiet radio random reader recipe record region "
    "release remote report request review river robot rocket route rubber runner safety "
    "sample scale school screen script search season second secret server session shadow "
    "share signal silver simple single sister sketch small social socket solid source space "
    "speed spring square stable station status story street strong studio style summer "
    "sunset supply surface system table target teacher theme thread ticket timber today "
    "token total tower track traffic travel trend update upload urban useful valley value "
    "version video village vision visual volume water weather website weekend window winter "
    "wireless wonder wooden world writer yellow young"
)
FIRST = _words(
    "Anna Ben Clara David Emma Felix Grace Hugo Ines Jonas Karin Liam Mia Noah Olga Paul"
)
LAST = _words("Smith Meyer Rossi Dubois Novak Silva Jensen Kowalski Garcia Brown Müller Costa")
TLDS = ("com", "net", "org", "de", "fr", "io", "co.uk", "info", "blog", "xyz")
SPAM_WORDS = ("cheap", "casino", "loans", "pills", "replica", "crypto", "seo", "bonus")
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/118.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
)
ESC = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class Spec:
    """What the blog must look like; stored in an option so --reuse can check it."""

    posts: int
    comments: int
    ping_share: float
    pending_pings: int
    prefix: str
    home: str
    seed: int
    version: int = 3  # bump when the generator's output changes shape


def fmt(ts: float) -> str:
    return (EPOCH + timedelta(seconds=int(ts))).strftime("%Y-%m-%d %H:%M:%S")


def esc(text: str) -> str:
    """LOAD DATA's default escaping: tabs and newlines must not split fields or rows."""
    return text.translate(ESC)


class Text:
    """Precomputed text pools: random.choice on a pool is far cheaper than composing
    each field from words, and a million rows need that."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        w = WORDS

        def sentence() -> str:
            s = " ".join(rnd.choice(w) for _ in range(rnd.randint(6, 16)))
            return s[0].upper() + s[1:] + "."

        self.sentences = [sentence() for _ in range(4000)]
        self.titles = [
            " ".join(rnd.choice(w) for _ in range(rnd.randint(3, 8))).capitalize()
            for _ in range(5000)
        ]
        self.paragraphs = [
            " ".join(rnd.choice(self.sentences) for _ in range(rnd.randint(2, 5)))
            for _ in range(3000)
        ]
        self.domains = [
            f"{rnd.choice(w)}{rnd.choice(('', '-', ''))}{rnd.choice(w)}.{rnd.choice(TLDS)}"
            for _ in range(20000)
        ]
        self.spam_domains = [
            f"{rnd.choice(SPAM_WORDS)}-{rnd.choice(w)}{rnd.randint(1, 999)}.{rnd.choice(TLDS)}"
            for _ in range(3000)
        ]
        self.names = [f"{a} {b}" for a in FIRST for b in LAST]

    def excerpt(self) -> str:
        return self.rnd.choice(self.sentences) + " " + self.rnd.choice(self.sentences)

    def ip(self) -> str:
        r = self.rnd
        return f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


# -- the installer ---------------------------------------------------------------


def php_env(db: str, prefix: str, home: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PD_DB_NAME=db, PD_DB_HOST=f"{HOST}:3306", PD_DB_USER="root", PD_PREFIX=prefix, PD_HOME=home
    )
    env.update(extra)
    return env


def wp_install(db: str, prefix: str, home: str) -> dict[str, Any]:
    out = subprocess.run(
        ["php", str(HERE / "wp_install.php")],
        env=php_env(db, prefix, home, PD_INSTALLING="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"wp_install() failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# -- loading -----------------------------------------------------------------------


def connect(db: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=HOST,
        port=3306,
        user="root",
        password="",
        database=db,
        charset="utf8mb4",
        local_infile=True,
        autocommit=True,
    )


class Loader:
    """LOAD DATA in a background thread, so generating the next chunk (CPU, in
    Python) overlaps with MariaDB indexing the previous one (its own core)."""

    def __init__(self, db: str, tmp: Path) -> None:
        self.db, self.tmp = db, tmp
        self.q: queue.Queue[tuple[str, list[str], Path] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.rows = 0
        self.n = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        conn = connect(self.db)
        try:
            with conn.cursor() as cur:
                # The bench database is disposable: skip per-row checks while bulk loading.
                cur.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")
                while (job := self.q.get()) is not None:
                    table, cols, path = job
                    if self.error is None:
                        try:
                            cur.execute(
                                f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table}` "
                                f"CHARACTER SET utf8mb4 ({', '.join(f'`{c}`' for c in cols)})",
                                (str(path),),
                            )
                        except BaseException as exc:  # surfaced by close()
                            self.error = exc
                    path.unlink(missing_ok=True)
        finally:
            conn.close()

    def put(self, table: str, cols: list[str], lines: list[str]) -> None:
        if self.error is not None:
            raise self.error
        self.n += 1
        path = self.tmp / f"{table}.{self.n}.tsv"
        path.write_text("".join(lines), encoding="utf-8")
        self.rows += len(lines)
        self.q.put((table, cols, path))

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


# -- generating --------------------------------------------------------------------

POST_COLS = [
    "ID",
    "post_author",
    "post_date",
    "post_date_gmt",
    "post_content",
    "post_title",
    "post_excerpt",
    "post_status",
    "comment_status",
    "ping_status",
    "post_password",
    "post_name",
    "to_ping",
    "pinged",
    "post_modified",
    "post_modified_gmt",
    "post_content_filtered",
    "post_parent",
    "guid",
    "menu_order",
    "post_type",
    "post_mime_type",
    "comment_count",
]
COMMENT_COLS = [
    "comment_ID",
    "comment_post_ID",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_author_IP",
    "comment_date",
    "comment_date_gmt",
    "comment_content",
    "comment_karma",
    "comment_approved",
    "comment_agent",
    "comment_type",
    "comment_parent",
    "user_id",
]
META_COLS = ["comment_id", "meta_key", "meta_value"]


@dataclass
class Posts:
    ids: list[int]  # published posts, by date
    dates: list[float]  # their post_date_gmt as unix time, ascending
    titles: dict[int, str]
    links: dict[int, str]


@dataclass
class Terms:
    """Categories and tags: every saved post makes WordPress recount its terms, so
    their sizes shape what WordPress's own bulk edit costs."""

    cat_ids: list[int]
    cat_cum: list[float]  # cumulative weights for bisect
    tag_ids: list[int]


def gen_terms(conn: Any, prefix: str, rnd: random.Random, n_cats: int, n_tags: int) -> Terms:
    """Categories of uneven size (weight 1/sqrt(rank)), and many small tags.
    term_taxonomy_id = term_id, as on a fresh install; 1 is WordPress's Uncategorized."""
    rows_t, rows_tt = [], []
    used: set[str] = set()
    for k in range(n_cats + n_tags):
        tid = 2 + k
        name = " ".join(rnd.choice(WORDS) for _ in range(1 if k < n_cats else 2)).title()
        slug = name.lower().replace(" ", "-")
        if slug in used:
            slug = f"{slug}-{tid}"
        used.add(slug)
        rows_t.append((tid, name, slug))
        rows_tt.append((tid, tid, "category" if k < n_cats else "post_tag"))
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO `{prefix}terms` (term_id, name, slug, term_group) VALUES (%s, %s, %s, 0)",
            rows_t,
        )
        cur.executemany(
            f"INSERT INTO `{prefix}term_taxonomy` (term_taxonomy_id, term_id, taxonomy, "
            "description, parent, count) VALUES (%s, %s, %s, '', 0, 0)",
            rows_tt,
        )
    cats = [2 + k for k in range(n_cats)]
    acc, cum = 0.0, []
    for rank in range(n_cats):
        acc += 1 / (rank + 1) ** 0.5
        cum.append(acc)
    return Terms(cats, cum, [2 + n_cats + k for k in range(n_tags)])


def gen_posts(
    spec: Spec,
    first_id: int,
    start: float,
    end: float,
    text: Text,
    terms: Terms,
    load: Loader,
    chunk: int,
) -> Posts:
    rnd = text.rnd
    rels: list[str] = []
    rel_cols = ["object_id", "term_taxonomy_id", "term_order"]
    n = spec.posts
    span = end - start
    pub = Posts([], [], {}, {})
    lines: list[str] = []
    used_slugs: set[str] = set()
    for i in range(n):
        pid = first_id + i
        # IDs grow with time, as on a real blog; posts spread evenly over the years.
        ts = start + span * (i + rnd.random()) / n
        kind = "page" if rnd.random() < 0.03 else "post"
        r = rnd.random()
        status = "publish" if r < 0.96 else ("draft" if r < 0.99 else "private")
        title = rnd.choice(text.titles)
        slug = "-".join(title.lower().split()[:6])
        if slug in used_slugs:
            slug = f"{slug}-{pid}"
        used_slugs.add(slug)
        content = "\n\n".join(
            f"<!-- wp:paragraph -->\n<p>{rnd.choice(text.paragraphs)}</p>\n<!-- /wp:paragraph -->"
            for _ in range(rnd.randint(2, 4))
        )
        date = fmt(ts)
        # WordPress keeps a draft's GMT date at zero until it is published.
        date_gmt = "0000-00-00 00:00:00" if status == "draft" else date
        modified = fmt(min(end, ts + rnd.random() * 86400 * 30))
        lines.append(
            "\t".join(
                (
                    str(pid),
                    "1",
                    date,
                    date_gmt,
                    esc(content),
                    esc(title),
                    "",
                    status,
                    "open",
                    "open",
                    "",
                    slug,
                    "",
                    "",
                    modified,
                    modified,
                    "",
                    "0",
                    f"{spec.home}/?{'page_id' if kind == 'page' else 'p'}={pid}",
                    "0",
                    kind,
                    "",
                    "0",
                )
            )
            + "\n"
        )
        if kind == "post":
            top = terms.cat_cum[-1]
            chosen = {terms.cat_ids[bisect.bisect_left(terms.cat_cum, rnd.random() * top)]}
            if rnd.random() < 0.1:
                chosen.add(rnd.choice(terms.cat_ids))
            chosen.update(rnd.sample(terms.tag_ids, rnd.randint(0, 3)))
            rels += [f"{pid}\t{tt}\t0\n" for tt in chosen]
        if status == "publish":
            pub.ids.append(pid)
            pub.dates.append(ts)
            pub.titles[pid] = title
            d = EPOCH + timedelta(seconds=int(ts))
            pub.links[pid] = (
                f"{spec.home}/{slug}/"
                if kind == "page"
                else f"{spec.home}/{d.year:04d}/{d.month:02d}/{slug}/"
            )
        if len(lines) >= chunk:
            load.put(spec.prefix + "posts", POST_COLS, lines)
            load.put(spec.prefix + "term_relationships", rel_cols, rels)
            lines, rels = [], []
    if lines:
        load.put(spec.prefix + "posts", POST_COLS, lines)
    if rels:
        load.put(spec.prefix + "term_relationships", rel_cols, rels)
    return pub


def comment_times(n: int, start: float, end: float, rnd: random.Random) -> Iterator[float]:
    """n ascending times: comment IDs grow with time. More traffic in later years
    (sqrt of uniform), generated in order without sorting a million floats."""
    # Successive uniform order statistics via exponential spacings (Rényi).
    acc = 0.0
    gaps = []
    for _ in range(n + 1):
        acc += rnd.expovariate(1.0)
        gaps.append(acc)
    total = gaps[-1]
    span = end - start
    for k in range(n):
        u = gaps[k] / total
        yield start + span * (u**0.5)


def gen_comments(
    spec: Spec,
    first_id: int,
    start: float,
    end: float,
    posts: Posts,
    text: Text,
    load: Loader,
    chunk: int,
) -> dict[str, int]:
    rnd = text.rnd
    n = spec.comments
    n_pings = int(n * spec.ping_share)
    p_ping = spec.ping_share
    # Of the pings: ~0.5% webmentions, the rest about evenly pingbacks and trackbacks.
    p_pending = min(1.0, spec.pending_pings / max(1, n_pings))
    c_lines: list[str] = []
    m_lines: list[str] = []
    stats = dict.fromkeys(
        ("comments", "pingbacks", "trackbacks", "webmentions", "pending_pings", "meta"), 0
    )
    last_on_post: dict[int, int] = {}
    n_pub = len(posts.ids)
    cut_5_5 = datetime(2020, 8, 11).timestamp()  # WordPress 5.5: '' -> 'comment'
    for k, ts in enumerate(comment_times(n, start, end, rnd)):
        cid = first_id + k
        # A published post that existed then: half on recent posts, half anywhere earlier.
        hi = max(1, bisect.bisect_right(posts.dates, ts, 0, n_pub))
        if rnd.random() < 0.5:
            idx = max(0, hi - 1 - int(rnd.expovariate(1 / 40)))
        else:
            idx = rnd.randrange(hi)
        post_id = posts.ids[idx]
        date = fmt(ts)
        parent = "0"
        meta: list[tuple[str, str]] = []
        r = rnd.random()
        if r < p_ping:
            r2 = rnd.random()
            if r2 < p_pending:
                status = "0"
                stats["pending_pings"] += 1
            else:
                r3 = rnd.random()
                status = "1" if r3 < 0.5 else ("spam" if r3 < 0.9 else "trash")
            r4 = rnd.random()
            excerpt = text.excerpt()
            if r4 < 0.005:
                # Webmention plugin: semantic type, protocol meta, source in meta.
                ctype = rnd.choice(("mention", "mention", "like", "repost", "comment"))
                domain = rnd.choice(text.domains)
                source = f"https://{domain}/{rnd.choice(WORDS)}/{rnd.randint(1, 9999)}/"
                author, author_url = rnd.choice(text.names), f"https://{domain}/"
                content = excerpt
                agent = "Webmention/4.0 (WordPress)"
                meta += [
                    ("protocol", "webmention"),
                    ("webmention_source_url", source),
                    ("webmention_target_url", posts.links[post_id]),
                    ("webmention_created_at", date.replace(" ", "T") + "+00:00"),
                ]
                stats["webmentions"] += 1
            elif r4 < 0.5:
                ctype = "pingback"
                if rnd.random() < 0.03:
                    # Self-ping: another post of ours linked to this one.
                    other = posts.ids[rnd.randrange(max(1, idx))] if idx else post_id
                    author, author_url = posts.titles[other], posts.links[other]
                    ip = "127.0.0.1"
                else:
                    domain = rnd.choice(text.domains)
                    author = rnd.choice(text.titles) + " | " + domain
                    author_url = f"http://{domain}/{rnd.choice(WORDS)}-{rnd.choice(WORDS)}/"
                    ip = text.ip()
                content = f"[&#8230;] {excerpt} [&#8230;]"
                agent = f"The Incutio XML-RPC PHP Library -- WordPress/{rnd.randint(3, 6)}.x"
                stats["pingbacks"] += 1
            else:
                ctype = "trackback"
                if status == "spam" or rnd.random() < 0.2:
                    domain = rnd.choice(text.spam_domains)
                    content = (
                        f"<strong>{rnd.choice(text.titles)}</strong>\n\n"
                        f"[...] Read More: http://{domain}/{rnd.choice(WORDS)} [...]"
                    )
                else:
                    domain = rnd.choice(text.domains)
                    content = f"<strong>{rnd.choice(text.titles)}</strong>\n\n{excerpt}"
                author = rnd.choice(text.titles)
                author_url = f"http://{domain}/{rnd.randint(2008, 2025)}/{rnd.choice(WORDS)}/"
                agent = rnd.choice(BROWSERS)
                stats["trackbacks"] += 1
            if ctype not in ("pingback",):
                ip = text.ip()
            email = ""
        else:
            r3 = rnd.random()
            status = (
                "1" if r3 < 0.88 else ("0" if r3 < 0.90 else ("spam" if r3 < 0.99 else "trash"))
            )
            ctype = "" if ts < cut_5_5 and rnd.random() < 0.05 else "comment"
            author = rnd.choice(text.names)
            email = (
                author.lower().replace(" ", ".")
                + f"{rnd.randint(1, 99)}@example.{rnd.choice(TLDS)}"
            )
            author_url = f"https://{rnd.choice(text.domains)}/" if rnd.random() < 0.3 else ""
            ip = text.ip()
            content = rnd.choice(text.sentences)
            if rnd.random() < 0.5:
                content += " " + rnd.choice(text.sentences)
            agent = rnd.choice(BROWSERS)
            prev = last_on_post.get(post_id)
            if prev and rnd.random() < 0.15:
                parent = str(prev)
            if status == "1":
                last_on_post[post_id] = cid
            stats["comments"] += 1
        if status in ("spam", "trash"):
            if status == "trash" or rnd.random() < 0.6:
                # Moderator's spam/trash: WordPress's trash metas. The rest came in as spam.
                meta.append(("_wp_trash_meta_status", "0" if rnd.random() < 0.8 else "1"))
                meta.append(("_wp_trash_meta_time", str(int(ts) + rnd.randint(60, 86400 * 20))))
            meta.append(("akismet_result", "true"))
        elif rnd.random() < 0.3:
            meta.append(("akismet_result", "false"))
        c_lines.append(
            "\t".join(
                (
                    str(cid),
                    str(post_id),
                    esc(author),
                    email,
                    author_url,
                    ip,
                    date,
                    date,
                    esc(content),
                    "0",
                    status,
                    agent,
                    ctype,
                    parent,
                    "0",
                )
            )
            + "\n"
        )
        for key, value in meta:
            m_lines.append(f"{cid}\t{key}\t{esc(value)}\n")
        if len(c_lines) >= chunk:
            load.put(spec.prefix + "comments", COMMENT_COLS, c_lines)
            c_lines = []
        if len(m_lines) >= chunk:
            stats["meta"] += len(m_lines)
            load.put(spec.prefix + "commentmeta", META_COLS, m_lines)
            m_lines = []
    if c_lines:
        load.put(spec.prefix + "comments", COMMENT_COLS, c_lines)
    if m_lines:
        stats["meta"] += len(m_lines)
        load.put(spec.prefix + "commentmeta", META_COLS, m_lines)
    return stats


# -- reuse check -------------------------------------------------------------------


def existing_spec(db: str, prefix: str) -> tuple[dict[str, Any] | None, int]:
    """The spec stored by a finished run, and the bench comments actually there."""
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (db,))
            if cur.fetchone() is None:
                return None, 0
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = %s",
                (db, prefix + "options"),
            )
            if not cur.fetchone()[0]:
                return None, 0
            cur.execute(
                f"SELECT option_value FROM `{db}`.`{prefix}options` WHERE option_name = %s",
                (SPEC_OPTION,),
            )
            row = cur.fetchone()
            if row is None:
                return None, 0
            cur.execute(
                f"SELECT COUNT(*) FROM `{db}`.`{prefix}options` WHERE option_name = %s",
                (DIRTY_OPTION,),
            )
            if cur.fetchone()[0]:
                return {"dirty": True}, 0
            cur.execute(f"SELECT COUNT(*) FROM `{db}`.`{prefix}comments`")
            return json.loads(row[0]), int(cur.fetchone()[0])
    finally:
        conn.close()


def recount(cur: Any, p: str) -> None:
    """comment_count = approved comments of every type, as wp_update_comment_count_now();
    term counts as _update_post_term_count(): published posts only. ``p``: the prefix."""
    cur.execute(
        f"UPDATE `{p}posts` po JOIN (SELECT comment_post_ID, COUNT(*) n FROM `{p}comments` "
        f"WHERE comment_approved = '1' GROUP BY comment_post_ID) c "
        f"ON c.comment_post_ID = po.ID SET po.comment_count = c.n"
    )
    cur.execute(
        f"UPDATE `{p}term_taxonomy` tt SET count = (SELECT COUNT(*) FROM "
        f"`{p}term_relationships` tr JOIN `{p}posts` po ON po.ID = tr.object_id "
        f"WHERE tr.term_taxonomy_id = tt.term_taxonomy_id AND po.post_status = 'publish' "
        f"AND po.post_type = 'post')"
    )


def build(spec: Spec, db: str, *, chunk: int = 50_000, log: Callable[[str], None] = print) -> None:
    t_all = time.perf_counter()
    conn = connect()
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
        cur.execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci")
    conn.close()
    t = time.perf_counter()
    info = wp_install(db, spec.prefix, spec.home)
    log(f"  wp_install(): {time.perf_counter() - t:.1f}s (db_version {info.get('db_version')})")

    conn = connect(db)
    p = spec.prefix
    with conn.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(ID), 0) FROM `{p}posts`")
        first_post = int(cur.fetchone()[0]) + 1
        cur.execute(f"SELECT COALESCE(MAX(comment_ID), 0) FROM `{p}comments`")
        first_comment = int(cur.fetchone()[0]) + 1

    rnd = random.Random(spec.seed)
    text = Text(rnd)
    terms = gen_terms(conn, p, rnd, n_cats=150, n_tags=3000)
    end = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
    end_ts = (end - EPOCH).total_seconds()
    start_ts = end_ts - 15 * 365.25 * 86400

    with tempfile.TemporaryDirectory(prefix="pd_bench_") as tmp:
        load = Loader(db, Path(tmp))
        try:
            t = time.perf_counter()
            posts = gen_posts(spec, first_post, start_ts, end_ts, text, terms, load, chunk)
            log(f"  posts generated: {spec.posts} ({time.perf_counter() - t:.1f}s)")
            t = time.perf_counter()
            stats = gen_comments(spec, first_comment, start_ts, end_ts, posts, text, load, chunk)
            log(f"  comments generated: {spec.comments} ({time.perf_counter() - t:.1f}s)")
        finally:
            t = time.perf_counter()
            load.close()
        log(f"  waited for LOAD DATA: {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    with conn.cursor() as cur:
        recount(cur, p)
        cur.execute(
            f"ANALYZE TABLE `{p}posts`, `{p}comments`, `{p}commentmeta`, `{p}term_relationships`"
        )
        cur.fetchall()
        cur.execute(
            f"INSERT INTO `{p}options` (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
            (SPEC_OPTION, json.dumps(asdict(spec), sort_keys=True)),
        )
    conn.close()
    log(f"  recount + analyze: {time.perf_counter() - t:.1f}s")
    log(
        f"done in {time.perf_counter() - t_all:.0f}s: {spec.posts} posts, "
        f"{stats['comments']} comments, {stats['pingbacks']} pingbacks, "
        f"{stats['trackbacks']} trackbacks, {stats['webmentions']} webmentions, "
        f"{stats['pending_pings']} pending pings, {stats['meta']} commentmeta rows"
    )


def spec_from_args(args: argparse.Namespace) -> Spec:
    s = args.scale
    return Spec(
        posts=max(50, int(args.posts * s)),
        comments=max(500, int(args.comments * s)),
        ping_share=args.ping_share,
        pending_pings=max(50, int(args.pending_pings * s)),
        prefix=args.prefix,
        home=args.home.rstrip("/"),
        seed=args.seed,
    )


def ensure(db: str, spec: Spec, *, reuse: bool, log: Callable[[str], None] = print) -> None:
    """Build the blog unless --reuse finds one with exactly this spec (the API
    bench_engine.py calls)."""
    if reuse:
        found, n = existing_spec(db, spec.prefix)
        if found == asdict(spec) and n >= spec.comments:
            log(f"reusing {db}: {spec.posts} posts, {n} comments (spec matches)")
            return
        why = "not there or unfinished"
        if found == {"dirty": True}:
            why = "left half-changed by an interrupted benchmark"
        elif found:
            why = "different spec"
        log(f"{db}: {why}; generating")
    log(f"generating {db} ({spec.posts} posts, {spec.comments} comments)")
    build(spec, db, log=log)


def set_dirty(db: str, prefix: str, dirty: bool) -> None:
    """Mark the blog as changed-and-not-yet-restored (see DIRTY_OPTION)."""
    conn = connect(db)
    try:
        with conn.cursor() as cur:
            if dirty:
                cur.execute(
                    f"INSERT IGNORE INTO `{prefix}options` (option_name, option_value, autoload) "
                    "VALUES (%s, '1', 'no')",
                    (DIRTY_OPTION,),
                )
            else:
                cur.execute(
                    f"DELETE FROM `{prefix}options` WHERE option_name = %s", (DIRTY_OPTION,)
                )
    finally:
        conn.close()


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="pd_bench", help="database name (dropped and recreated)")
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--pending-pings", type=int, default=100_000)
    ap.add_argument(
        "--ping-share", type=float, default=0.30, help="share of comments that are pings"
    )
    ap.add_argument("--scale", type=float, default=1.0, help="multiply posts/comments, e.g. 0.05")
    ap.add_argument("--prefix", default="wp_")
    ap.add_argument("--home", default="http://bench.test")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="keep the database if its spec matches")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not all(c.isalnum() or c == "_" for c in args.db):
        ap.error("--db: letters, digits and underscores only")
    ensure(args.db, spec_from_args(args), reuse=args.reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
