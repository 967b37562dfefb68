"""The main screen, one module per concern (see base.py)."""

from pingdesk.tui.screens.main.screen import MainScreen

__all__ = ["MainScreen"]
