"""`pingdesk verify`: re-check ping sources and store the results on the pings.

pingdesk verify 12 15 17
pingdesk verify --all-matching --status pending --type pingback --json
pingdesk list --check gone            # then act on what was found:
pingdesk spam --all-matching --check no-link
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from pingdesk.cli.args import (
    add_selection_args,
    check_selection,
    config_of,
    ping_filter,
)
from pingdesk.cli.formats import Field, Fields, add_format_args, output
from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.outcomes import no_such_pings
from pingdesk.cli.output import Progress, emit_json, table
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PARTIAL, NotFound, PingdeskError

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.desk import Desk
    from pingdesk.services.verify import VerifySettings
    from pingdesk.wp.pings import Ping
    from pingdesk.wp.verify_meta import VerifyResult


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "verify",
        help="re-check that ping sources exist and still link to their posts",
        description="Fetch each ping's source (safely: public addresses only, bounded size and "
        "time) and report linked / mentioned / no-link / gone / http-error / unreachable / "
        "refused / not-html. Results are stored on the pings for everyone (`list --check`).",
    )
    add_selection_args(p, default_status="pending")
    add_format_args(p, RESULT_FIELDS)
    p.add_argument("--no-store", action="store_true", help="report only; keep stored results")
    add_dry_run(p, "list the pings it would fetch; fetch nothing, store nothing")
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
    output(args)  # an unknown --fields is a usage error before anything is fetched
    check_selection(args, "verify")
    # On the demo blog: its offline source pages, never the network.
    with open_desk(args, reporting=False, lookalikes=not args.dry_run) as desk:
        return run(args, desk)


def _settings(args: argparse.Namespace, home: str | None) -> VerifySettings:
    from pingdesk.services.verify import VerifySettings

    demo: VerifySettings | None = getattr(args, "demo_verify", None)
    if demo is not None:
        settings = demo  # the demo blog's sources are its look-alike server's pages
    else:
        settings = VerifySettings.from_config(
            config_of(args), home=home, extra_allow=list(args.allow or [])
        )
    if args.concurrency:
        settings.concurrency = max(1, args.concurrency)
    if args.per_host:
        settings.per_host = max(1, args.per_host)
    if args.timeout:
        settings.timeout = max(0.5, args.timeout)
    return settings


def run(args: argparse.Namespace, desk: Desk) -> int:
    from pingdesk.services.verify import verify

    missing: list[int] = []
    if args.all_matching:
        pings = list(desk.each(ping_filter(args)))
    else:
        wanted = list(dict.fromkeys(args.ids))
        pings = desk.pings(wanted)
        found = {p.id for p in pings}
        missing = [i for i in wanted if i not in found]
    if args.dry_run:
        return _dry_run(args, pings, missing)
    if not pings:
        if args.format == "json":
            emit_json({"results": [], "not_found": missing})
        elif missing:
            raise NotFound(no_such_pings(missing))
        elif args.format != "table":
            output(args).write([])  # count: 0; the others: nothing
        else:
            print("no pings to verify")
        return EXIT_OK if not missing else EXIT_BAD_INPUT

    settings = _settings(args, desk.blog.option("home"))
    progress = Progress("verifying")
    done = [0, len(pings)]

    def counted(n: int, total: int) -> None:
        done[:] = [n, total]
        progress(n, total)

    try:
        results = verify(desk, pings, settings, progress=counted, store=not args.no_store)
    except KeyboardInterrupt:
        raise PingdeskError(
            f"interrupted after {done[0]} of {done[1]}; finished results were stored",
            exit_code=130,
        ) from None
    _report(args, pings, results, missing)
    return EXIT_OK if not missing else EXIT_PARTIAL


# A verification result and its ping (None: the ping went away meanwhile).
Result = tuple["VerifyResult", "Ping | None"]


def _detail(row: Result) -> str:
    r = row[0]
    if r.result in ("linked", "mentioned") and r.excerpt:
        return r.excerpt
    return r.reason or r.title


def _result_field(name: str, **kw: Any) -> Field[Result]:
    return Field(name, lambda row: getattr(row[0], name), **kw)


RESULT_FIELDS: Fields[Result] = Fields(
    [
        Field("id", lambda row: row[0].ping_id, cut=False),
        _result_field("result"),
        _result_field("http_status", text=lambda row: row[0].http_status or "-", cut=False),
        Field(
            "source",
            lambda row: (row[1].domain if row[1] is not None else "") or row[0].source_url,
            flex=True,
        ),
        Field("detail", _detail, flex=True),
        _result_field("source_url", flex=True),
        _result_field("final_url", flex=True),
        _result_field("reason", flex=True),
        _result_field("title", flex=True),
        _result_field("excerpt", flex=True),
        _result_field("matched", flex=True),
        _result_field("checked_at"),
    ],
    table=["id", "result", "http_status", "source", "detail"],
    default=[
        "id",
        "result",
        "http_status",
        "source_url",
        "final_url",
        "reason",
        "title",
        "excerpt",
        "matched",
        "checked_at",
    ],
)


def _dry_run(args: argparse.Namespace, pings: list[Ping], missing: list[int]) -> int:
    """What a run would fetch; nothing is fetched or stored."""
    from pingdesk.services.words import plural

    if args.format == "json":
        emit_json(
            {
                "dry_run": True,
                "would_verify": [p.id for p in pings],
                "not_found": missing,
                "store": not args.no_store,
            }
        )
    else:
        stored = "" if args.no_store else " and store the results"
        print(f"would verify {plural(len(pings), 'ping')}{stored}")
        if pings:
            table(
                ["ID", "SOURCE"],
                [[p.id, p.source_url or p.author_url] for p in pings[:30]],
                flex=1,
            )
            if len(pings) > 30:
                print(f"... and {len(pings) - 30:,} more")
        for i in missing:
            print(f"no ping #{i}")
    if missing and not pings:
        if args.format != "json":
            raise NotFound(no_such_pings(missing))
        return EXIT_BAD_INPUT
    return EXIT_PARTIAL if missing else EXIT_OK


def _report(
    args: argparse.Namespace, pings: list[Ping], results: list[VerifyResult], missing: list[int]
) -> None:
    from pingdesk.services.evidence import summarize

    out = output(args)
    if out.is_default_json:
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
    out.write([[(r, by_id.get(r.ping_id)) for r in results]])
    if out.format != "table":  # stdout holds only the records; the rest is said on stderr
        for i in missing:
            print(f"pingdesk: no ping #{i}", file=sys.stderr)
        return
    print("\n" + summarize(results) + ("" if args.no_store else " (stored)"))
    for i in missing:
        print(f"no ping #{i}")
