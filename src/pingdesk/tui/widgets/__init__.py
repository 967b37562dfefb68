"""Widgets of the terminal UI."""

from pingdesk.tui.widgets.detail import DetailPane
from pingdesk.tui.widgets.header import DeskHeader
from pingdesk.tui.widgets.ping_table import PingTable, RowData
from pingdesk.tui.widgets.progress import ProgressPanel

__all__ = ["DeskHeader", "DetailPane", "PingTable", "ProgressPanel", "RowData"]
