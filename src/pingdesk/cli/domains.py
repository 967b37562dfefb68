"""`pingdesk domains`: a view of pings grouped by source domain (registrable domain).

pingdesk domains                              # pending pings, largest domains first
pingdesk domains --status spam --format csv
pingdesk domains --format ids                 # domain names; then e.g.
pingdesk spam --all-matching --domain DOMAIN  # (acts on the same pings)
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.args import add_filter_args, ping_filter
from pingdesk.cli.formats import Field, Fields, add_format_args, attr_field, day, output
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.domain_view import DomainGroup


def _tally(values: dict[str, int]) -> str:
    # services.words loads the database layer: only when a table is printed, not at --help.
    from pingdesk.services.words import tally

    return tally(values)


FIELDS: Fields[DomainGroup] = Fields(
    [
        attr_field("domain", flex=True),
        attr_field("pings", cut=False),
        Field("kinds", lambda g: dict(g.kinds), text=lambda g: _tally(g.kinds)),
        Field("posts", lambda g: sorted(g.posts), text=lambda g: len(g.posts)),
        Field("hosts", lambda g: sorted(g.hosts), text=lambda g: len(g.hosts)),
        Field("checks", lambda g: dict(g.checks), text=lambda g: _tally(g.checks)),
        Field("akismet", lambda g: dict(g.akismet), text=lambda g: _tally(g.akismet)),
        attr_field("first_seen", "first", text=lambda g: day(g.first)),
        attr_field("last_seen", "last", text=lambda g: day(g.last)),
        attr_field("self_pings", cut=False),
        attr_field("ids"),
    ],
    table=["domain", "pings", "posts", "checks", "akismet", "last_seen"],
    default=[
        "domain",
        "pings",
        "kinds",
        "posts",
        "hosts",
        "checks",
        "akismet",
        "first_seen",
        "last_seen",
        "self_pings",
        "ids",
    ],
    id_field="domain",
)


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "domains",
        help="pings grouped by source domain (how a flood is cleared)",
        description="The pings the filters match, grouped by the source's registrable domain "
        "(Public Suffix List): pings, kinds, posts targeted, verification results, Akismet "
        "verdicts, first and last seen, self-pings. Act on a domain with e.g. "
        "`pingdesk spam --all-matching --domain DOMAIN`.",
    )
    add_filter_args(p)
    p.add_argument("--limit", type=int, default=0, metavar="N", help="at most N domains (0: all)")
    add_format_args(p, FIELDS)
    p.set_defaults(func=cmd_domains)


# Read in a second pass over the view's meta (~1 s for 110k pings): only when printed.
EVIDENCE_FIELDS = frozenset({"checks", "akismet"})


def cmd_domains(args: argparse.Namespace) -> int:
    from pingdesk.services.domain_view import group_by_domain

    out = output(args)
    evidence = out.format not in ("ids", "count") and any(
        f.name in EVIDENCE_FIELDS for f in out.fields
    )
    with open_desk(args, across_blogs=True, reporting=False) as desk:
        groups = group_by_domain(desk, ping_filter(args), evidence=evidence)
    out.write([groups[: args.limit or None]], empty="no pings match")
    return EXIT_OK
