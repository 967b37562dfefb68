"""The detail of one ping: the pane under the table and the full-screen view.

Every value from the database goes through ``safe()`` and into ``Text`` as
plain text, so "[/bold]" or an OSC 52 sequence in a title is shown, not obeyed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from pingdesk.services.words import format_ago
from pingdesk.textsafe import one_line, safe
from pingdesk.tui.views import MAX_DETAIL, display_title, excerpt
from pingdesk.wp.pings import STATUS_NAMES, Ping

# Meta the detail view shows; trash bookkeeping is explained by the status line.
HIDDEN_META = {"_wp_trash_meta_status", "_wp_trash_meta_time"}


@dataclass
class Detail:
    """Everything the detail views show about one ping, loaded in a worker."""

    ping: Ping
    history: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)


def _field(text: Text, label: str, value: str, style: str = "") -> None:
    text.append(f"{label:<9}", style="bold")
    text.append(value, style=style)
    text.append("\n")


def detail_text(
    detail: Detail | Ping, now: datetime, *, full: bool = False, excerpt_lines: int = 4
) -> Text:
    """The detail as plain Text (never markup)."""
    d = detail if isinstance(detail, Detail) else Detail(detail)
    p = d.ping
    t = Text(no_wrap=False, overflow="fold")
    title = one_line(display_title(p.kind, p.author, p.content), 1000)
    t.append(f"{safe(p.ref)} ", style="bold")
    t.append(f"{p.kind} · {STATUS_NAMES.get(p.status, safe(p.status))}", style="italic")
    if p.is_self:
        t.append(" · self-ping", style="bold")
    t.append("  ")
    t.append(title or "(no title)", style="bold")
    t.append("\n")
    _field(t, "source", safe(p.source_url, max_len=2000) or "(none)", "underline")
    if p.kind == "webmention" and p.author_url and p.author_url != p.source_url:
        _field(t, "author", safe(p.author_url, max_len=2000))
    post = one_line(p.post_title, 500) or "(untitled)"
    link = f"  {safe(p.permalink, max_len=2000)}" if p.permalink else ""
    pings_open = f"  pings {safe(p.post_ping_status)}" if p.post_ping_status else ""
    _field(t, "post", f"#{p.post_id} {post}{link}{pings_open}")
    when = p.date_gmt.strftime("%Y-%m-%d %H:%M UTC") if p.date_gmt else "?"
    _field(t, "date", f"{when} ({format_ago(p.date_gmt, now)})")
    _field(t, "from", f"{safe(p.ip) or '?'}  {safe(p.agent, max_len=300)}")
    body = excerpt(p.content, MAX_DETAIL if full else 2000)
    if full:
        t.append("\n")
        t.append(safe(body, keep_newlines=True, max_len=MAX_DETAIL))
        if len(p.content) > MAX_DETAIL:
            t.append(f"\n… ({len(p.content):,} characters in all)", style="italic")
        t.append("\n")
    else:
        lines = [ln for ln in safe(body, keep_newlines=True).splitlines() if ln.strip()]
        shown = " ".join(" ".join(ln.split()) for ln in lines)
        _field(t, "excerpt", shown[: 120 * excerpt_lines])
    for line in d.extras:
        _field(t, "", safe(line, max_len=500))
    if d.history:
        t.append("history\n", style="bold")
        for line in d.history if full else d.history[-4:]:
            t.append("  " + safe(line, max_len=500) + "\n")
    if full and p.meta:
        t.append("meta\n", style="bold")
        for key, values in sorted(p.meta.items()):
            if key in HIDDEN_META:
                continue
            for v in values[:5]:
                t.append(f"  {safe(key, max_len=100)}: {one_line(v, 300)}\n")
    t.rstrip()
    return t


class DetailPane(VerticalScroll, can_focus=False):
    """The row under the cursor, below the table."""

    DEFAULT_CSS = """
    DetailPane { height: 8; border-top: solid $primary-darken-2; }
    DetailPane > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static("", markup=False)

    def compose(self) -> ComposeResult:
        yield self._body

    def show(self, detail: Detail | Ping | None, now: datetime) -> None:
        if detail is None:
            self._body.update(Text(""))
        else:
            self._body.update(detail_text(detail, now))
        self.scroll_home(animate=False)

    def show_text(self, text: str) -> None:
        self._body.update(Text(text))
