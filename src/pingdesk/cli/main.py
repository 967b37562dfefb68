"""`pingdesk` entry point: global options, a command, and one exit code.

Each command lives in the module named after its noun (pings, moderate, history,
posts, settings, sites, verify, akismet, ui, serve), with its arguments beside its
handler. Handlers import the services they use when they run, so that
``pingdesk --help`` loads no database, network or UI library.

Exit codes (see pingdesk.errors): 0 done, 1 partly done, 2 bad input or
configuration, 3 the database is unavailable, 4 a remote service (Akismet) is
unavailable; 70 a bug in pingdesk (an unexpected error); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from pingdesk import __version__
from pingdesk.cli import (
    akismet,
    completion,
    domains,
    history,
    links,
    moderate,
    pings,
    posts,
    profile,
    self_pings,
    send,
    serve,
    settings,
    sites,
    ui,
    verify,
)
from pingdesk.cli import help as help_command
from pingdesk.cli.args import add_global_options, every_subcommand
from pingdesk.cli.parser import Parser
from pingdesk.errors import (
    EXIT_BAD_INPUT,
    EXIT_BUG,
    EXIT_DB_UNAVAILABLE,
    EXIT_REMOTE_UNAVAILABLE,
    PingdeskError,
)

Handler = Callable[[argparse.Namespace], int]

# In the order `pingdesk --help` lists them.
COMMANDS = (
    pings,
    domains,
    moderate,
    history,
    links,
    posts,
    send,
    self_pings,
    settings,
    verify,
    akismet,
    sites,
    profile,
    ui,
    serve,
    help_command,
    completion,
)

# Commands that open no blog, so take none of the options saying which.
BLOGLESS = ("pingdesk help", "pingdesk completion")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="pingdesk",
        description="Moderate WordPress trackbacks, pingbacks and webmentions. "
        "With no command, opens the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"pingdesk {__version__}")
    add_global_options(parser)
    parser.set_defaults(config=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    for subparser in every_subcommand(parser):
        if subparser.prog not in BLOGLESS:
            add_global_options(subparser, after_command=True)
    return parser


def escape_what_cannot_be_encoded() -> None:
    """A title in Japanese printed with PYTHONIOENCODING=ascii or in a C locale comes out
    as \\u65e5..., not as a UnicodeEncodeError halfway through the output."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # closed or detached
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    escape_what_cannot_be_encoded()
    parser = build_parser()
    args = parser.parse_args(argv)
    # config.toml is read by the commands that need it (config_of), so help and
    # completion work whatever state it is in, and pay nothing for it.
    try:
        if args.command is None:
            if not ui.have_terminal():
                # `pingdesk </dev/null >out` from cron would otherwise start a UI nobody sees.
                print(
                    "pingdesk: no command given and no terminal for the UI "
                    "(stdin or stdout is not a terminal); pass a command, e.g. "
                    "`pingdesk counts` (pingdesk --help lists them)",
                    file=sys.stderr,
                )
                return EXIT_BAD_INPUT
            return ui.cmd_ui(args)
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
        from pingdesk.config import Environment

        if Environment.read().debug:
            raise
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """One line, never the SQL and its thousand parameters. The database going away
    is exit 3 and a network failure talking to a service is exit 4 wherever they
    happen; a driver complaint about the schema is configuration (2); anything else
    is a bug in pingdesk, exit 70 (EX_SOFTWARE), so that scripts do not take it for
    bad input they could fix."""
    module = type(exc).__module__
    if module.startswith("sqlalchemy"):
        from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

        from pingdesk.wp.txn import short_reason

        lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
        if isinstance(exc, OperationalError | InterfaceError) or lost:
            print(f"pingdesk: the database is unavailable: {short_reason(exc)}", file=sys.stderr)
            return EXIT_DB_UNAVAILABLE
        print(f"pingdesk: database error: {short_reason(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    text = " ".join(str(exc).split())[:300]
    if module.startswith(("httpx", "httpcore")):
        print(f"pingdesk: a remote service is unavailable: {text}", file=sys.stderr)
        return EXIT_REMOTE_UNAVAILABLE
    print(
        f"pingdesk: unexpected error (a bug; PINGDESK_DEBUG=1 shows where): "
        f"{type(exc).__name__}: {text}",
        file=sys.stderr,
    )
    return EXIT_BUG
