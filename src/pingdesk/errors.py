"""Errors that reach the user as one line and an exit code, grouped by domain.

Every front end maps them the same way (``pingdesk`` exits with ``exit_code``;
the TUI shows the message):

====  =========================================================================
 0    done
 1    partly done: conflicts, skipped pings, cancelled runs (not an exception)
 2    bad input or configuration: usage, a profile, wp-config.php, a wrong
      password or prefix, a database that is not WordPress, a ping that does
      not exist
 3    the database is unavailable (unreachable, lost, locked past the wait):
      worth retrying later
 4    a remote service the command needed is unavailable (Akismet)
70    an unexpected error: a bug in pingdesk (EX_SOFTWARE), never bad input
====  =========================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_BAD_INPUT = 2
EXIT_DB_UNAVAILABLE = 3
EXIT_REMOTE_UNAVAILABLE = 4
EXIT_BUG = 70  # sysexits.h EX_SOFTWARE


class PingdeskError(Exception):
    """An expected failure with a message fit for the user (no traceback)."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(PingdeskError):
    """The command line (or a filter typed in the TUI) asks for something impossible."""


class ConfigError(PingdeskError):
    """config.toml, a profile, wp-config.php or a DSN cannot be used."""


class ConnectError(ConfigError):
    """The database answered but cannot be used: wrong password, unknown database,
    missing tables, not a WordPress database. Retrying will not help."""


class NotFound(PingdeskError):
    """A ping, post, site or journal entry that does not exist."""


class DatabaseUnavailable(PingdeskError):
    """The database cannot be reached now (down, lost, locked past the wait)."""

    exit_code = EXIT_DB_UNAVAILABLE


class RemoteUnavailable(PingdeskError):
    """A remote service the command needed (Akismet) cannot be used now."""

    exit_code = EXIT_REMOTE_UNAVAILABLE


class Interrupted(DatabaseUnavailable):
    """A bulk action stopped midway because the database went away.

    ``changed`` holds the pings whose chunks committed before it did; the
    journal has them, so ``pingdesk undo`` reverts them.
    """

    def __init__(self, message: str, *, changed: list[int] | None = None) -> None:
        super().__init__(message)
        self.changed = list(changed or [])
