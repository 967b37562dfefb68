"""`pingdesk self-pings status | stop | allow`: stop the blog pinging its own posts.

WordPress pings every link in a post, links to its own posts included, and receives those
pings as pingbacks on itself. `stop` writes a small must-use plugin that drops the blog's
own URLs in the pre_ping hook (as the No Self Ping plugin does); `allow` removes it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.moderate import add_dry_run
from pingdesk.cli.output import emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands
    from pingdesk.services.self_pings import SelfPingState


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "self-pings",
        help="stop (or allow) the blog pinging its own posts",
        description="status: what stops self-pings now (pingdesk's must-use plugin, or the No "
        "Self Ping plugin). stop: write the must-use plugin into the blog's mu-plugins folder "
        "(needs the blog's files: found by wp-config.php). allow: remove it.",
    )
    p.add_argument("action", choices=["status", "stop", "allow"], nargs="?", default="status")
    add_dry_run(p, "stop / allow: say what would be written or removed; change nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_self_pings)


def cmd_self_pings(args: argparse.Namespace) -> int:
    from pingdesk.services import self_pings

    with open_desk(args, reporting=False) as desk:
        files = self_pings.files_of(desk.blog.wp_config)
        changed = False
        if args.dry_run and args.action != "status":
            return _dry_run(args, *self_pings.would_change(desk.blog, files, args.action))
        if args.action == "stop":
            state, changed = self_pings.stop(desk.blog, files)
        elif args.action == "allow":
            state, changed = self_pings.allow(desk.blog, files)
        else:
            state = self_pings.state(desk.blog, files)
    if args.json:
        emit_json(state.to_json() | {"changed": changed})
        return EXIT_OK
    print(state.line())
    if args.action == "allow" and state.by == "plugin":
        print(f"(the plugin {state.other_plugin} still stops them: deactivate it in wp-admin)")
    if args.action == "status" and not state.files_known and not state.stopped:
        print(self_pings.NO_FILES)
    return EXIT_OK


def _dry_run(args: argparse.Namespace, now: SelfPingState, would: bool) -> int:
    if args.json:
        emit_json(now.to_json() | {"dry_run": True, "would_change": would})
    elif not would:
        print(f"would change nothing: {now.line()}")
    elif args.action == "stop":
        print(f"would write the must-use plugin {now.plugin_path}")
    else:
        print(f"would remove the must-use plugin {now.plugin_path}")
    return EXIT_OK
