"""Benchmark: pingdesk's own CPU per verified source, end to end, on loopback.

What it runs. Source servers (one asyncio HTTP/1.1 keep-alive server per host,
on 127.0.0.2 .. 127.0.0.<1+hosts>, in a separate process so their CPU is not
ours) answer N sources (default 2,000) with a mix like real pings:

    linked 40 % (a few of them entity-encoded, relative to <base href>, or www.),
    no link at all 26 % (pages full of other links), mentioned as text 8 %,
    404 10 %, 410 6 %, connection refused (a port nobody listens on) 6 %,
    refused by policy (a private address the allowlist does not cover) 4 %.

Pages are ~25 KB of blog-like HTML (navigation, paragraphs, a footer). A
temporary SQLite WordPress-shaped blog (wp_ tables, 200 posts with pretty
permalinks) gets one pending pingback per source; then, exactly as
``pingdesk verify --all-matching`` does, the pings are read
(``iter_pings``) and verified with ``services.verify.check_pings`` (fetch,
match, results stored in commentmeta). The figures:

    wall       the whole run (read pings + verify + store)
    CPU/source time.process_time() of the verifying process / N (all its threads)
    floor      the same URLs fetched with one plain httpx.AsyncClient (keep-alive,
               same concurrency, bodies read, nothing parsed or stored): the
               cost of the HTTP stack alone, measured in the same run
    old        (with --baseline-rev REV) the same run with pingdesk's src/ from
               git revision REV, in the same run, alternating with the new one

Every measurement runs in a fresh child process (so import and warm-up costs
are excluded the same way for all); the table shows medians of --runs runs.
Every result is checked against what the server was told to serve; a wrong
result fails the benchmark.

Usage: python bench/bench_verify_cpu.py [--n 2000] [--hosts 50] [--runs 3]
           [--baseline-rev main] [--concurrency 16] [--per-host 2] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOME = "http://blog.test"
POSTS = 200
KINDS = (
    ("linked", 40),
    ("no-link", 26),
    ("mentioned", 8),
    ("gone-404", 10),
    ("gone-410", 6),
    ("conn-refused", 6),
    ("policy-refused", 4),
)
EXPECT = {
    "linked": "linked",
    "no-link": "no-link",
    "mentioned": "mentioned",
    "gone-404": "gone",
    "gone-410": "gone",
    "conn-refused": "unreachable",
    "policy-refused": "refused",
}


# --------------------------------------------------------------------------- plan


def plan(n: int, hosts: int, seed: int = 11) -> list[dict[str, Any]]:
    """Deterministic list of sources: kind, host index, path, post id, variant."""
    rng = random.Random(seed)
    bag = [k for k, w in KINDS for _ in range(w)]
    out = []
    for i in range(n):
        kind = bag[i % len(bag)]
        out.append(
            {
                "i": i,
                "kind": kind,
                "host": rng.randrange(hosts),
                "path": f"/{2020 + i % 6}/{i % 12 + 1:02d}/source-article-{i}/",
                "post": rng.randrange(POSTS) + 1,
                "variant": rng.randrange(10),
            }
        )
    rng.shuffle(out)
    return out


def permalink(post: int) -> str:
    return f"{HOME}/2024/{post % 12 + 1:02d}/post-number-{post}/"


_WORDS = (
    "terminal", "keyboard", "moderation", "comments", "pingback", "trackback", "webmention",
    "blog", "post", "reading", "quiet", "evening", "notes", "server", "cache", "theme",
    "plugin", "draft", "archive", "feed", "editor", "release"
)  # fmt: skip


def page_for(src: dict[str, Any], host_name: str) -> str:
    rng = random.Random(src["i"])
    target = permalink(src["post"])
    nav = "".join(
        f'<li><a href="/{rng.choice(_WORDS)}/{k}/">{rng.choice(_WORDS).title()}</a></li>'
        for k in range(40)
    )
    paras = []
    for _ in range(28):
        words = " ".join(rng.choice(_WORDS) for _ in range(110))
        paras.append(f"<p>{words.capitalize()}. See <a href='/tag/{rng.choice(_WORDS)}/'>more"
                     f"</a> &amp; <a href='https://elsewhere.example/{rng.randrange(999)}'>"
                     "elsewhere</a>.</p>")  # fmt: skip
    kind, v = src["kind"], src["variant"]
    head_extra = ""
    if kind == "linked":
        if v == 0:  # entity-encoded href, as some editors write them
            href = "".join(f"&#{ord(c)};" if c in "./:" else c for c in target)
        elif v == 1:  # relative to a <base href> on the blog
            head_extra = f'<base href="{HOME}/">'
            href = target[len(HOME) + 1 :]
        elif v == 2:
            href = target.replace("http://", "https://www.") + "?utm_source=feed"
        else:
            href = html.escape(target, quote=True)
        paras.insert(
            len(paras) // 2,
            f'<p>I wrote about this before; <a href="{href}">the original post</a> explains '
            "the keyboard layout far better than I could.</p>",
        )
    elif kind == "mentioned":
        paras.insert(
            len(paras) // 2,
            f"<p>Someone pointed me at {html.escape(target[len('http://') :])} but I never "
            "linked it.</p>",
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Article {src['i']} on {host_name}</title>{head_extra}"
        "<link rel='stylesheet' href='/style.css'><script>var x = 1;</script></head>"
        f"<body><header><nav><ul>{nav}</ul></nav></header><main><article>"
        + "\n".join(paras)
        + "</article></main><footer><p>&copy; 2026 Someone. "
        "<a href='/about/'>About</a></p></footer></body></html>"
    )


# ------------------------------------------------------------------------ servers


def _response(status: int, body: bytes) -> bytes:
    reason = {200: "OK", 404: "Not Found", 410: "Gone"}[status]
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _serve(sources: list[dict[str, Any]], hosts: int, ready: Any, stop: Any) -> None:
    """Source servers: one keep-alive asyncio server per 127.0.0.x host (child process)."""
    by_host: dict[int, dict[bytes, bytes]] = {h: {} for h in range(hosts)}
    not_found = _response(404, b"<html><title>Not found</title><p>Not found</p></html>")
    for s in sources:
        name = f"127.0.0.{2 + s['host']}"
        if s["kind"] in ("linked", "no-link", "mentioned"):
            resp = _response(200, page_for(s, name).encode())
        elif s["kind"] == "gone-404":
            resp = not_found
        elif s["kind"] == "gone-410":
            resp = _response(410, b"<html><title>Gone</title><p>Deleted.</p></html>")
        else:
            continue
        by_host[s["host"]][s["path"].encode()] = resp

    async def main() -> None:
        ports: dict[int, int] = {}
        servers = []
        for h in range(hosts):
            routes = by_host[h]

            async def handle(
                reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter,
                routes: dict[bytes, bytes] = routes,
            ) -> None:
                try:
                    while True:
                        head = await reader.readuntil(b"\r\n\r\n")
                        path = head.split(b" ", 2)[1]
                        writer.write(routes.get(path, not_found))
                        await writer.drain()
                except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
                    pass
                finally:
                    writer.close()

            srv = await asyncio.start_server(handle, f"127.0.0.{2 + h}", 0, backlog=256)
            ports[h] = srv.sockets[0].getsockname()[1]
            servers.append(srv)
        # A port nobody listens on: bound once, then closed.
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        dead = s.getsockname()[1]
        s.close()
        ready.send({"ports": ports, "dead": dead})
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for srv in servers:
            srv.close()

    asyncio.run(main())


def source_url(s: dict[str, Any], ports: dict[int, int], dead: int) -> str:
    if s["kind"] == "policy-refused":
        return f"http://10.255.{s['host']}.1{s['path']}"
    port = dead if s["kind"] == "conn-refused" else ports[s["host"]]
    return f"http://127.0.0.{2 + s['host']}:{port}{s['path']}"


# --------------------------------------------------------------------------- blog


def build_blog(path: Path, sources: list[dict[str, Any]], urls: list[str]) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import create_engine, insert

    from pingdesk.wp.schema import Tables

    engine = create_engine(f"sqlite:///{path}")
    t = Tables("wp_", "wp_")
    t.metadata.create_all(engine)
    now = datetime(2026, 11, 25, 12, 0, 0)
    with engine.begin() as conn:
        conn.execute(
            insert(t.options),
            [
                {"option_name": k, "option_value": v, "autoload": "yes"}
                for k, v in (
                    ("blogname", "Bench Blog"),
                    ("home", HOME),
                    ("siteurl", HOME),
                    ("permalink_structure", "/%year%/%monthnum%/%postname%/"),
                    ("default_ping_status", "open"),
                )
            ],
        )
        posts = []
        for p in range(1, POSTS + 1):
            d = datetime(2024, p % 12 + 1, 1, 12, 0, 0)
            posts.append(
                {
                    "ID": p,
                    "post_title": f"Post number {p}",
                    "post_name": f"post-number-{p}",
                    "post_content": "",
                    "post_excerpt": "",
                    "to_ping": "",
                    "pinged": "",
                    "post_content_filtered": "",
                    "post_date": d,
                    "post_date_gmt": d,
                    "post_modified": d,
                    "post_modified_gmt": d,
                    "guid": f"{HOME}/?p={p}",
                    "post_type": "post",
                    "post_status": "publish",
                    "ping_status": "open",
                }
            )
        conn.execute(insert(t.posts), posts)
        conn.execute(
            insert(t.comments),
            [
                {
                    "comment_ID": s["i"] + 1,
                    "comment_post_ID": s["post"],
                    "comment_author": f"Source {s['i']}",
                    "comment_author_url": url,
                    "comment_author_IP": "203.0.113.9",
                    "comment_date": now - timedelta(minutes=s["i"]),
                    "comment_date_gmt": now - timedelta(minutes=s["i"]),
                    "comment_content": "[&#8230;] a link to your post [&#8230;]",
                    "comment_approved": "0",
                    "comment_agent": "WordPress/6.4",
                    "comment_type": "pingback",
                }
                for s, url in zip(sources, urls, strict=True)
            ],
        )
    engine.dispose()


# ---------------------------------------------------------------------- measuring


def child(args: argparse.Namespace) -> int:
    """One measurement in this (fresh) process; prints one JSON line."""
    from sqlalchemy import create_engine

    conf = json.loads(Path(args.child).read_text())
    if args.mode == "floor":
        out = asyncio.run(_floor(conf["urls"], args.concurrency))
    else:
        from pingdesk.wp.blog import Blog
        from pingdesk.wp.schema import Tables

        engine = create_engine(f"sqlite:///{conf['db']}")
        blog = Blog(engine, Tables("wp_", "wp_"), conf["db"])
        out = _service(blog, conf, args)
    print("RESULT " + json.dumps(out))
    return 0


def _service(blog: Any, conf: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import delete

    from pingdesk.net.safety import Allowlist
    from pingdesk.services.verify import VerifySettings, check_pings
    from pingdesk.wp.pings import PingFilter, iter_pings
    from pingdesk.wp.verify_meta import load_results

    with blog.engine.begin() as conn:  # start from unchecked pings every run
        cm = blog.tables.commentmeta
        conn.execute(delete(cm).where(cm.c.meta_key == "_pingdesk_check"))
    settings = VerifySettings(
        allow=Allowlist.parse(["127.0.0.0/24"]),
        concurrency=args.concurrency,
        per_host=args.per_host,
        timeout=10.0,
        home=HOME,
    )
    blog.option("home")
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    c0, t0 = time.process_time(), time.perf_counter()
    pings = list(iter_pings(blog, PingFilter(status="pending", kind="all")))
    c1 = time.process_time()
    results = asyncio.run(check_pings(blog, pings, settings=settings))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof is not None:
        prof.disable()
        prof.dump_stats(args.profile)
    stored = load_results(blog, [p.id for p in pings])
    got = {r.ping_id: r.result for r in results}
    return {
        "wall": wall,
        "cpu": cpu,
        "cpu_read": c1 - c0,
        "n": len(pings),
        "results": got,
        "stored": {i: r.result for i, r in stored.items()},
    }


async def _floor(urls: list[str], concurrency: int) -> dict[str, Any]:
    import importlib.util

    import httpx

    # As pingdesk.net.fetch does: without sniffio installed, httpcore retries the
    # import (a sys.path search) on every lock it creates.
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]

    limit = asyncio.Semaphore(concurrency)
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=10.0) as client:

        async def one(url: str) -> None:
            if url.startswith("http://10."):
                statuses["skipped"] += 1  # refused by policy: no network at all
                return
            async with limit:
                try:
                    r = await client.get(url)
                    statuses[str(r.status_code)] += 1
                except httpx.TransportError:
                    statuses["error"] += 1

        c0, t0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall": wall, "cpu": cpu, "n": len(urls), "statuses": dict(statuses)}


def run_child(
    conf_path: Path, mode: str, args: argparse.Namespace, src: Path | None
) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src if src is not None else ROOT / "src")
    cmd = [sys.executable, __file__, "--child", str(conf_path), "--mode", mode]
    cmd += ["--concurrency", str(args.concurrency), "--per-host", str(args.per_host)]
    if args.profile and mode == "new":
        cmd += ["--profile", args.profile]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise SystemExit(f"{mode} run failed:\n{proc.stdout}\n{proc.stderr}")


def check(out: dict[str, Any], sources: list[dict[str, Any]], mode: str) -> None:
    want = {str(s["i"] + 1): EXPECT[s["kind"]] for s in sources}
    got = {str(k): v for k, v in out["results"].items()}
    wrong = [(k, want[k], got.get(k)) for k in want if got.get(k) != want[k]]
    if wrong:
        raise SystemExit(f"{mode}: {len(wrong)} wrong results, e.g. {wrong[:5]}")
    stored = {str(k): v for k, v in out["stored"].items()}
    if stored != got:
        raise SystemExit(f"{mode}: stored results differ from the returned ones")


def export_rev(rev: str, into: Path) -> Path:
    """pingdesk's src/ at git revision ``rev``, unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="sources (default 2000)")
    ap.add_argument("--hosts", type=int, default=50, help="source hosts 127.0.0.2.. (max 250)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--baseline-rev", metavar="REV", help="also run pingdesk's src/ at REV")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the (last) new run into FILE")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="new", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)
    if not 1 <= args.hosts <= 250:
        ap.error("--hosts must be 1..250")

    sources = plan(args.n, args.hosts)
    parent_end, child_end = mp.Pipe()
    stop = mp.Event()
    proc = mp.Process(target=_serve, args=(sources, args.hosts, child_end, stop), daemon=True)
    proc.start()
    info = parent_end.recv()
    ports = {int(k): v for k, v in info["ports"].items()}
    urls = [source_url(s, ports, info["dead"]) for s in sources]
    sys.path.insert(0, str(ROOT / "src"))
    try:
        with tempfile.TemporaryDirectory(prefix="pd-bench-verify-") as tmp:
            db = Path(tmp) / "blog.sqlite"
            build_blog(db, sources, urls)
            conf = Path(tmp) / "conf.json"
            conf.write_text(json.dumps({"db": str(db), "urls": urls}))
            old_src = export_rev(args.baseline_rev, Path(tmp)) if args.baseline_rev else None
            modes = ["new", "floor"] + (["old"] if old_src else [])
            runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
            for r in range(args.runs):
                order = modes if r % 2 == 0 else modes[::-1]
                for mode in order:
                    out = run_child(conf, mode, args, old_src if mode == "old" else None)
                    if mode != "floor":
                        check(out, sources, mode)
                    runs[mode].append(out)
                    print(
                        f"run {r + 1} {mode:5}: wall {out['wall']:6.2f} s, CPU "
                        f"{out['cpu']:6.2f} s = {out['cpu'] / args.n * 1000:.3f} ms/source",
                        flush=True,
                    )
    finally:
        stop.set()
        proc.join(5)

    def med(mode: str, key: str) -> float:
        return statistics.median(o[key] for o in runs[mode])

    mix = Counter(s["kind"] for s in sources)
    load = os.getloadavg()[0]
    print()
    print(f"N={args.n} sources on {args.hosts} loopback hosts, concurrency {args.concurrency}, "
          f"per host {args.per_host}; median of {args.runs} runs; {os.cpu_count()} CPUs, "
          f"load {load:.1f}")  # fmt: skip
    print("mix: " + ", ".join(f"{k} {v}" for k, v in mix.items()))
    print(f"{'':28} {'wall s':>8} {'CPU s':>8} {'CPU ms/source':>14}")
    labels = {
        "new": "pingdesk (this tree)",
        "old": f"pingdesk at {args.baseline_rev}",
        "floor": "floor: plain httpx fetch",
    }
    for mode in modes:
        w, c = med(mode, "wall"), med(mode, "cpu")
        print(f"{labels[mode]:28} {w:8.2f} {c:8.2f} {c / args.n * 1000:14.3f}")
    new = med("new", "cpu") / args.n * 1000
    print(f"(of which reading the pings: {med('new', 'cpu_read') / args.n * 1000:.3f} ms/source)")
    print(f"target ≤ 1 ms CPU/source: {'met' if new <= 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
