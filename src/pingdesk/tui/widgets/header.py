"""The header: which blog, where its database is, counts per status and per kind."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from pingdesk.services.desk import BlogInfo
from pingdesk.textsafe import one_line
from pingdesk.tui.views import KIND_BADGES, VIEW_LABELS, VIEWS
from pingdesk.wp.pings import KINDS, Counts


class DeskHeader(Widget):
    DEFAULT_CSS = """
    DeskHeader { height: 3; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    COMPONENT_CLASSES = {"desk-header--title", "desk-header--view", "desk-header--dim"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info: BlogInfo | None = None
        self.counts: Counts | None = None
        self.view = "pending"
        self.query_text = ""
        self.marked = 0
        self.busy = ""

    def set_state(
        self,
        *,
        info: BlogInfo | None = None,
        counts: Counts | None = None,
        view: str | None = None,
        query_text: str | None = None,
        marked: int | None = None,
        busy: str | None = None,
    ) -> None:
        if info is not None:
            self.info = info
        if counts is not None:
            self.counts = counts
        if view is not None:
            self.view = view
        if query_text is not None:
            self.query_text = query_text
        if marked is not None:
            self.marked = marked
        if busy is not None:
            self.busy = busy
        self.refresh()

    def render(self) -> Text:
        title = self.get_component_rich_style("desk-header--title", partial=True)
        current = self.get_component_rich_style("desk-header--view", partial=True)
        dim = self.get_component_rich_style("desk-header--dim", partial=True)
        t = Text(no_wrap=True, overflow="ellipsis")
        if self.info is None:
            t.append(" pingdesk ", style=title)
            t.append(" connecting…")
        else:
            i = self.info
            t.append(" " + (one_line(i.name, 80) or "(no name)") + " ", style=title)
            t.append(" " + one_line(i.home, 80))
            label = one_line(i.label, 300)
            if len(label) > 44:
                # The end of a path or DSN says most (file name, database name).
                label = "…" + label[-43:]
            t.append("  " + label, style=dim)
        t.append("\n")
        for n, view in enumerate(VIEWS, 1):
            total = self.counts.total(view) if self.counts else None
            label = (
                f" {n} {VIEW_LABELS[view]} {total:,} "
                if total is not None
                else f" {n} {VIEW_LABELS[view]} "
            )
            t.append(label, style=current if view == self.view else "")
            t.append(" ")
        if self.busy:
            t.append(" " + self.busy, style="bold")
        t.append("\n")
        if self.counts is not None:
            per = self.counts.by_status.get(self.view, {})
            t.append(" " + " · ".join(f"{KIND_BADGES[k]} {per.get(k, 0):,}" for k in KINDS))
        if self.query_text:
            t.append("  filter: ", style="bold")
            t.append(one_line(self.query_text, 200))
        if self.marked:
            t.append(f"  {self.marked:,} marked", style="bold")
        return t
