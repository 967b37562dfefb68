"""`pingdesk` with no command (the terminal UI on a blog) and `pingdesk demo`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of, where
from pingdesk.cli.session import open_desk
from pingdesk.errors import EXIT_OK

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("demo", help="open the terminal UI on the built-in demo blog")
    p.add_argument("--reset", action="store_true", help="recreate the demo blog")
    p.add_argument("--no-ui", action="store_true", help="only create it and print where")
    p.set_defaults(func=cmd_demo)


def cmd_ui(args: argparse.Namespace) -> int:
    from pingdesk.services.desk import Desk
    from pingdesk.services.locate import OtherBlog, other_blogs
    from pingdesk.services.locate import open_desk as open_blog
    from pingdesk.tui.app import default_columns, run_tui

    config = config_of(args)
    with open_desk(args) as desk:

        def open_other(other: OtherBlog) -> Desk:
            # The same journal: undo and history follow the moderator across blogs.
            return open_blog(other.where, config, desk.journal)

        sites = other_blogs(desk, where(args), config)
        return run_tui(desk, default_columns(config, sites=sites), open_blog=open_other)


def cmd_demo(args: argparse.Namespace) -> int:
    from pingdesk.demo.session import open_demo
    from pingdesk.services.akismet import install_reporting
    from pingdesk.tui.app import default_columns, run_tui

    with open_demo(config_of(args), reset=args.reset, services=not args.no_ui) as session:
        if args.no_ui:
            print(session.desk.blog.label)
            return EXIT_OK
        install_reporting(session.desk, session.config)
        columns = default_columns(session.config, verify=session.verify_settings)
        return run_tui(session.desk, columns)
