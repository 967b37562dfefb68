"""`pingdesk send-pings | send-trackback`: a post's outgoing pings, as WordPress sends them.

pingdesk send-pings 42 --dry-run          # what pingback() and do_trackbacks() would send
pingdesk send-pings 42                    # send them; pinged / to_ping updated as WordPress does
pingdesk send-trackback 42 https://other.example/post/trackback/ --excerpt "…"
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of
from pingdesk.cli.output import emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK, EXIT_PARTIAL
from pingdesk.textsafe import clean

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.desk import Desk
    from pingdesk.services.sending import Outcome, SendSettings

# Outcomes that leave nothing to do: the command is done.
_FINE = {"sent", "already-pinged", "no-endpoint", "would-send"}


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "send-pings",
        help="send a post's pingbacks and trackbacks, as WordPress does on publishing",
        description="Pingbacks to the pages the post links to (not yet in its pinged list, "
        "not itself, not a front page), then the trackbacks waiting in its to_ping; the "
        "post's pinged / to_ping columns are updated as WordPress updates them. Only public "
        "addresses, bounded in size and time ([verify] allow in config.toml, or --allow).",
    )
    p.add_argument("post", type=int, metavar="POST", help="post ID")
    _common(p)
    p.set_defaults(func=cmd_send_pings)

    p = sub.add_parser(
        "send-trackback",
        help="send a trackback by hand (the block editor has no field for it)",
        description="POST title, url (the post's permalink), blog_name and excerpt to each "
        "trackback URL, as WordPress's trackback() does; after any answer the URL is added to "
        "the post's pinged list and removed from its to_ping.",
    )
    p.add_argument("post", type=int, metavar="POST", help="post ID")
    p.add_argument("urls", nargs="+", metavar="URL", help="trackback URL(s)")
    p.add_argument(
        "--excerpt", help="the excerpt to send (default: cut from the post as WordPress does)"
    )
    _common(p)
    p.set_defaults(func=cmd_send_trackback)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")
    p.add_argument("--json", action="store_true", help="one JSON object per target, in a list")
    p.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="HOST|HOST:PORT|CIDR",
        help="also send to this private host or network (this run only)",
    )


def _settings(args: argparse.Namespace, desk: Desk) -> SendSettings:
    from pingdesk.services.sending import send_settings

    return send_settings(config_of(args), home=desk.info().home, extra_allow=args.allow)


def _printer(args: argparse.Namespace) -> tuple[list[Outcome], Callable[[Outcome], None]]:
    shown: list[Outcome] = []

    def show(o: Outcome) -> None:
        shown.append(o)
        if not args.json:
            detail = f"  {clean(o.detail, max_len=200)}" if o.detail else ""
            print(f"{o.outcome:<14} {o.kind:<9} {clean(o.target, max_len=300)}{detail}")
            sys.stdout.flush()

    return shown, show


def _finish(args: argparse.Namespace, outcomes: list[Outcome]) -> int:
    if args.json:
        emit_json([o.to_json() for o in outcomes])
    elif not outcomes:
        print("nothing to send: no new links to ping and no trackbacks waiting")
    return EXIT_OK if all(o.outcome in _FINE for o in outcomes) else EXIT_PARTIAL


def cmd_send_pings(args: argparse.Namespace) -> int:
    from pingdesk.services.sending import send_pings

    with open_desk(args, reporting=False) as desk:
        shown, show = _printer(args)
        send_pings(
            desk.blog,
            args.post,
            _settings(args, desk),
            dry_run=args.dry_run,
            on_outcome=show,
        )
    return _finish(args, shown)


def cmd_send_trackback(args: argparse.Namespace) -> int:
    from pingdesk.services.sending import send_trackbacks

    with open_desk(args, reporting=False) as desk:
        shown, show = _printer(args)
        send_trackbacks(
            desk.blog,
            args.post,
            list(args.urls),
            _settings(args, desk),
            excerpt=args.excerpt,
            dry_run=args.dry_run,
            on_outcome=show,
        )
    return _finish(args, shown)
