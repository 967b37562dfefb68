"""Benchmark: re-verifying 1,000 ping sources, against the theoretical limit and one-at-a-time.

A loopback server (127.0.0.1, allowlisted for its port only, in a separate
process) answers each source
after L = 100 ms with a page that links to the post. The sources are spread over
100 host names (all resolved to 127.0.0.1 by an injected resolver), as real
pings come from many sites; the per-host limit (2) therefore never binds and
the global limit C (16) does.

    limit      = N x L / C              (perfect use of C slots)
    sequential = one fetch at a time     (WordPress's way: pingback_ping() fetches
                                          one source per request, synchronously)

The sequential figure is measured on a sample (default 50 sources) and
extrapolated linearly to N, in the same run; the script says so in its output.
Each figure is the median of --runs runs.

Usage: python bench/bench_verify.py [--n 1000] [--latency 0.1] [--runs 3] [--sample 50]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from pingdesk.demo.sources import Route, start_demo_sources
from pingdesk.net.fetch import Fetcher
from pingdesk.net.links import ParsedPage, TargetSet
from pingdesk.net.safety import Allowlist
from pingdesk.services.verify import VerifySettings, verify_pings

POST = "http://blog.test/2024/03/hello-world/"
TARGETS = {1: {POST, "http://blog.test/?p=1"}}
PAGE = (
    "<!doctype html><html><head><title>Source {i}</title></head><body>"
    "<p>Some words before the link, as blogs do, then "
    f"<a href='{POST}'>the post</a> and a few words after it.</p></body></html>"
)


@dataclass
class Ping:
    id: int
    post_id: int
    source_url: str


async def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


async def concurrent_run(pings: list[Ping], settings: VerifySettings) -> tuple[float, int]:
    t0 = time.perf_counter()
    results = await verify_pings(pings, TARGETS, settings=settings)
    elapsed = time.perf_counter() - t0
    return elapsed, sum(r.result == "linked" for r in results)


async def sequential_run(pings: list[Ping], settings: VerifySettings) -> float:
    """One source at a time with the same fetcher and checks (WordPress's pace)."""
    targets = TargetSet(TARGETS[1])
    async with Fetcher(settings.fetch_settings()) as f:
        t0 = time.perf_counter()
        for p in pings:
            fetched = await f.fetch(p.source_url)
            if fetched.is_html:
                page = ParsedPage.from_bytes(fetched.body, fetched.final_url, fetched.charset)
                page.check(targets)
        return time.perf_counter() - t0


def _serve(n: int, latency: float, ports: mp.Queue[int], stop: Any) -> None:
    server, _ = start_demo_sources(
        {f"/s{i}": Route(body=PAGE.replace("{i}", str(i)), delay=latency) for i in range(n)}
    )
    ports.put(server.port)
    stop.wait()
    server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="number of sources (default 1000)")
    ap.add_argument("--latency", type=float, default=0.1, help="server delay per answer, s")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--hosts", type=int, default=100, help="distinct host names")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=50, help="sources timed one at a time")
    args = ap.parse_args(argv)

    # The sources run in their own process, as they would on other machines: in
    # ours, their threads would compete with the checker for the GIL.
    ports: mp.Queue[int] = mp.Queue()
    stop = mp.Event()
    proc = mp.Process(target=_serve, args=(args.n, args.latency, ports, stop), daemon=True)
    proc.start()
    port = ports.get(timeout=60)
    try:
        pings = [
            Ping(i + 1, 1, f"http://h{i % args.hosts}.bench.test:{port}/s{i}")
            for i in range(args.n)
        ]
        settings = VerifySettings(
            allow=Allowlist.parse([f"127.0.0.1:{port}"]),
            concurrency=args.concurrency,
            per_host=args.per_host,
            resolver=loopback,
            home="http://blog.test",
        )
        limit = args.n * args.latency / args.concurrency
        conc: list[float] = []
        seq: list[float] = []
        for run in range(args.runs):
            elapsed, linked = asyncio.run(concurrent_run(pings, settings))
            if linked != args.n:
                print(f"run {run + 1}: only {linked}/{args.n} linked", file=sys.stderr)
                return 1
            sample_time = asyncio.run(sequential_run(pings[: args.sample], settings))
            conc.append(elapsed)
            seq.append(sample_time * args.n / args.sample)
            print(
                f"run {run + 1}: concurrent {elapsed:.2f} s; sequential sample "
                f"{args.sample} in {sample_time:.2f} s -> {seq[-1]:.1f} s for {args.n}",
                flush=True,
            )
        c, s = statistics.median(conc), statistics.median(seq)
        print()
        print(f"sources N={args.n}, latency L={args.latency * 1000:.0f} ms, "
              f"concurrency C={args.concurrency}, per-host {args.per_host}, "
              f"{args.hosts} hosts, median of {args.runs} runs")  # fmt: skip
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"machine                : {os.cpu_count()} CPUs, load average {load:.1f}")
        print(f"limit N*L/C            : {limit:8.2f} s")
        print(f"pingdesk (concurrent)  : {c:8.2f} s   = {c / limit:.2f} x the limit")
        print(
            f"one at a time          : {s:8.2f} s   (extrapolated from {args.sample} sequential "
            f"fetches; {s / c:.0f} x slower than pingdesk)"
        )
        print(f"runs (concurrent)      : {', '.join(f'{x:.2f}' for x in conc)} s")
        print(f"goal (within 1.5 x)    : {'met' if c <= 1.5 * limit else 'NOT met'}")
        return 0 if c <= 1.5 * limit else 2
    finally:
        stop.set()
        proc.join(5)


if __name__ == "__main__":
    raise SystemExit(main())
