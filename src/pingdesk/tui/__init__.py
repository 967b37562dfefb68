"""The terminal UI (Textual). Nothing outside this package imports Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp

# Rows read first when a view opens, before the full id list arrives (the CLI reads the
# pending view's while Textual loads: see cli.ui).
FIRST_PAGE = 150


def run_tui(*args: Any, **kwargs: Any) -> int:
    """``pingdesk.tui.app.run_tui``, imported lazily so the CLI starts fast."""
    from pingdesk.tui.app import run_tui as _run

    return _run(*args, **kwargs)


__all__ = ["PingdeskApp", "run_tui"]


def __getattr__(name: str) -> Any:
    if name == "PingdeskApp":
        from pingdesk.tui.app import PingdeskApp

        return PingdeskApp
    raise AttributeError(name)
