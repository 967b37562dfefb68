"""`pingdesk sites | index`: the blog itself (its network's sites, the count index)."""

from __future__ import annotations

import argparse
from operator import attrgetter
from typing import TYPE_CHECKING

from pingdesk.cli.formats import Field, Fields, add_format_args, output
from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.output import emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.wp.connect import NetworkSite


def register(sub: Subcommands) -> None:
    p = sub.add_parser("sites", help="list the sites of a multisite network")
    add_format_args(p, SITE_FIELDS)
    p.set_defaults(func=cmd_sites)

    p = sub.add_parser(
        "index",
        help="opt-in index that makes ping counts fast on large blogs",
        description="Show, add or drop pingdesk's optional index on the comments table "
        "(comment_approved, comment_type, comment_date_gmt). WordPress works the same with "
        "or without it; counting pings by type no longer reads the whole table.",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--add", action="store_true", help="create it (online on MariaDB)")
    g.add_argument("--drop", action="store_true", help="remove it")
    add_dry_run(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index)


SITE_FIELDS: Fields[NetworkSite] = Fields(
    [
        Field("id", attrgetter("blog_id"), cut=False),
        Field("domain", attrgetter("domain")),
        Field("path", attrgetter("path")),
        Field("prefix", attrgetter("prefix")),
        Field("name", attrgetter("name"), flex=True),
        Field("home", attrgetter("home"), flex=True),
    ],
    table=["id", "domain", "path", "prefix", "name"],
)


def cmd_sites(args: argparse.Namespace) -> int:
    out = output(args)
    args.site = None  # list the whole network from its main site
    with open_desk(args, reporting=False) as desk:
        sites = desk.sites()
    out.write([sites], empty="not a multisite network: one site only")
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    from pingdesk.wp.count_index import INDEX_NAME

    change = "add" if args.add else "drop" if args.drop else None
    with open_desk(args, reporting=False) as desk:
        if args.dry_run:
            present, _ = desk.count_index(None)
            would = (change == "add" and not present) or (change == "drop" and present)
            if args.json:
                emit_json(
                    {
                        "index": INDEX_NAME,
                        "present": present,
                        "dry_run": True,
                        "would_change": would,
                    }
                )
            else:
                verb = {"add": "add", "drop": "drop"}.get(change or "", "")
                state = "present" if present else "absent"
                table_name = desk.blog.tables.comments.name
                told = f"would {verb} it" if would else "would change nothing"
                print(f"index {INDEX_NAME} on {table_name}: {state}; {told}")
            return EXIT_OK
        present, changed = desk.count_index(change)
        if args.json:
            emit_json({"index": INDEX_NAME, "present": present, "changed": changed})
        else:
            state = "present" if present else "absent"
            note = " (changed)" if changed else ""
            print(f"index {INDEX_NAME} on {desk.blog.tables.comments.name}: {state}{note}")
    return EXIT_OK
