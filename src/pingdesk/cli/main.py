"""`pingdesk` entry point: global connection options, then a command.

Exit codes: 0 success, 1 conflicts or partial success, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from pingdesk import __version__
from pingdesk.errors import EXIT_BAD_INPUT, PingdeskError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default already does) and never
    prints a traceback."""


def add_filter_args(p: argparse.ArgumentParser, *, default_status: str = "pending") -> None:
    p.add_argument(
        "--status",
        default=default_status,
        choices=["pending", "approved", "spam", "trash", "all"],
        help=f"status view (default {default_status})",
    )
    p.add_argument(
        "--type",
        dest="kind",
        default="all",
        choices=["pingback", "trackback", "webmention", "all"],
        help="kind of ping (default all)",
    )
    p.add_argument("--post", type=int, help="only pings on this post ID")
    p.add_argument("--domain", help="only pings whose source is on this domain (or subdomain)")
    p.add_argument("--self", dest="self_only", action="store_true", help="only self-pings")
    p.add_argument("--search", help="text in the title, source URL, excerpt or IP")
    p.add_argument(
        "--check",
        help="only pings whose stored verification result is this "
        "(linked, mentioned, no-link, gone, http-error, unreachable, refused, not-html)",
    )


def build_parser() -> argparse.ArgumentParser:
    from pingdesk.cli import commands

    env = os.environ
    parser = _Parser(
        prog="pingdesk",
        description="Moderate WordPress trackbacks, pingbacks and webmentions. "
        "With no command, opens the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"pingdesk {__version__}")
    g = parser.add_argument_group("connection (also PINGDESK_WP_CONFIG, PINGDESK_DB, ...)")
    g.add_argument("--wp-config", metavar="PATH", default=env.get("PINGDESK_WP_CONFIG"))
    g.add_argument(
        "--db", metavar="URL", default=env.get("PINGDESK_DB"), help="mysql://... or sqlite:///..."
    )
    g.add_argument("--prefix", default=env.get("PINGDESK_PREFIX"), help="table prefix (wp_)")
    g.add_argument("--profile", default=env.get("PINGDESK_PROFILE"), help="saved profile")
    g.add_argument("--site", default=env.get("PINGDESK_SITE"), help="multisite: id or domain/path")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list pings")
    add_filter_args(p)
    p.add_argument("--limit", type=int, default=50, help="at most N rows (0: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_list)

    p = sub.add_parser("show", help="one ping in full")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_show)

    p = sub.add_parser("counts", help="pings per status and type")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_counts)

    helps = {
        "approve": "approve pings",
        "unapprove": "move approved pings back to pending",
        "spam": "mark pings as spam",
        "unspam": "not spam: restore the status they had",
        "trash": "move pings to the trash",
        "untrash": "restore pings from the trash",
        "delete": "delete pings permanently (journaled; `restore` brings them back)",
    }
    defaults = {"unapprove": "approved", "unspam": "spam", "untrash": "trash", "delete": "trash"}
    for action, text in helps.items():
        p = sub.add_parser(action, help=text)
        p.add_argument("ids", nargs="*", type=int, metavar="ID")
        p.add_argument(
            "--all-matching", action="store_true", help="act on every ping the filters match"
        )
        add_filter_args(p, default_status=defaults.get(action, "pending"))
        p.add_argument("--dry-run", action="store_true", help="say what would change")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=commands.cmd_moderate, action=action)

    for name, close in (("close-pings", True), ("open-pings", False)):
        p = sub.add_parser(
            name,
            help="close pings on existing posts" if close else "re-open pings on posts",
        )
        p.add_argument("--older-than", metavar="AGE", help="e.g. 90d, 12w, 6m, 1y")
        p.add_argument("--post-type", action="append", default=[], metavar="TYPE")
        p.add_argument("--post-status", action="append", default=[], metavar="STATUS")
        p.add_argument("--post", action="append", type=int, default=[], metavar="ID")
        p.add_argument("--dry-run", action="store_true")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=commands.cmd_close, close=close)

    p = sub.add_parser("settings", help="show or set the Discussion settings for pings")
    p.add_argument("--new-posts-pings", choices=["open", "closed"])
    p.add_argument("--send-pingbacks", choices=["on", "off"])
    p.add_argument("--post", type=int, help="show this post's effective ping status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_settings)

    p = sub.add_parser("undo", help="reverse the last action")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_undo)

    p = sub.add_parser("history", help="the journal of actions on this blog")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_history)

    p = sub.add_parser("restore", help="bring back a permanently deleted ping")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_restore)

    p = sub.add_parser("sites", help="list the sites of a multisite network")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_sites)

    p = sub.add_parser(
        "index",
        help="opt-in index that makes ping counts fast on large blogs",
        description="Show, add or drop pingdesk's optional index on the comments table "
        "(comment_approved, comment_type, comment_date_gmt). WordPress works the same with "
        "or without it; counting pings by type no longer reads the whole table.",
    )
    g2 = p.add_mutually_exclusive_group()
    g2.add_argument("--add", action="store_true", help="create it (online on MariaDB)")
    g2.add_argument("--drop", action="store_true", help="remove it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=commands.cmd_index)

    p = sub.add_parser("demo", help="open the terminal UI on the built-in demo blog")
    p.add_argument("--reset", action="store_true", help="recreate the demo blog")
    p.add_argument("--no-ui", action="store_true", help="only create it and print where")
    p.set_defaults(func=commands.cmd_demo)

    for extra in commands.extra_commands():
        extra(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from pingdesk.cli.commands import cmd_ui

            return cmd_ui(args)
        func: Handler = args.func
        return func(args)
    except PingdeskError as exc:
        print(f"pingdesk: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pingdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `pingdesk list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # last line of defence: one line, never a traceback
        if os.environ.get("PINGDESK_DEBUG"):
            raise
        print(f"pingdesk: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
