"""`pingdesk verify`: re-check ping sources and store the results on the pings.

    pingdesk verify 12 15 17
    pingdesk verify --all-matching --status pending --type pingback --json
    pingdesk list --check gone            # then act on what was found:
    pingdesk spam --all-matching --check no-link

Importing this module also registers the ``--check`` list filter (see
pingdesk.wp.checks), which the CLI loads through ``extra_commands()``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from typing import Any

import pingdesk.wp.checks  # noqa: F401 - registers the 'check' list filter
from pingdesk.cli.output import Progress, emit_json, table
from pingdesk.errors import EXIT_OK, PingdeskError
from pingdesk.wp.checks import RESULTS, CheckResult

SUMMARY_ORDER = RESULTS


def add_parser(sub: Any) -> None:
    from pingdesk.cli.main import add_filter_args

    p = sub.add_parser(
        "verify",
        help="re-check that ping sources exist and still link to their posts",
        description="Fetch each ping's source (safely: public addresses only, bounded size and "
        "time) and report linked / mentioned / no-link / gone / http-error / unreachable / "
        "refused / not-html. Results are stored on the pings for everyone (`list --check`).",
    )
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--all-matching", action="store_true", help="check every ping the filters match")
    add_filter_args(p, default_status="pending")
    p.add_argument("--json", action="store_true", help="results as JSON")
    p.add_argument("--no-store", action="store_true", help="report only; keep stored results")
    p.add_argument("--concurrency", type=int, metavar="N", help="fetches at a time (16)")
    p.add_argument("--per-host", type=int, metavar="N", help="fetches at a time per host (2)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="per source, all hops (10)")
    p.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="HOST|HOST:PORT|CIDR",
        help="also fetch from this private host or network (this run only)",
    )
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from pingdesk.cli.commands import open_desk

    with open_desk(args) as desk:
        return run(args, desk)


def _settings(args: argparse.Namespace, home: str | None) -> Any:
    from pingdesk.config import load_config
    from pingdesk.net.verify import VerifySettings

    settings = VerifySettings.from_config(
        load_config().verify, home=home, extra_allow=list(args.allow or [])
    )
    if args.concurrency:
        settings.concurrency = max(1, args.concurrency)
    if args.per_host:
        settings.per_host = max(1, args.per_host)
    if args.timeout:
        settings.timeout = max(0.5, args.timeout)
    return settings


def run(args: argparse.Namespace, desk: Any) -> int:
    from pingdesk.cli.commands import ping_filter
    from pingdesk.net.verify import check_pings
    from pingdesk.wp.pings import iter_pings

    if args.ids and args.all_matching:
        raise PingdeskError("give ping IDs or --all-matching, not both")
    if not args.ids and not args.all_matching:
        raise PingdeskError("verify: give ping IDs, or --all-matching with list filters")
    missing: list[int] = []
    if args.all_matching:
        pings = list(iter_pings(desk.blog, ping_filter(args)))
    else:
        wanted = list(dict.fromkeys(args.ids))
        pings = desk.pings(wanted)
        found = {p.id for p in pings}
        missing = [i for i in wanted if i not in found]
    if not pings:
        if args.json:
            emit_json({"results": [], "not_found": missing})
        else:
            print("no pings to check")
            for i in missing:
                print(f"not a ping on this blog: #{i}")
        return EXIT_OK if not missing else 2

    settings = _settings(args, desk.blog.option("home"))
    progress = Progress("verifying")
    done = 0
    total = len(pings)

    def on_result(_: CheckResult) -> None:
        nonlocal done
        done += 1
        progress(done, total)

    try:
        results = asyncio.run(
            check_pings(
                desk.blog, pings, settings=settings, on_result=on_result, store=not args.no_store
            )
        )
    except KeyboardInterrupt:
        raise PingdeskError(
            f"interrupted after {done} of {total}; finished results were stored", exit_code=130
        ) from None
    _report(args, pings, results, missing)
    return EXIT_OK if not missing else 1


def _report(
    args: argparse.Namespace, pings: list[Any], results: list[CheckResult], missing: list[int]
) -> None:
    if args.json:
        emit_json(
            {
                "results": [r.to_json() for r in results],
                "summary": dict(Counter(r.result for r in results)),
                "not_found": missing,
                "stored": not args.no_store,
            }
        )
        return
    by_id = {p.id: p for p in pings}
    rows = []
    for r in results:
        p = by_id.get(r.ping_id)
        detail = r.reason or r.title
        if r.result in ("linked", "mentioned") and r.excerpt:
            detail = r.excerpt
        rows.append(
            [
                r.ping_id,
                r.result,
                r.http_status or "-",
                (p.domain if p is not None else "") or r.source_url,
                detail,
            ]
        )
    table(["ID", "RESULT", "HTTP", "SOURCE", "DETAIL"], rows, flex=4)
    counts = Counter(r.result for r in results)
    summary = ", ".join(f"{counts[k]} {k}" for k in SUMMARY_ORDER if counts[k])
    print(f"\n{len(results)} checked: {summary}" + ("" if args.no_store else " (stored)"))
    for i in missing:
        print(f"not a ping on this blog: #{i}")
