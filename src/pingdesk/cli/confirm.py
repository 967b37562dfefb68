"""Asking before a bulk write that takes everything, WP-CLI's way.

On a terminal the moderator is asked ("trash all 84 pending pings? [y/N]");
anywhere else (cron, a pipe) the command needs ``--yes`` and says so with the
count, so a script never empties a queue it did not mean to.
"""

from __future__ import annotations

import sys

from pingdesk.errors import EXIT_PARTIAL, PingdeskError, UsageError


class Declined(PingdeskError):
    """The moderator answered no: nothing changed (a cancelled run: exit 1)."""

    exit_code = EXIT_PARTIAL


def confirm(question: str, *, yes: bool, what: str) -> None:
    """Return when the write may go ahead; raise otherwise.

    ``question`` is asked on a terminal ("trash all 84 pending pings?"); ``what``
    names the command for the message off a terminal ("trash --all-matching").
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            f"{what}: {question.removesuffix('?')} — pass --yes to confirm, "
            "or narrow it with filters (--dry-run shows what it would change)"
        )
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise Declined("nothing changed")
