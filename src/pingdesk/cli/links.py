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
from pingdesk.cli.formats import Field, Fields, add_format_args, attr_field, day, output
from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.output import Progress, emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.backlinks import DomainLinks, PostLinks


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
    add_format_args(
        p,
        DOMAIN_FIELDS,
        fields_help=f"by domain: {', '.join(DOMAIN_FIELDS.by_name)}; "
        f"by post: {', '.join(POST_FIELDS.by_name)}",
    )
    p.set_defaults(func=cmd_links)


# --json (no --fields) is the report: {"pings", "domains": [...], "posts": [...]}; the
# other formats give the records of --by, with the JSON names of the report's objects.
DOMAIN_FIELDS: Fields[DomainLinks] = Fields(
    [
        attr_field("domain", flex=True),
        attr_field("pings", cut=False),
        Field("posts", lambda d: sorted(d.posts), text=lambda d: len(d.posts)),
        Field("kinds", lambda d: dict(d.kinds)),
        attr_field("first_seen", "first", text=lambda d: day(d.first)),
        attr_field("last_seen", "last", text=lambda d: day(d.last)),
        attr_field("checked", cut=False),
        attr_field("still_linking", "standing", cut=False),
        Field("checks", lambda d: d.to_json()["checks"]),
        attr_field("last_check"),
        attr_field("last_checked_at"),
        Field("per_month", lambda d: dict(sorted(d.months.items()))),
        Field(
            "verified",
            lambda d: f"{d.standing}/{d.checked} linking" if d.checked else "unchecked",
        ),
    ],
    table=["domain", "posts", "pings", "first_seen", "last_seen", "verified"],
    default=[
        "domain",
        "pings",
        "posts",
        "kinds",
        "first_seen",
        "last_seen",
        "checked",
        "still_linking",
        "checks",
        "last_check",
        "last_checked_at",
        "per_month",
    ],
    id_field="domain",
)

POST_FIELDS: Fields[PostLinks] = Fields(
    [
        attr_field("post_id", cut=False),
        attr_field("title", flex=True),
        attr_field("pings", cut=False),
        Field("domains", lambda p: sorted(p.domains), text=lambda p: len(p.domains)),
        attr_field("last_seen", "last", text=lambda p: day(p.last)),
        Field(
            "linked_from",
            lambda p: ", ".join(sorted(p.domains)[:5]) + (" …" if len(p.domains) > 5 else ""),
            flex=True,
        ),
    ],
    table=["post_id", "title", "domains", "pings", "last_seen", "linked_from"],
    default=["post_id", "title", "pings", "domains", "last_seen"],
    id_field="post_id",
)


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

    if args.by == "post":
        args.record_fields = POST_FIELDS
    out = output(args)  # an unknown --fields is a usage error before anything is read
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
    if out.is_default_json:
        emit_json(report.to_json())
        return EXIT_OK
    records = report.posts if args.by == "post" else report.domains
    out.write([records[: args.limit or None]], empty="no approved pings match")
    return EXIT_OK
