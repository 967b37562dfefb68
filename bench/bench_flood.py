"""The flood (issue 9): the moderator's whole job on 10,000 spam pings, TUI vs CLI.

    python bench/bench_flood.py                          # 10,000 spam + 50 genuine, 330 hosts
    python bench/bench_flood.py --spam 1000 --hosts 40   # a quick run
    python bench/bench_flood.py --runs 3 --reuse         # medians; keep the template blog

What it builds (once per invocation, or kept with --reuse):

- a blog made by WordPress: ``wp_install()`` through php-cli (bench/wp_install.php with
  bench/wp_boot.php), then bench/wp_flood.php in ONE php-cli process: posts with
  ``wp_insert_post()``, every ping with ``wp_insert_comment()`` (held, with a
  comment_author_IP), the option ``wordpress_api_key`` set to a key the fake Akismet
  accepts. That template database (``<db>_tpl``) is cloned into ``<db>_run`` before each
  measured job (CREATE TABLE as SHOW CREATE TABLE says + INSERT … SELECT), so every job
  starts from the same rows without running PHP again;
- source pages (bench/flood_sources.py, its own process): every source host is its own
  address 127.0.x.y on one port. Spam hosts: a page without a link to the blog
  (``no-link``), 404, 410 (pingdesk: ``gone``), or an address with nothing listening
  (connection refused; pingdesk: ``unreachable``). Genuine
  hosts: a page linking to the post's permalink as WordPress's ``get_permalink()`` gave it;
- an Akismet look-alike (tests/support/akismet_fake.py, in this process) answering after
  ``--akismet-delay`` seconds (0.05), with the key the blog holds.

pingdesk runs with PINGDESK_VERIFY_ALLOW=127.0.0.0/8, PINGDESK_AKISMET_ENDPOINT pointing
at the fake, and throwaway XDG config/data/state/cache homes (a fresh journal per job).

The two jobs, each on a fresh clone, timed from launch:

- **TUI**: the real ``pingdesk --db … --prefix wp_`` on an 80×24 tmux pane; the keys
  ``V`` (verify the whole view), ``/check:linked⏎`` (only sources that link),
  ``X A`` (mark all, approve), ``/⌫⏎`` (clear the filter: the input opens with the
  text selected, one backspace empties it), ``X S y`` (mark all, spam, confirm).
  The screen is read only to know a key has landed (e.g. "50 marked" before ``A``);
  when a key was too early (the view still loading) it is sent again, and counted.
  Every phase's end is read from the DATABASE: verification done = every ping has a
  ``_pingdesk_check`` commentmeta row; approved = the genuine pings approved; statuses
  final = no pending ping left; reports = the rows of the journal's ``outbox`` table.
  If the TUI does not send reports itself (no background sender in this build), the
  figure is "durably queued" and ``pingdesk akismet retry`` is timed after it quits.
- **CLI**: ``pingdesk verify --all-matching``, ``pingdesk approve --all-matching --check
  linked``, ``pingdesk spam --all-matching`` (which waits until Akismet has the reports);
  the database is polled during ``spam`` for the moment no ping is pending.

Then the end state is checked for both (genuine approved and exactly them, the rest spam,
nothing pending, comment_count of every post = its approved comments, outbox empty after
delivery, the fake received one submit-spam per spam ping) and a table is printed with
the issue's targets: launch → end state ≤ 30 s with ≤ 25 keystrokes, all reports
delivered ≤ 45 s (PASS / over; nothing is asserted). --runs N: medians over N runs.
Only 127.x addresses started here are contacted. Databases: <db>_tpl and <db>_run only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from tests.support.akismet_fake import FakeAkismet  # noqa: E402

import gen_blog  # noqa: E402

KEY = "f100df100d00"  # the key in the blog's wordpress_api_key option; the fake accepts it
HOME = "http://flood.test"
PREFIX = "wp_"
SPEC_OPTION = "pingdesk_flood_spec"
SOURCES_OPTION = "pingdesk_flood_sources"
META_KEY = "_pingdesk_check"
# Shares of the spam hosts: no-link page, 404, 410, nothing listening.
SPAM_KINDS = (("no-link", 0.45), ("404", 0.20), ("410", 0.15), ("refused", 0.20))
TUI_KEYS_TARGET, END_TARGET, DELIVERED_TARGET = 25, 30.0, 45.0


def log(msg: str) -> None:
    print(msg, flush=True)


# -- the blog ---------------------------------------------------------------------------


def spam_host(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def genuine_host(j: int) -> str:
    return f"127.1.{j // 250}.{1 + j % 250}"


def make_spec(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "v": 1,
        "spam": args.spam,
        "genuine": args.genuine,
        "hosts": args.hosts,
        "posts": args.posts,
        "port": args.port,
        "seed": args.seed,
    }


def flood_rows(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], list[tuple]]:
    """The PHP seeder's input, the host kinds, and (post index, addr, path) per genuine."""
    rnd = random.Random(spec["seed"])
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    port = spec["port"]
    posts = [
        {
            "title": f"Flood post {i + 1}: notes on moderation",
            "content": f"<!-- wp:paragraph --><p>Post {i + 1} on pings.</p><!-- /wp:paragraph -->",
            "date": (now - timedelta(days=spec["posts"] - i)).strftime("%Y-%m-%d %H:%M:%S"),
        }
        for i in range(spec["posts"])
    ]
    kinds: dict[str, str] = {}
    weights = [w for _, w in SPAM_KINDS]
    names = [k for k, _ in SPAM_KINDS]
    for i in range(spec["hosts"]):
        kinds[spam_host(i)] = rnd.choices(names, weights)[0]
    n_genuine_hosts = max(1, min(10, spec["genuine"]))
    for j in range(n_genuine_hosts):
        kinds[genuine_host(j)] = "genuine"

    def ping(n: int, addr: str, path: str, post: int, title: str, excerpt: str) -> dict[str, Any]:
        kind = rnd.choice(("pingback", "trackback"))
        when = now - timedelta(seconds=rnd.randint(60, 86400))
        content = (
            f"[&#8230;] {excerpt} [&#8230;]"
            if kind == "pingback"
            else f"<strong>{title}</strong>\n\n{excerpt}"
        )
        return {
            "post": post,
            "type": kind,
            "author": title,
            "url": f"http://{addr}:{port}{path}",
            # TEST-NET-2/3: where the ping came from; Akismet needs a user_ip.
            "ip": f"{rnd.choice((198, 203))}.{51 if n % 2 else 0}.{100 + n % 13}.{1 + n % 250}",
            "agent": "WordPress/6.1; http://example.invalid" if kind == "pingback" else "",
            "content": content,
            "date": when.strftime("%Y-%m-%d %H:%M:%S"),
        }

    rows: list[dict[str, Any]] = []
    spam_addrs = [spam_host(i) for i in range(spec["hosts"])]
    # A few loud hosts and a long tail, as floods look.
    host_weights = [1.0 / (1 + i % 37) for i in range(len(spam_addrs))]
    for n in range(spec["spam"]):
        addr = rnd.choices(spam_addrs, host_weights)[0]
        rows.append(
            ping(
                n,
                addr,
                f"/p/{n}",
                rnd.randrange(spec["posts"]),
                f"Best deals {n}",
                f"Cheap offers and great bonus number {n} for you",
            )
        )
    genuine: list[tuple[int, str, str]] = []
    for k in range(spec["genuine"]):
        addr = genuine_host(k % n_genuine_hosts)
        post = rnd.randrange(spec["posts"])
        genuine.append((post, addr, f"/g/{k}"))
        rows.append(
            ping(
                spec["spam"] + k,
                addr,
                f"/g/{k}",
                post,
                f"Thinking about it ({k})",
                "I read this post and wrote a few thoughts of my own",
            )
        )
    rnd.shuffle(rows)  # interleaved in time, as they arrive
    return {"posts": posts, "pings": rows, "options": {"wordpress_api_key": KEY}}, kinds, genuine


def sql(db: str | None, query: str, params: tuple = ()) -> list[tuple]:
    conn = gen_blog.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            return list(cur.fetchall())
    finally:
        conn.close()


def db_exists(db: str) -> bool:
    return bool(sql(None, "SHOW DATABASES LIKE %s", (db,)))


def recreate(db: str) -> None:
    conn = gen_blog.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
            cur.execute(
                f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"
            )
    finally:
        conn.close()


def stored_option(db: str, name: str) -> str | None:
    try:
        rows = sql(db, f"SELECT option_value FROM {PREFIX}options WHERE option_name = %s", (name,))
    except Exception:
        return None
    return str(rows[0][0]) if rows else None


def build_template(tpl: str, spec: dict[str, Any], reuse: bool) -> dict[str, Any]:
    """The WordPress-made blog; returns the source servers' spec."""
    if reuse and db_exists(tpl) and stored_option(tpl, SPEC_OPTION) == json.dumps(spec):
        sources = stored_option(tpl, SOURCES_OPTION)
        if sources:
            log(f"template {tpl}: reused (same spec)")
            return dict(json.loads(sources))
    t0 = time.perf_counter()
    recreate(tpl)
    info = gen_blog.wp_install(tpl, PREFIX, HOME)
    log(f"template {tpl}: wp_install() {time.perf_counter() - t0:.1f} s (db {info['db_version']})")
    data, kinds, genuine = flood_rows(spec)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(data, f)
    try:
        t = time.perf_counter()
        out = subprocess.run(
            ["php", str(HERE / "wp_flood.php")],
            env=gen_blog.php_env(tpl, PREFIX, HOME, PD_FLOOD_JSON=f.name),
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(f.name)
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"wp_flood.php failed:\n{out.stderr[-3000:]}\n{out.stdout[-2000:]}")
    made = json.loads(out.stdout.strip().splitlines()[-1])
    log(
        f"template {tpl}: {len(made['post_ids'])} posts (wp_insert_post) "
        f"{made['posts_ms'] / 1000:.1f} s, {made['pings']:,} pings (wp_insert_comment) "
        f"{made['pings_ms'] / 1000:.1f} s; php-cli total {time.perf_counter() - t:.1f} s"
    )
    links = {f"{addr}{path}": made["permalinks"][post] for post, addr, path in genuine}
    sources = {"port": spec["port"], "hosts": kinds, "links": links}
    conn = gen_blog.connect(tpl)
    try:
        with conn.cursor() as cur:
            for name, value in (
                (SPEC_OPTION, json.dumps(spec)),
                (SOURCES_OPTION, json.dumps(sources)),
            ):
                cur.execute(
                    f"INSERT INTO {PREFIX}options (option_name, option_value, autoload) "
                    "VALUES (%s, %s, 'no') "
                    "ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)",
                    (name, value),
                )
    finally:
        conn.close()
    return sources


def clone(src: str, dst: str) -> float:
    """``dst`` = an exact copy of ``src`` (tables, indexes, rows, AUTO_INCREMENT)."""
    t = time.perf_counter()
    recreate(dst)
    conn = gen_blog.connect(dst)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SHOW TABLES FROM `{src}`")
            for (table,) in cur.fetchall():
                cur.execute(f"SHOW CREATE TABLE `{src}`.`{table}`")
                cur.execute(cur.fetchone()[1])
                cur.execute(f"INSERT INTO `{dst}`.`{table}` SELECT * FROM `{src}`.`{table}`")
    finally:
        conn.close()
    return time.perf_counter() - t


def drop(db: str) -> None:
    sql(None, f"DROP DATABASE IF EXISTS `{db}`")


# -- watching the database and the journal ------------------------------------------------


class Watch:
    """One connection, autocommit: every poll sees the latest commits."""

    def __init__(self, db: str, journal: Path) -> None:
        self.conn = gen_blog.connect(db)
        self.journal = journal

    def one(self, query: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(query)
            return int(cur.fetchone()[0] or 0)

    def checked(self) -> int:
        return self.one(
            f"SELECT COUNT(DISTINCT m.comment_id) FROM {PREFIX}commentmeta m "
            f"WHERE m.meta_key = '{META_KEY}'"
        )

    def status(self, code: str) -> int:
        return self.one(
            f"SELECT COUNT(*) FROM {PREFIX}comments WHERE comment_approved = '{code}' "
            "AND comment_type IN ('pingback', 'trackback')"
        )

    def outbox(self) -> int:
        if not self.journal.exists():
            return 0
        db = sqlite3.connect(f"file:{self.journal}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
        except sqlite3.OperationalError:
            return 0  # no table yet
        finally:
            db.close()

    def close(self) -> None:
        self.conn.close()


def wait_for(what: str, cond: Any, timeout: float, every: float = 0.05) -> float:
    """perf_counter() at the first poll where cond() is true."""
    end = time.perf_counter() + timeout
    while True:
        if cond():
            return time.perf_counter()
        if time.perf_counter() > end:
            raise TimeoutError(f"{what}: not reached in {timeout:.0f} s")
        time.sleep(every)


# -- the environment pingdesk runs in ------------------------------------------------------


def pingdesk_env(tmp: Path, akismet_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PINGDESK_", "XDG_", "TMUX"))
        and k
        not in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")
    }
    for sub in ("config", "data", "state", "cache"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{sub.upper()}_HOME"] = str(tmp / sub)
    env.update(
        PINGDESK_VERIFY_ALLOW="127.0.0.0/8",
        PINGDESK_AKISMET_ENDPOINT=akismet_url,
        NO_PROXY="*",
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
    )
    return env


def journal_of(tmp: Path) -> Path:
    return tmp / "data" / "pingdesk" / "journal.sqlite3"


def db_url(db: str) -> str:
    return f"mysql+pymysql://root@127.0.0.1:3306/{db}"


# -- the TUI on tmux --------------------------------------------------------------------------


class Pane:
    """The real program in an 80×24 tmux pane on a private tmux server."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.sock = f"pdflood-{os.getpid()}"
        self.sent: list[str] = []
        self.env = env
        self._tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "flood", "--", *argv)

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.sock, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {out.stderr.strip()}")
        return out.stdout

    def key(self, name: str, shown: str | None = None) -> None:
        """A named key (Enter, BSpace) or one literal character."""
        if len(name) == 1:
            self._tmux("send-keys", "-t", "flood", "-l", name)
        else:
            self._tmux("send-keys", "-t", "flood", name)
        self.sent.append(shown or name)

    def type(self, text: str) -> None:
        for ch in text:
            self.key(ch)

    def screen(self) -> str:
        try:
            return self._tmux("capture-pane", "-p", "-t", "flood")
        except RuntimeError:
            return ""

    def wait_screen(self, needle: str, timeout: float) -> bool:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if needle in self.screen():
                return True
            time.sleep(0.05)
        return False

    def alive(self) -> bool:
        return (
            "flood"
            in subprocess.run(
                ["tmux", "-L", self.sock, "list-sessions", "-F", "#{session_name}"],
                env=self.env,
                capture_output=True,
                text=True,
                check=False,
            ).stdout
        )

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.sock, "kill-server"], env=self.env, capture_output=True, check=False
        )


@dataclass
class Job:
    name: str
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds since launch
    keys: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    end_state: dict[str, Any] = field(default_factory=dict)
    ok: bool = True


def press(pane: Pane, key: str, landed: Any, what: str, tries: int = 20, wait: float = 1.0) -> None:
    """Send ``key`` until ``landed()`` says it took effect (each send counted)."""
    for _ in range(tries):
        pane.key(key)
        end = time.perf_counter() + wait
        while time.perf_counter() < end:
            if landed():
                return
            time.sleep(0.03)
    raise TimeoutError(f"{what}: the key {key!r} never took effect\n{pane.screen()}")


def run_tui(db: str, total: int, genuine: int, fake: FakeAkismet, timeout: float) -> Job:
    job = Job("TUI")
    tmp = Path(tempfile.mkdtemp(prefix="pd-flood-tui-"))
    env = pingdesk_env(tmp, fake.url)
    watch = Watch(db, journal_of(tmp))
    argv = [sys.executable, "-m", "pingdesk", "--db", db_url(db), "--prefix", PREFIX]
    t0 = time.perf_counter()
    pane = Pane(argv, env)
    try:
        # Rows on screen: the program is up. The first key may still meet a view that is
        # reading its ids; press() then sends it again (counted).
        if not pane.wait_screen("Pending", 60):
            raise TimeoutError(f"the UI never drew its header\n{pane.screen()}")
        wait_for(
            "first rows", lambda: "Best deals" in pane.screen() or "Thinking" in pane.screen(), 60
        )
        job.phases["rows on screen"] = time.perf_counter() - t0
        time.sleep(0.2)
        press(pane, "V", lambda: "Verifying" in pane.screen() or watch.checked() > 0, "verify view")
        t = wait_for("verification stored", lambda: watch.checked() >= total, timeout, 0.1)
        job.phases["verification done"] = t - t0
        # The filter: / opens it, the text, Enter applies it.
        pane.key("/")
        if not pane.wait_screen("filter", 5):
            raise TimeoutError(f"the filter did not open\n{pane.screen()}")
        pane.type("check:linked")
        pane.key("Enter", "⏎")
        # As a moderator looks before the next key: the filter closed, the header shows it.
        # (A key sent within milliseconds of ⏎ ends up in the filter's text instead.)
        if not pane.wait_screen("filter: check:linked", 10):
            raise TimeoutError(f"the filter was not applied\n{pane.screen()}")
        press(
            pane,
            "X",
            lambda: f"{genuine} marked" in pane.screen(),
            "mark all linked",
        )
        pane.key("A")
        t = wait_for("approved", lambda: watch.status("1") >= genuine, timeout)
        job.phases["genuine approved"] = t - t0
        pane.key("/")
        if not pane.wait_screen("filter", 5):
            raise TimeoutError(f"the filter did not open\n{pane.screen()}")
        pane.key("BSpace", "⌫")
        pane.key("Enter", "⏎")
        wait_for(
            "filter cleared",
            lambda: "1 Pending" in (sc := pane.screen()) and "filter:" not in sc,
            10,
        )
        spam = total - genuine
        press(pane, "X", lambda: f"{spam:,} marked" in pane.screen(), "mark all pending")
        pane.key("S")
        if not pane.wait_screen("Mark as spam", 5):
            raise TimeoutError(f"no confirmation\n{pane.screen()}")
        pane.key("y")
        t = wait_for("no pending left", lambda: watch.status("0") == 0, timeout)
        job.phases["statuses final"] = t - t0
        job.keys = list(pane.sent)
        # Reports: delivered by the UI, or only queued?
        t = wait_for(
            "reports queued", lambda: watch.outbox() >= spam or watch.outbox() == 0, timeout
        )
        delivered_by_ui = False
        end = time.perf_counter() + 15
        last = watch.outbox()
        while time.perf_counter() < end:
            n = watch.outbox()
            if n == 0:
                delivered_by_ui = True
                break
            if n < last:  # a sender is at work: give it the rest of the time
                end = time.perf_counter() + timeout
            last = n
            time.sleep(0.1)
        if delivered_by_ui:
            job.phases["all reports delivered"] = time.perf_counter() - t0
        else:
            job.phases["reports durably queued"] = t - t0
            job.notes.append(
                f"the TUI left {watch.outbox():,} reports in the outbox (no background sender "
                "in this build); `pingdesk akismet retry` delivered them after quitting"
            )
        pane.key("q")
        job.keys_after = ["q"]  # type: ignore[attr-defined]
        quit_end = time.perf_counter() + 15
        while pane.alive() and time.perf_counter() < quit_end:
            time.sleep(0.05)
        if not delivered_by_ui:
            t = time.perf_counter()
            out = subprocess.run(
                [*argv, "akismet", "retry"], env=env, capture_output=True, text=True, check=False
            )
            took = time.perf_counter() - t
            job.phases["akismet retry (after quit)"] = took
            job.phases["all reports delivered"] = job.phases["reports durably queued"] + took
            job.notes.append(
                "'all reports delivered' for the TUI = queued + the retry's own time "
                f"(exit {out.returncode}: {(out.stdout or out.stderr).strip()[:160]})"
            )
        job.end_state = end_state(db, watch, genuine, spam)
    except Exception as exc:
        job.ok = False
        job.keys = list(pane.sent)
        job.notes.append(f"FAILED: {exc}")
        if "\n" not in str(exc):
            job.notes.append("the screen then:\n" + pane.screen())
    finally:
        pane.close()
        watch.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return job


# -- the CLI ----------------------------------------------------------------------------------


def run_cli(db: str, total: int, genuine: int, fake: FakeAkismet, timeout: float) -> Job:
    job = Job("CLI")
    tmp = Path(tempfile.mkdtemp(prefix="pd-flood-cli-"))
    env = pingdesk_env(tmp, fake.url)
    watch = Watch(db, journal_of(tmp))
    base = [sys.executable, "-m", "pingdesk", "--db", db_url(db), "--prefix", PREFIX]
    spam = total - genuine
    commands = [
        ("verification done", ["verify", "--all-matching"]),
        ("genuine approved", ["approve", "--all-matching", "--check", "linked"]),
        ("all reports delivered", ["spam", "--all-matching", "--yes"]),
    ]
    t0 = time.perf_counter()
    try:
        for phase, cmd in commands:
            t = time.perf_counter()
            job.keys.append("pingdesk " + " ".join(cmd))
            proc = subprocess.Popen(
                [*base, *cmd],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            final: list[float] = []
            if cmd[0] == "spam":
                # The statuses are final before the reports are sent: catch that moment.
                def poll(proc: subprocess.Popen[str] = proc, final: list[float] = final) -> None:
                    w = Watch(db, journal_of(tmp))
                    try:
                        while proc.poll() is None:
                            if w.status("0") == 0:
                                final.append(time.perf_counter())
                                return
                            time.sleep(0.05)
                    finally:
                        w.close()

                poller = threading.Thread(target=poll, daemon=True)
                poller.start()
            _, err = proc.communicate(timeout=timeout)
            took = time.perf_counter() - t
            job.phases[f"  `{cmd[0]}` process"] = took
            if proc.returncode != 0:
                raise RuntimeError(
                    f"pingdesk {' '.join(cmd)}: exit {proc.returncode}\n{err[-1500:]}"
                )
            if cmd[0] == "spam":
                poller.join(1)
                job.phases["statuses final"] = (final[0] if final else time.perf_counter()) - t0
            job.phases[phase] = time.perf_counter() - t0
            tail = (err.strip().splitlines() or [""])[-1]
            if tail:
                job.notes.append(f"{cmd[0]}: {tail[:200]}")
        job.end_state = end_state(db, watch, genuine, spam)
    except Exception as exc:
        job.ok = False
        job.notes.append(f"FAILED: {exc}")
    finally:
        watch.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return job


# -- checking the end state -------------------------------------------------------------------


def end_state(db: str, watch: Watch, genuine: int, spam: int) -> dict[str, Any]:
    by_result = Counter(
        str(v).split('"')[3]
        for (v,) in sql(
            db, f"SELECT meta_value FROM {PREFIX}commentmeta WHERE meta_key = %s", (META_KEY,)
        )
    )
    approved_sources = sql(
        db,
        f"SELECT comment_author_url FROM {PREFIX}comments WHERE comment_approved = '1' "
        "AND comment_type IN ('pingback', 'trackback')",
    )
    wrong_approved = [u for (u,) in approved_sources if "/g/" not in u]
    bad_counts = sql(
        db,
        f"SELECT p.ID, p.comment_count, COUNT(c.comment_ID) FROM {PREFIX}posts p "
        f"LEFT JOIN {PREFIX}comments c ON c.comment_post_ID = p.ID AND c.comment_approved = '1' "
        "GROUP BY p.ID, p.comment_count HAVING p.comment_count <> COUNT(c.comment_ID)",
    )
    state = {
        "approved": watch.status("1"),
        "spam": watch.status("spam"),
        "pending": watch.status("0"),
        "outbox": watch.outbox(),
        "wrong approved": len(wrong_approved),
        "posts with a wrong comment_count": len(bad_counts),
        "verification results": dict(sorted(by_result.items())),
    }
    state["right"] = (
        state["approved"] == genuine
        and state["spam"] == spam
        and state["pending"] == 0
        and state["outbox"] == 0
        and not wrong_approved
        and not bad_counts
        and by_result.get("linked", 0) == genuine
    )
    return state


# -- main -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sources(sources: dict[str, Any]) -> subprocess.Popen[str]:
    spec = Path(tempfile.mkdtemp(prefix="pd-flood-src-")) / "sources.json"
    spec.write_text(json.dumps(sources))
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "flood_sources.py"), str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        proc.kill()
        raise SystemExit(f"source servers did not start: {line!r} {proc.stderr.read()[-2000:]}")
    return proc


def stop_sources(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err.strip().splitlines()[-1] if err.strip() else ""


def fmt_s(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f} s"


def median_of(jobs: list[Job], phase: str) -> float | None:
    values = [j.phases[phase] for j in jobs if j.ok and phase in j.phases]
    return statistics.median(values) if values else None


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return "PASS" if value <= target else f"over (+{value - target:.1f} s)"


def report(tui: list[Job], cli: list[Job], runs: int) -> None:
    label = "median of " + str(runs) + " runs" if runs > 1 else "1 run"
    log(f"\n== summary ({label}; seconds from launch) ==")
    phases = [
        "rows on screen",
        "verification done",
        "genuine approved",
        "statuses final",
        "reports durably queued",
        "akismet retry (after quit)",
        "all reports delivered",
    ]
    log(f"{'phase':<34} {'TUI':>10} {'CLI':>10}")
    for ph in phases:
        a, b = median_of(tui, ph), median_of(cli, ph)
        if a is None and b is None:
            continue
        log(f"{ph:<34} {fmt_s(a):>10} {fmt_s(b):>10}")
    for ph in sorted({p for j in cli for p in j.phases if p.startswith("  ")}):
        log(f"{ph:<34} {'':>10} {fmt_s(median_of(cli, ph)):>10}")
    keys = [len(j.keys) for j in tui if j.ok]
    n_keys = int(statistics.median(keys)) if keys else None
    end = median_of(tui, "statuses final")
    delivered = median_of(tui, "all reports delivered")
    log("\ntargets (issue 9), TUI:")
    log(
        f"  keystrokes {n_keys if n_keys is not None else '—'} (≤ {TUI_KEYS_TARGET}): "
        + ("—" if n_keys is None else "PASS" if n_keys <= TUI_KEYS_TARGET else "over")
    )
    log(f"  launch → end state {fmt_s(end)} (≤ {END_TARGET:.0f} s): {verdict(end, END_TARGET)}")
    log(
        f"  launch → all reports delivered {fmt_s(delivered)} (≤ {DELIVERED_TARGET:.0f} s): "
        f"{verdict(delivered, DELIVERED_TARGET)}"
    )
    c_end, c_del = median_of(cli, "statuses final"), median_of(cli, "all reports delivered")
    log(
        f"  CLI baseline: end state {fmt_s(c_end)} ({verdict(c_end, END_TARGET)}), "
        f"delivered {fmt_s(c_del)} ({verdict(c_del, DELIVERED_TARGET)})"
    )
    right = all(j.ok and j.end_state.get("right") for j in tui + cli)
    log(f"\nend state right in every run: {'yes' if right else 'NO'}")


def print_job(job: Job, run: int) -> None:
    log(f"\n-- run {run}, {job.name}: {'ok' if job.ok else 'FAILED'}")
    if job.name == "TUI":
        after = getattr(job, "keys_after", [])
        log(
            f"keys sent ({len(job.keys)}): {' '.join(job.keys)}"
            + (f"   (then {' '.join(after)} to quit, not counted)" if after else "")
        )
    else:
        for k in job.keys:
            log(f"  $ {k}")
    for ph, v in job.phases.items():
        log(f"  {ph:<34} {v:7.2f} s")
    if job.end_state:
        log(f"  end state: {json.dumps(job.end_state)}")
    for note in job.notes:
        log(f"  note: {note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spam", type=int, default=10_000, help="spam pings (10,000)")
    ap.add_argument("--genuine", type=int, default=50, help="genuine pingbacks (50)")
    ap.add_argument("--hosts", type=int, default=330, help="spam source hosts (330)")
    ap.add_argument("--posts", type=int, default=40, help="posts the pings point at (40)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--db", default="pd_flood", help="<db>_tpl and <db>_run are used")
    ap.add_argument("--port", type=int, default=18480, help="the source hosts' port")
    ap.add_argument("--akismet-delay", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--reuse", action="store_true", help="keep <db>_tpl when its spec matches")
    ap.add_argument("--only", choices=("tui", "cli"), help="one of the two jobs")
    ap.add_argument("--timeout", type=float, default=600, help="per phase")
    ap.add_argument("--keep", action="store_true", help="keep <db>_run after the last job")
    args = ap.parse_args(argv)
    if args.hosts > 250 * 254:
        raise SystemExit("--hosts: at most 63,500")
    if shutil.which("tmux") is None and args.only != "cli":
        raise SystemExit("tmux is needed for the TUI job")

    spec = make_spec(args)
    tpl, run_db = f"{args.db}_tpl", f"{args.db}_run"
    sources = build_template(tpl, spec, args.reuse)
    total = args.spam + args.genuine
    kinds = Counter(sources["hosts"].values())
    log(
        f"flood: {args.spam:,} spam + {args.genuine} genuine pending pings on {args.posts} posts; "
        f"hosts {dict(kinds)} (refused = nothing listening) on port {args.port}; "
        f"Akismet fake delay {args.akismet_delay * 1000:.0f} ms"
    )
    src = start_sources(sources)
    fake = FakeAkismet(valid_keys=(KEY,), delay=args.akismet_delay).start()
    tui_jobs: list[Job] = []
    cli_jobs: list[Job] = []
    try:
        for run in range(1, args.runs + 1):
            order = ["tui", "cli"] if run % 2 else ["cli", "tui"]
            for which in order:
                if args.only and which != args.only:
                    continue
                took = clone(tpl, run_db)
                log(f"\n[run {run}, {which}] {run_db} cloned from {tpl} in {took:.1f} s")
                fake.reset()
                runner = run_tui if which == "tui" else run_cli
                job = runner(run_db, total, args.genuine, fake, args.timeout)
                sent = len(fake.calls("submit-spam"))
                ids = Counter(
                    r.params.get("comment_author_url", "") for r in fake.calls("submit-spam")
                )
                dup = sum(n - 1 for n in ids.values() if n > 1)
                job.end_state["akismet submit-spam received"] = sent
                job.end_state["akismet duplicates"] = dup
                if sent != args.spam or dup:
                    job.end_state["right"] = False
                (tui_jobs if which == "tui" else cli_jobs).append(job)
                print_job(job, run)
    finally:
        fake.stop()
        log(f"\nsource servers: {stop_sources(src)}")
        if not args.keep:
            drop(run_db)
    report(tui_jobs, cli_jobs, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
