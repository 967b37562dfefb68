"""The one convention for long work, shared by every layer.

A long operation (a bulk action, verifying sources, an Akismet check) takes
``progress(done, total)``, called as work completes, and ``should_stop()``,
polled between units of work (a chunk, a request). Neither may raise; neither
may block. The TUI passes its job's methods, the CLI a progress line on stderr.

A leaf module so that the WordPress layer, the network layer and the services
can all use the same two types without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
"""Called with (units done, units in all) as work completes."""

ShouldStop = Callable[[], bool]
"""Polled between units of work; True asks the work to stop early."""


def never_stop() -> bool:
    return False


def no_progress(done: int, total: int) -> None:
    return None
