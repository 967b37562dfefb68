"""`pingdesk links`: who links to the blog, from its approved pings and webmentions.

pingdesk links                          # source domains by reach (posts linked, pings)
pingdesk links --by post                # each post and the domains linking to it
pingdesk links --since 1y --domain example.org --json
pingdesk links --verify                 # re-check sources first (results kept 7 days)
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of
from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.output import Progress, emit_json, table
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.backlinks import LinksReport


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "links",
        help="who links to you: approved pings by source domain and by post",
        description="Approved pingbacks, trackbacks and webmentions grouped by the source's "
        "registrable domain (Public Suffix List): posts linked, pings, first and last seen, and "
        "what pingdesk's last verification found; or per post, the domains linking to it.",
    )
    p.add_argument("--by", choices=["domain", "post"], default="domain")
    p.add_argument("--since", metavar="AGE|DATE", help="only pings newer than 90d, 1y, 2024-01-01")
    p.add_argument("--post", type=int, metavar="ID", help="only links to this post")
    p.add_argument("--domain", help="only sources on this domain (or its subdomains)")
    p.add_argument(
        "--verify",
        action="store_true",
        help="re-check the sources first (those not checked within --max-age)",
    )
    p.add_argument("--max-age", default="7d", metavar="AGE", help="re-use results this fresh (7d)")
    add_dry_run(p, "with --verify: say how many sources it would re-check; fetch and store nothing")
    p.add_argument("--limit", type=int, default=0, metavar="N", help="at most N rows (0: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_links)


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    from pingdesk.errors import UsageError
    from pingdesk.services.words import parse_age

    try:
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        pass
    try:
        return datetime.now(UTC).replace(tzinfo=None) - parse_age(text)
    except UsageError:
        raise UsageError(
            f"--since: use an age (90d, 1y) or a date (2024-01-01), not {text!r}"
        ) from None
    except OverflowError:
        raise UsageError(f"--since {text}: too long ago") from None


def cmd_links(args: argparse.Namespace) -> int:
    from pingdesk.services import backlinks
    from pingdesk.services.words import parse_age

    since = _since(args.since)
    # On the demo blog, --verify fetches from the demo's offline source pages.
    fetching = args.verify and not args.dry_run
    with open_desk(args, reporting=False, lookalikes=fetching) as desk:
        if args.verify:
            from pingdesk.services.verify import VerifySettings

            todo = backlinks.stale(
                desk.blog,
                parse_age(args.max_age),
                since=since,
                post_id=args.post,
                domain=args.domain,
            )
            if args.dry_run:
                print(f"would verify {len(todo)} sources", file=sys.stderr)
            else:
                demo: VerifySettings | None = getattr(args, "demo_verify", None)
                home = desk.info().home
                settings = demo or VerifySettings.from_config(config_of(args), home=home)
                found = backlinks.reverify(
                    desk.blog, todo, settings, progress=Progress("verifying sources")
                )
                summary = ", ".join(f"{n} {r}" for r, n in found.most_common()) or "nothing to do"
                print(f"verified {len(todo)} sources: {summary}", file=sys.stderr)
        report = backlinks.report(desk.blog, since=since, post_id=args.post, domain=args.domain)
    if args.json:
        emit_json(report.to_json())
    elif not report.pings:
        print("no approved pings match")
    elif args.by == "post":
        _by_post(report, args.limit)
    else:
        _by_domain(report, args.limit)
    return EXIT_OK


def _day(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d}" if when else "-"


def _by_domain(report: LinksReport, limit: int) -> None:
    rows: list[list[object]] = []
    for d in report.domains[: limit or None]:
        still = f"{d.standing}/{d.checked} linking" if d.checked else "unchecked"
        rows.append([d.domain, len(d.posts), d.pings, _day(d.first), _day(d.last), still])
    table(["DOMAIN", "POSTS", "PINGS", "FIRST", "LAST", "VERIFIED"], rows, flex=0)


def _by_post(report: LinksReport, limit: int) -> None:
    rows: list[list[object]] = []
    for p in report.posts[: limit or None]:
        names = ", ".join(sorted(p.domains)[:5]) + (" …" if len(p.domains) > 5 else "")
        rows.append([p.post_id, p.title, len(p.domains), p.pings, _day(p.last), names])
    table(["POST", "TITLE", "DOMAINS", "PINGS", "LAST", "LINKED FROM"], rows, flex=1)
