"""Errors that reach the user as one clear line and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1  # conflicts or partial success
EXIT_BAD_INPUT = 2


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


class ConfigError(PingdeskError):
    """wp-config.php, a profile or a DSN could not be used."""


class ConnectError(PingdeskError):
    """The database could not be reached or is not a WordPress database."""


class NotFound(PingdeskError):
    """A ping, post, site or journal entry that does not exist."""
