"""`pingdesk` with no command (the terminal UI on a blog) and `pingdesk demo`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from pingdesk.cli.args import config_of, where
from pingdesk.cli.session import open_desk, writable_data_dir
from pingdesk.errors import EXIT_BAD_INPUT, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Callable

    from pingdesk.cli.args import Subcommands
    from pingdesk.config import Config
    from pingdesk.services.desk import Desk


def register(sub: Subcommands) -> None:
    p = sub.add_parser("demo", help="open the terminal UI on the built-in demo blog")
    p.add_argument("--reset", action="store_true", help="recreate the demo blog")
    p.add_argument("--no-ui", action="store_true", help="only create it and print where")
    p.set_defaults(func=cmd_demo)


def have_terminal() -> bool:
    """The UI needs a terminal on both ends: keys in, screen out; or a driver Textual
    was told to use instead (TEXTUAL_DRIVER: `pingdesk serve` runs each browser tab's
    pingdesk with textual-serve's web driver, which speaks over pipes)."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_ui(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from pingdesk.services.locate import OtherBlog, other_blogs
    from pingdesk.services.locate import open_desk as open_blog
    from pingdesk.tui import FIRST_PAGE
    from pingdesk.wp.pings import PingFilter

    config = config_of(args)
    with open_desk(args, across_blogs=True) as desk, ThreadPoolExecutor(1) as early:
        # The first screen's rows are read while Textual loads and starts (a third of
        # a second here): the queue shows that much sooner, most on a large network.
        first = early.submit(desk.page, PingFilter(status="pending"), limit=FIRST_PAGE)
        from pingdesk.tui.app import default_columns, run_tui

        def open_other(other: OtherBlog) -> Desk:
            # The same journal: undo and history follow the moderator across blogs.
            return open_blog(other.where, config, desk.journal)

        # Across blogs every site is in the queue already; listing a 10,000-site
        # network's sites to switch to would cost a query per site before the first screen.
        sites = [] if desk.across_blogs else other_blogs(desk, where(args), config)
        # The demo blog opened with --db: its offline look-alikes (see cli.session).
        columns = default_columns(
            config_of(args), verify=getattr(args, "demo_verify", None), sites=sites
        )
        code = run_tui(
            desk,
            columns,
            open_blog=open_other,
            theme=config.tui.theme,
            save_theme=theme_saver(config),
            first_page=first,
        )
        say_waiting(desk)
        return code


def theme_saver(config: Config) -> Callable[[str], object]:
    """Keeps the theme chosen in the UI as config.toml's ``[tui] theme``."""
    from pingdesk.config import config_path, save_setting

    path = config.path or config_path()
    return lambda name: save_setting("tui", "theme", name, path=path)


def say_waiting(desk: Desk) -> None:
    """After the UI closes: reports it could not send stay queued; say so."""
    if desk.reporting is None:
        return
    waiting = desk.reports_waiting()
    if waiting:
        print(
            f"pingdesk: {waiting:,} Akismet report(s) waiting; they stay queued "
            "(pingdesk akismet retry sends them)",
            file=sys.stderr,
        )


def cmd_demo(args: argparse.Namespace) -> int:
    from pingdesk.demo.session import open_demo
    from pingdesk.tui.app import default_columns, run_tui

    writable_data_dir()  # the demo blog lives there
    with open_demo(config_of(args), reset=args.reset, services=not args.no_ui) as session:
        if args.no_ui:
            print(session.desk.blog.label)
            return EXIT_OK
        if not have_terminal():
            print(
                "pingdesk: `pingdesk demo` opens the terminal UI and needs a terminal "
                "(stdin or stdout is not one); `pingdesk demo --no-ui` only creates it",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        columns = default_columns(session.config, verify=session.verify_settings)
        config = config_of(args)
        code = run_tui(
            session.desk, columns, theme=config.tui.theme, save_theme=theme_saver(config)
        )
        say_waiting(session.desk)
        return code
