"""`pingdesk close-pings | open-pings`: pings on existing posts, in bulk."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.moderate import add_dry_run, add_yes
from pingdesk.cli.output import Progress, emit_json, table
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK, EXIT_PARTIAL

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.wp.posts import PostFilter


def register(sub: Subcommands) -> None:
    for name, close in (("close-pings", True), ("open-pings", False)):
        p = sub.add_parser(
            name,
            help="close pings on existing posts" if close else "re-open pings on posts",
        )
        p.add_argument("--older-than", metavar="AGE", help="e.g. 90d, 12w, 6m, 1y")
        p.add_argument("--post-type", action="append", default=[], metavar="TYPE")
        p.add_argument("--post-status", action="append", default=[], metavar="STATUS")
        p.add_argument("--post", action="append", type=int, default=[], metavar="ID")
        add_dry_run(p)
        add_yes(p)
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_close, close=close)


def _post_filter(args: argparse.Namespace) -> PostFilter:
    from pingdesk.services.words import parse_age
    from pingdesk.wp.posts import PostFilter

    return PostFilter(
        older_than=parse_age(args.older_than) if args.older_than else None,
        post_types=tuple(args.post_type),
        post_statuses=tuple(args.post_status),
        post_ids=tuple(args.post),
    )


def cmd_close(args: argparse.Namespace) -> int:
    from pingdesk.cli.confirm import confirm

    flt = _post_filter(args)
    verb = "closed" if args.close else "opened"
    with open_desk(args, reporting=False) as desk:
        if not args.dry_run and not any(
            (args.older_than, args.post_type, args.post_status, args.post)
        ):
            # No filter: every post on the blog. Ask, as for --all-matching.
            n = desk.count_posts(flt, close=args.close)
            if n:
                confirm(
                    f"close pings on all {n:,} posts where they are open?"
                    if args.close
                    else f"open pings on all {n:,} posts where they are closed?",
                    yes=args.yes,
                    what=f"{'close' if args.close else 'open'}-pings with no filter",
                )
        res = desk.set_ping_status(
            flt, close=args.close, dry_run=args.dry_run, progress=Progress(f"{verb[:-1]}ing")
        )
        if args.json:
            emit_json(res.to_json())
        elif args.dry_run:
            print(f"would have {verb} pings on {res.matched} post(s)")
            table(["ID", "TITLE"], [[i, t] for i, t in res.sample], flex=1)
            if res.matched > len(res.sample):
                print(f"... and {res.matched - len(res.sample)} more")
        else:
            print(
                f"pings {verb} on {res.changed} post(s)"
                + (" (undo: pingdesk undo)" if res.changed else "")
            )
            if res.conflicts:
                print(f"{res.conflicts} post(s) changed meanwhile and were left alone")
    return EXIT_PARTIAL if res.conflicts or res.cancelled else EXIT_OK
