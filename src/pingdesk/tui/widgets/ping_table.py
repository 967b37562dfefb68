"""A virtual table of pings on Textual's Line API.

Textual's DataTable measures every cell of every row up front (16 s for 100k
rows, shared/textual.md) and parses str cells as markup. This table holds only
the list of ids in the view; rows are fetched by id, a window around what is
visible at a time, in a thread worker, and kept in an LRU cache. Until a row
arrives its line shows a placeholder. Row 0 of the viewport is a sticky column
header, so row ``i`` lives at virtual line ``i + 1``.

The cursor is a non-repainting reactive: a move refreshes two lines, not the
whole widget (about 1 KB per keystroke over SSH instead of 18 KB).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from pingdesk.services.words import format_age
from pingdesk.textsafe import one_line
from pingdesk.tui.messages import CursorMoved, LoadFailed, RowsLoaded, TableChanged
from pingdesk.tui.views import KIND_BADGES, display_title
from pingdesk.wp.pings import Ping, split_key

CACHE_ROWS = 4096
FETCH_BEFORE = 40
FETCH_AFTER = 120
FETCH_CHUNK = 200


@dataclass(frozen=True)
class RowData:
    ping: Ping
    extras: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int


Loader = Callable[[list[int]], list[RowData]]


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if text.isascii():
        # Fast path: one cell per character.
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def layout(
    width: int, extras: Sequence[tuple[str, str, int]], *, sites: bool = False
) -> list[Column]:
    """Column widths for a terminal ``width`` cells wide; title takes what is left.
    Below 100 cells the optional columns and the self flag get narrow. ``sites``: a
    queue across blogs, with the site each ping is on."""
    narrow = width < 100
    # Cursor '>' and mark '*' are characters, not only styles: NO_COLOR keeps no reverse.
    fixed = [Column("mark", "  ", 2), Column("kind", "  ", 2)]
    if sites:
        fixed.append(Column("site", "site", 8 if narrow else 14))
    tail = [Column("age", "age", 4)]
    tail.append(Column("self", "S", 1) if narrow else Column("self", "self", 4))
    for key, header, w in extras:
        if narrow:
            w = min(w, 7)
            header = header[:w]
        tail.append(Column(key, header, w))
    gaps = len(fixed) + len(tail) + 2 + 2  # a space after each column
    used = sum(c.width for c in fixed + tail) + gaps
    room = max(0, width - used)
    # Domain and post share about half of the room; the title gets the rest.
    domain = max(8, min(24, room * 3 // 10))
    post = max(6, min(24, room * 2 // 10))
    title = max(8, room - domain - post)
    return [
        *fixed,
        Column("domain", "source", domain),
        Column("title", "title (author)", title),
        Column("post", "post", post),
        *tail,
    ]


class PingTable(ScrollView, can_focus=True):
    """The pings of one view. Owns the id snapshot, the row cache and the marks."""

    HELP_TITLE = "Move"  # its keys' section in the help
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="Next ping"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="Previous ping"),
        Binding("g,home", "first", "First", show=False, tooltip="First ping"),
        Binding("G,end", "last", "Last", show=False, tooltip="Last ping"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, tooltip="A screen down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, tooltip="A screen up"),
    ]

    COMPONENT_CLASSES = {
        "ping-table--header",
        "ping-table--cursor",
        "ping-table--marked",
        "ping-table--placeholder",
        "ping-table--pingback",
        "ping-table--trackback",
        "ping-table--webmention",
        "ping-table--self",
        "ping-table--dim",
        "ping-table--empty",
    }

    DEFAULT_CSS = """
    PingTable { height: 1fr; }
    """

    cursor: reactive[int] = reactive(0, repaint=False)

    def __init__(
        self,
        loader: Loader,
        *,
        extras: Sequence[tuple[str, str, int]] = (),
        sites: bool = False,
        now: Callable[[], datetime] = datetime.now,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.loader = loader
        self.extras = list(extras)
        self.sites = sites
        self.now = now
        self.ids: list[int] = []
        self.marked: set[int] = set()
        self.empty_text = "No pings here."
        self.loading = False
        self._partial = False
        self._cache: OrderedDict[int, RowData] = OrderedDict()
        self._gone: set[int] = set()
        self._inflight: set[int] = set()
        self._gen = 0
        self._fetch_scheduled = False
        self._resize_timer: Timer | None = None
        self._columns: list[Column] = layout(80, self.extras)
        self._styles: dict[str, Style] = {}

    # -- data -------------------------------------------------------------------

    @property
    def partial(self) -> bool:
        """The view is still being read: nothing yet, or only its first page."""
        return self._partial

    @partial.setter
    def partial(self, value: bool) -> None:
        self._partial = value
        self._changed()

    def _changed(self) -> None:
        """Say how many rows and marks there are now (the header shows them)."""
        self.post_message(TableChanged(len(self.ids), len(self.marked), not self._partial))

    @property
    def row_count(self) -> int:
        return len(self.ids)

    @property
    def current_id(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def row(self, ping_id: int) -> RowData | None:
        return self._cache.get(ping_id)

    def set_ids(
        self,
        ids: list[int],
        *,
        keep_id: int | None = None,
        keep_index: int | None = None,
        partial: bool = False,
    ) -> None:
        """Replace the snapshot; the cursor stays on ``keep_id`` if it is still there,
        else at ``keep_index`` (clamped): where the row was. ``partial``: more of the
        view is still being read."""
        self.ids = ids
        self._partial = partial
        self.loading = False
        index = keep_index if keep_index is not None else self.cursor
        if keep_id is not None:
            with suppress(ValueError):  # the row left the view: keep the position
                index = ids.index(keep_id)
        self.marked &= set(ids)
        self._resize_virtual()
        self._set_cursor(max(0, min(index, len(ids) - 1)), force=True)
        self.refresh()
        self._changed()

    def add_rows(self, rows: Iterable[RowData]) -> None:
        """Rows read elsewhere (the first page of a view) go straight into the cache."""
        for row in rows:
            self._cache[row.ping.id] = row
            self._gone.discard(row.ping.id)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    def forget_rows(self, ids: Iterable[int] | None = None) -> None:
        """Drop cached rows (all, or some) so they are fetched again."""
        if ids is None:
            self._gen += 1
            self._cache.clear()
            self._gone.clear()
            self._inflight.clear()
        else:
            for i in ids:
                self._cache.pop(i, None)
                self._gone.discard(i)
        self.refresh()

    def remove_ids(self, gone: Iterable[int]) -> dict[int, int]:
        """Take rows out of the view; returns {id: index it had} for putting them back.
        The cursor keeps its index, which now shows the next row: act and advance."""
        drop = set(gone)
        if len(drop) == 1:
            # Act and advance: the row is under the cursor; no walk over 100k ids.
            (pid,) = drop
            if 0 <= self.cursor < len(self.ids) and self.ids[self.cursor] == pid:
                where = {pid: self.cursor}
            else:
                try:
                    where = {pid: self.ids.index(pid)}
                except ValueError:
                    return {}
        else:
            where = {i: n for n, i in enumerate(self.ids) if i in drop}
        if not where:
            return {}
        before_cursor = sum(1 for n in where.values() if n < self.cursor)
        if len(where) == 1:
            # One row: a list pop is a memmove, cheap even at 100k ids.
            self.ids.pop(next(iter(where.values())))
        else:
            self.ids = [i for i in self.ids if i not in drop]
        self.marked -= drop
        # Shrinking the virtual size re-lays out the scrollbars and the whole screen:
        # done once the moderator pauses, not on every act-and-advance.
        self._resize_virtual(lazy=True)
        self._set_cursor(max(0, min(self.cursor - before_cursor, len(self.ids) - 1)), force=True)
        self.refresh()
        self._changed()
        return where

    def put_back(self, where: dict[int, int]) -> None:
        """Undo an optimistic ``remove_ids`` (the write failed)."""
        current = self.current_id
        for ping_id, index in sorted(where.items(), key=lambda kv: kv[1]):
            if ping_id not in self.ids:
                self.ids.insert(min(index, len(self.ids)), ping_id)
        self._resize_virtual()
        if current is not None:
            self._set_cursor(self.ids.index(current), force=True)
        self.refresh()
        self._changed()

    def toggle_mark(self, ping_id: int) -> None:
        if ping_id in self.marked:
            self.marked.discard(ping_id)
        else:
            self.marked.add(ping_id)
        with suppress(ValueError):
            self.refresh_line(self.ids.index(ping_id) + 1)
        self._changed()

    def set_marks(self, ids: Iterable[int]) -> None:
        self.marked = set(ids) & set(self.ids)
        self.refresh()
        self._changed()

    # -- cursor -------------------------------------------------------------------

    def _set_cursor(self, index: int, *, force: bool = False) -> None:
        if force:
            self.set_reactive(PingTable.cursor, index)
            self._cursor_changed(index, index)
        else:
            self.cursor = index

    def watch_cursor(self, old: int, new: int) -> None:
        self._cursor_changed(old, new)

    def _cursor_changed(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_to_cursor()
        ping_id = self.current_id
        self.post_message(CursorMoved(new, ping_id, self._cache.get(ping_id) if ping_id else None))

    def _scroll_to_cursor(self) -> None:
        rows_visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        # Leaving the screen scrolls half a page, not one line: every scroll redraws
        # the whole table, so j held down costs a full redraw every half page
        # instead of on every step (it matters over a slow SSH link).
        half = max(1, rows_visible // 2)
        if self.cursor < top:
            new_top = self.cursor - half if top - self.cursor <= 1 else self.cursor
            self.scroll_to(y=max(0, new_top), animate=False, immediate=True)
        elif self.cursor >= top + rows_visible:
            if self.cursor - (top + rows_visible) <= 0:
                new_top = self.cursor - rows_visible + 1 + half
            else:
                new_top = self.cursor - rows_visible + 1
            self.scroll_to(y=max(0, new_top), animate=False, immediate=True)

    def move_to(self, index: int) -> None:
        if self.ids:
            self.cursor = max(0, min(index, len(self.ids) - 1))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.ids) - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 2))

    # -- layout -------------------------------------------------------------------

    def _resize_virtual(self, *, lazy: bool = False) -> None:
        if self._resize_timer is not None:
            self._resize_timer.stop()
            self._resize_timer = None
        if lazy and self.virtual_size.height > len(self.ids):
            self._resize_timer = self.set_timer(0.5, self._resize_virtual)
            return
        self.virtual_size = Size(self.size.width, len(self.ids) + 1)

    def on_resize(self) -> None:
        self._columns = layout(
            self.scrollable_content_region.width or self.size.width, self.extras, sites=self.sites
        )
        self._resize_virtual()
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    # -- rendering ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header_strip(width, base)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.ids):
            if not self.ids and y == 1:
                text = "Loading…" if self.loading else self.empty_text
                return Strip(
                    [Segment(fit(" " + text, width), base + self._style("ping-table--empty"))]
                )
            return Strip.blank(width, base)
        ping_id = self.ids[index]
        row = self._cache.get(ping_id)
        marked = ping_id in self.marked
        # The cursor (reverse video) and marks win over per-column colours, so the
        # row reads as one bar in any colour mode, NO_COLOR included.
        over: Style | None = None
        if index == self.cursor:
            over = self._style("ping-table--cursor")
        elif marked:
            over = self._style("ping-table--marked")
        style = base + over if over is not None else base
        if row is None:
            self._want()
            what = "(no longer here: ctrl+r refreshes)" if ping_id in self._gone else "…"
            mark = (">" if index == self.cursor else " ") + ("*" if marked else " ")
            text = fit(f"{mark}    #{split_key(ping_id)[1]} {what}", width)
            return Strip([Segment(text, style + self._style("ping-table--placeholder"))])
        cursor = index == self.cursor
        return Strip(self._row_segments(row, base, over, marked, cursor), width).crop_extend(
            0, width, style
        )

    def _header_strip(self, width: int, base: Style) -> Strip:
        style = base + self._style("ping-table--header")
        text = " ".join(fit(c.header, c.width) for c in self._columns)
        return Strip([Segment(fit(text, width), style)])

    def _row_segments(
        self, row: RowData, base: Style, over: Style | None, marked: bool, cursor: bool
    ) -> list[Segment]:
        p = row.ping
        style = base + over if over is not None else base
        segs: list[Segment] = []
        for col in self._columns:
            key, w = col.key, col.width
            cell_style = style
            if key == "mark":
                text = (">" if cursor else " ") + ("*" if marked else " ")
            elif key == "kind":
                text = KIND_BADGES.get(p.kind, "??")
                cell_style = style + self._style(f"ping-table--{p.kind}")
            elif key == "site":
                text = one_line(p.site or "", 64)
            elif key == "domain":
                text = one_line(p.domain or p.source_url or "(no source)", 256)
            elif key == "title":
                text = one_line(display_title(p.kind, p.author, p.content), 512)
            elif key == "post":
                text = one_line(p.post_title, 256) if p.post_title else f"#{p.post_id}"
            elif key == "age":
                text = format_age(p.date_gmt, self.now())
                cell_style = style + self._style("ping-table--dim")
            elif key == "self":
                text = ("self" if w >= 4 else "S") if p.is_self else ""
                cell_style = style + self._style("ping-table--self")
            else:
                text = one_line(row.extras.get(key, ""), 64)
            if over is not None:
                # Under the cursor a coloured cell would show as a coloured block.
                cell_style = style
            segs.append(Segment(fit(text, w), cell_style))
            segs.append(Segment(" ", style))
        return segs

    # -- fetching -----------------------------------------------------------------

    def visible_range(self) -> tuple[int, int]:
        top = int(self.scroll_offset.y)
        return top, top + max(1, self.scrollable_content_region.height - 1)

    def _want(self) -> None:
        if not self._fetch_scheduled:
            self._fetch_scheduled = True
            self.call_later(self._fetch)

    def refetch_visible(self) -> None:
        """Read the visible rows again (after a refresh) without blanking them."""
        top, bottom = self.visible_range()
        ids = [i for i in self.ids[top:bottom] if i not in self._inflight]
        self._gone.difference_update(ids)
        for start in range(0, len(ids), FETCH_CHUNK):
            self._start_load(ids[start : start + FETCH_CHUNK])

    def _start_load(self, chunk: list[int]) -> None:
        self._inflight.update(chunk)
        gen = self._gen
        self.run_worker(
            lambda: self._load(gen, chunk), thread=True, group="rows", exit_on_error=False
        )

    def _fetch(self) -> None:
        self._fetch_scheduled = False
        top, bottom = self.visible_range()
        lo, hi = max(0, top - FETCH_BEFORE), min(len(self.ids), bottom + FETCH_AFTER)
        # Visible rows first, then the window around them.
        order = list(range(top, min(bottom, hi))) + list(range(lo, top)) + list(range(bottom, hi))
        todo = [
            self.ids[n]
            for n in order
            if self.ids[n] not in self._cache
            and self.ids[n] not in self._inflight
            and self.ids[n] not in self._gone
        ]
        for start in range(0, len(todo), FETCH_CHUNK):
            self._start_load(todo[start : start + FETCH_CHUNK])

    def _load(self, gen: int, ids: list[int]) -> None:
        try:
            rows = self.loader(ids)
        except Exception as exc:  # reported, the placeholders stay
            self.post_message(RowsLoaded(gen, [], []))
            self.post_message(LoadFailed(exc))
            return
        self.post_message(RowsLoaded(gen, rows, ids))

    def on_ping_table_rows_loaded(self, message: RowsLoaded) -> None:
        message.stop()
        if message.gen != self._gen:
            return
        self._inflight.difference_update(message.asked)
        got = set()
        for row in message.rows:
            got.add(row.ping.id)
            self._cache[row.ping.id] = row
            self._cache.move_to_end(row.ping.id)
        self._gone.update(i for i in message.asked if i not in got)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        top, bottom = self.visible_range()
        visible = set(self.ids[top:bottom])
        if visible & (got | set(message.asked)):
            self.refresh()
        current = self.current_id
        if current is not None and current in got:
            self.post_message(CursorMoved(self.cursor, current, self._cache[current]))

    def on_ping_table_load_failed(self, message: LoadFailed) -> None:
        # Let the screen report it; keep the failed ids out of flight so ctrl+r retries.
        self._inflight.clear()
