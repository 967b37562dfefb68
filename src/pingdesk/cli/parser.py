"""argparse, with errors a user can act on: which command, what was meant, its usage.

Plain argparse reports an unknown option of `pingdesk list` from the top-level
parser (subparsers hand what they do not know up to it), so the message and the
usage are those of `pingdesk`. Here every parser checks its own leftovers, so a
typo is reported with the usage of the command it was typed for, with the
closest option, command or value (difflib) as a suggestion.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from pingdesk.errors import EXIT_BAD_INPUT


def closest(word: str, candidates: Iterable[str]) -> str | None:
    import difflib  # only on an error: not paid by every command

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The commands directly below ``parser`` (for `pingdesk akismet`: check, status, retry)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def unknown_command(parser: argparse.ArgumentParser, word: str) -> str:
    """``unknown command 'lsit'; did you mean 'list'?`` (nested: ``for `pingdesk akismet```)."""
    names = list(subcommands(parser))
    text = f"unknown command {word!r}"
    if " " in parser.prog:
        text += f" for `{parser.prog}`"
    guess = closest(word, names)
    if guess:
        return f"{text}; did you mean {guess!r}?"
    if len(names) <= 8:
        return f"{text} (choose from {', '.join(names)})"
    return text


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    return [
        name
        for action in parser._actions
        if action.help != argparse.SUPPRESS
        for name in action.option_strings
        if name.startswith("--")
    ]


def short_usage(parser: argparse.ArgumentParser) -> str:
    """One line: the command, [options], its positionals, and where the rest is."""
    words = [parser.prog]
    if any(a.option_strings for a in parser._actions):
        words.append("[options]")
    for action in parser._actions:
        if action.option_strings or action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            words.append(f"{action.metavar or 'COMMAND'} ...")
            continue
        name = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
        words.append(
            {
                "*": f"[{name} ...]",
                "+": f"{name} [{name} ...]",
                "?": f"[{name}]",
            }.get(str(action.nargs), name)
        )
    command = parser.prog.split(" ", 1)[1] if " " in parser.prog else ""
    more = f"pingdesk help {command}".rstrip()
    return f"usage: {' '.join(words)}  (all of it: `{more}`)"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors name the command they belong to.

    ``add_subparsers`` makes its subparsers of the same class, so the whole tree
    behaves alike.
    """

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"pingdesk: {message}\n{short_usage(self)}\n")
        sys.exit(EXIT_BAD_INPUT)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # A subparser's leftovers would be handed up to `pingdesk` and reported with
        # its usage; each parser reports its own instead (nothing here wants extras).
        self._words = list(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(self._unrecognized(extras))
        assert parsed is not None
        return parsed, extras

    def _unrecognized(self, extras: list[str]) -> str:
        option = next((e for e in extras if e.startswith("-") and e != "-"), None)
        if option is None:
            return f"unexpected argument {extras[0]!r} for `{self.prog}`"
        name = option.split("=", 1)[0]
        text = f"unknown option {name} for `{self.prog}`"
        # Compared without the dashes every option shares, or anything is "close".
        bare = {o.lstrip("-"): o for o in long_options(self)}
        guess = closest(name.lstrip("-"), bare)
        return f"{text}; did you mean {bare[guess]}?" if guess else text

    def _unknown_option_before(self, word: str) -> str | None:
        for token in getattr(self, "_words", []):
            if token == word:
                return None
            if token.startswith("--") and len(token) > 2:
                name = token.split("=", 1)[0]
                # argparse also takes unambiguous abbreviations (--prof for --profile)
                if not any(o.startswith(name) for o in self._option_string_actions):
                    return token
        return None

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is None or value in action.choices:
            return
        if isinstance(action, argparse._SubParsersAction):
            # `pingdesk --porfile blog counts`: 'blog' became the command because the
            # option before it is unknown; that option is the typo to report.
            typo = self._unknown_option_before(str(value))
            if typo:
                raise argparse.ArgumentError(None, self._unrecognized([typo]))
            raise argparse.ArgumentError(None, unknown_command(self, str(value)))
        choices = [str(c) for c in action.choices]
        if action.option_strings:
            name = max(action.option_strings, key=len)
        else:
            name = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
        text = f"invalid value {value!r} for {name}"
        guess = closest(str(value), choices)
        if guess:
            text += f"; did you mean {guess!r}?"
        raise argparse.ArgumentError(None, f"{text} (choose from {', '.join(choices)})")
