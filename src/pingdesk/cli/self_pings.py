"""`pingdesk self-pings status | stop | allow`: stop the blog pinging its own posts.

WordPress pings every link in a post, links to its own posts included, and receives those
pings as pingbacks on itself. `stop` writes a small must-use plugin that drops the blog's
own URLs in the pre_ping hook (as the No Self Ping plugin does); `allow` removes it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of, where
from pingdesk.cli.output import emit_json
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "self-pings",
        help="stop (or allow) the blog pinging its own posts",
        description="status: what stops self-pings now (pingdesk's must-use plugin, or the No "
        "Self Ping plugin). stop: write the must-use plugin into the blog's mu-plugins folder "
        "(needs the blog's files: found by wp-config.php). allow: remove it.",
    )
    p.add_argument("action", choices=["status", "stop", "allow"], nargs="?", default="status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_self_pings)


def cmd_self_pings(args: argparse.Namespace) -> int:
    from pingdesk.services import self_pings
    from pingdesk.services.locate import locate

    target = locate(where(args), config_of(args))
    files = self_pings.files_of(target.wp_config)
    with open_desk(args, reporting=False) as desk:
        changed = False
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
