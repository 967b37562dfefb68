"""`pingdesk settings`: the Discussion settings that govern pings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.output import emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.wp.discussion import DiscussionSettings


def register(sub: Subcommands) -> None:
    p = sub.add_parser("settings", help="show or set the Discussion settings for pings")
    p.add_argument("--new-posts-pings", choices=["open", "closed"])
    p.add_argument("--send-pingbacks", choices=["on", "off"])
    p.add_argument("--post", type=int, help="show this post's effective ping status")
    add_dry_run(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_settings)


def cmd_settings(args: argparse.Namespace) -> int:
    from pingdesk.services.words import SETTING_HELP

    with open_desk(args, reporting=False) as desk:
        changes: dict[str, tuple[str, str]] = {}
        if args.dry_run:
            changes = _would_change(args, desk.settings())
        elif args.new_posts_pings or args.send_pingbacks:
            changes = desk.set_settings(
                new_posts_pings=args.new_posts_pings,
                send_pingbacks=None if args.send_pingbacks is None else args.send_pingbacks == "on",
            )
        s = desk.settings()
        effective = desk.effective_ping_status(args.post) if args.post else None
        if args.json:
            data = s.to_json() | {"changed": [] if args.dry_run else sorted(changes)}
            if args.dry_run:
                data |= {"dry_run": True, "would_change": sorted(changes)}
            if effective:
                data["post"] = {
                    "id": args.post,
                    "ping_status": effective[0],
                    "effective": effective[1],
                }
            emit_json(data)
            return EXIT_OK
        print(f"Pings on new posts:  {s.new_posts_pings:<7} {SETTING_HELP['default_ping_status']}")
        print(
            f"Send pingbacks:      {'on' if s.send_pingbacks else 'off':<7} "
            f"{SETTING_HELP['default_pingback_flag']}"
        )
        if s.close_comments_for_old_posts:
            print(
                f"Old posts:           pings close after {s.close_comments_days_old} days "
                "(close_comments_for_old_posts; posts only)"
            )
        if effective:
            print(f"Post #{args.post}:  ping_status {effective[0]}, effectively {effective[1]}")
        for name, (old, new) in changes.items():
            if args.dry_run:
                print(f"would change {name}: {old} → {new}")
            else:
                print(f"changed {name} (undo: pingdesk undo)")
    return EXIT_OK


def _would_change(args: argparse.Namespace, now: DiscussionSettings) -> dict[str, tuple[str, str]]:
    """The options a run would change, as (now, then) in words; nothing is written."""
    out: dict[str, tuple[str, str]] = {}
    if args.new_posts_pings and args.new_posts_pings != now.new_posts_pings:
        out["default_ping_status"] = (now.new_posts_pings, args.new_posts_pings)
    if args.send_pingbacks and (args.send_pingbacks == "on") != now.send_pingbacks:
        out["default_pingback_flag"] = ("on" if now.send_pingbacks else "off", args.send_pingbacks)
    return out
