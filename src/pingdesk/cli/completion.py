"""`pingdesk completion bash|zsh|fish`: prints a completion script made from the parser.

The scripts themselves are written by cli/completion_scripts.py, imported only
when one is asked for (`pingdesk --help` pays nothing for them). Profile names
come from config.toml when --profile is completed (`pingdesk completion --profiles`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pingdesk.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from pingdesk.cli.args import Subcommands

SHELLS = ("bash", "zsh", "fish")

INSTALL = """\
install (then open a new shell):
  bash:  mkdir -p ~/.local/share/bash-completion/completions
         pingdesk completion bash > ~/.local/share/bash-completion/completions/pingdesk
         (or in ~/.bashrc: source <(pingdesk completion bash))
  zsh:   mkdir -p ~/.zfunc && pingdesk completion zsh > ~/.zfunc/_pingdesk
         (and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath))
  fish:  mkdir -p ~/.config/fish/completions
         pingdesk completion fish > ~/.config/fish/completions/pingdesk.fish"""


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh, fish)",
        description="Print a completion script for the shell. It completes commands, options\n"
        "and their values, and profile names from config.toml.",
        epilog=INSTALL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", nargs="?", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    # What the scripts call to complete --profile; not for people.
    p.add_argument("--profiles", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    if args.profiles:
        print_profiles()
        return EXIT_OK
    if args.shell is None:
        raise UsageError("completion: name the shell: bash, zsh or fish")
    from pingdesk.cli.completion_scripts import script
    from pingdesk.cli.main import build_parser

    sys.stdout.write(script(args.shell, build_parser()))
    return EXIT_OK


def print_profiles() -> None:
    """Saved profile names, one a line; nothing at all when config.toml cannot be read
    (a completion must never print an error into the command line being typed)."""
    from pingdesk.config import load_config
    from pingdesk.errors import PingdeskError

    try:
        names = sorted(load_config().profiles)
    except PingdeskError:
        return
    for name in names:
        print(name)
