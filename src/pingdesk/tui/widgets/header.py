"""The header: which blog, where its database is, counts per status and per kind.

Every field is a reactive bound to the main screen's own (``data_bind``): a count
changes in one place, on the screen, and the header follows."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pingdesk.services.desk import BlogInfo
from pingdesk.textsafe import one_line
from pingdesk.tui.query import Query
from pingdesk.tui.views import KIND_BADGES, VIEW_LABELS, VIEWS
from pingdesk.wp.pings import KINDS, Counts


class DeskHeader(Widget):
    DEFAULT_CSS = """
    DeskHeader { height: 3; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    COMPONENT_CLASSES = {"desk-header--title", "desk-header--view", "desk-header--dim"}

    # Bound to the main screen's state (MainBase.data_bind): never set by hand.
    info: reactive[BlogInfo | None] = reactive(None)
    counts: reactive[Counts | None] = reactive(None)
    view: reactive[str] = reactive("pending")
    query_: reactive[Query] = reactive(Query())
    marked: reactive[int] = reactive(0)
    matches: reactive[int | None] = reactive(None)  # None: the view is still being read
    busy: reactive[str] = reactive("")

    @property
    def query_text(self) -> str:
        return self.query_.text

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
            t.append(" — " + matching(self.matches))
        elif self.matches is None:
            t.append("  — reading…", style=dim)
        if self.marked:
            t.append(f"  {self.marked:,} marked", style="bold")
        return t


def matching(n: int | None) -> str:
    """'1,234 match', or 'reading…' while the view is still being read."""
    if n is None:
        return "reading…"
    if n == 0:
        return "none match"
    return f"{n:,} {'matches' if n == 1 else 'match'}"
