"""`pingdesk help [COMMAND [SUBCOMMAND]]`: the same text as --help, as `wp help` has it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pingdesk.cli.parser import subcommands, unknown_command
from pingdesk.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "help",
        help="help on pingdesk or one command (pingdesk help akismet check)",
        description="Print the help of pingdesk, of a command, or of a command's subcommand: "
        "the same text as --help.",
    )
    p.add_argument("topic", nargs="*", metavar="COMMAND")
    p.set_defaults(func=cmd_help)


def cmd_help(args: argparse.Namespace) -> int:
    from pingdesk.cli.main import build_parser

    parser: argparse.ArgumentParser = build_parser()
    for word in args.topic:
        below = subcommands(parser)
        if word not in below:
            if not below:
                raise UsageError(f"`{parser.prog}` has no subcommands; `pingdesk help` lists them")
            raise UsageError(unknown_command(parser, word))
        parser = below[word]
    print(parser.format_help(), end="")
    return EXIT_OK
