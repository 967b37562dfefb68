"""The domain view: the queue's current view grouped by source domain, largest first.
The moderation keys act on every ping of the domain under the cursor (destructive ones
ask first); enter opens the domain's pings in the usual table.

Groups come from the queue's snapshot of the view when it is current (no read at all),
else from one read of the view; the CHECKS and AKISMET columns show "…" until a second
read (the view's meta, by key) fills them in."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from pingdesk.services.words import plural, tally
from pingdesk.textsafe import clean
from pingdesk.tui.jobs import Job, JobHost
from pingdesk.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from pingdesk.services.domain_view import DomainGroup
    from pingdesk.services.snapshot import Snapshot
    from pingdesk.tui.app import PingdeskApp
    from pingdesk.wp.moderation import ModerationResult
    from pingdesk.wp.pings import PingFilter

MAX_ROWS = 2000
FIRST_ROWS, MORE_ROWS = 100, 400
PAINT_WAIT = 2.0  # seconds the second read waits for the groups' first paint, at most
ASK_FIRST = {"spam", "trash"}
VERBS = {"approve": "Approve", "unapprove": "Unapprove", "spam": "Spam", "trash": "Trash"}
PENDING = "…"  # a column the second read has not filled yet
EVIDENCE_WIDTHS = (18, 13)


class DomainsScreen(JobHost, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "back", "Back", tooltip="Back to the queue"),
        Binding("enter", "open", "Its pings", tooltip="This domain's pings in the queue"),
        Binding("a", "act('approve')", "Approve", tooltip="Approve every ping of the domain"),
        Binding("u", "act('unapprove')", "Unapprove", show=False, tooltip="Unapprove them"),
        Binding("s", "act('spam')", "Spam", tooltip="Mark every ping of the domain as spam"),
        Binding("d", "act('trash')", "Trash", tooltip="Trash every ping of the domain"),
        Binding("z", "undo", "Undo", tooltip="Undo the last action"),
        Binding("ctrl+r", "reload", "Reload", show=False, tooltip="Group the view again"),
    ]
    DEFAULT_CSS = """
    DomainsScreen #domains-title { padding: 0 1; text-style: bold; }
    DomainsScreen #domains-status { padding: 0 1; color: $text-muted; }
    DomainsScreen DataTable { height: 1fr; }
    """

    def __init__(self, flt: PingFilter, snapshot: Snapshot | None = None) -> None:
        super().__init__()
        self.flt = flt
        self._snapshot = snapshot  # the queue's, current when this screen opened
        self._groups: dict[str, DomainGroup] = {}
        self._load_gen = 0

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        title = f"Domains — {self.flt.status} pings by source domain"
        yield Label(Text(title), id="domains-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="domains")
        yield Label(Text("reading…"), id="domains-status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_column(Text("DOMAIN"), key="domain")
        table.add_column(Text("PINGS", justify="right"), key="pings")
        table.add_column(Text("POSTS", justify="right"), key="posts")
        # Fixed widths: the columns fill in after the rest, and must not push LAST off an
        # 80-column screen (a tally of five results is 40 cells; the detail is one enter,
        # or `pingdesk domains`, away).
        table.add_column(Text("CHECKS"), key="checks", width=EVIDENCE_WIDTHS[0])
        table.add_column(Text("AKISMET"), key="akismet", width=EVIDENCE_WIDTHS[1])
        table.add_column(Text("LAST"), key="last")
        table.focus()
        self._load()

    def _load(self) -> None:
        self._load_gen += 1
        self._load_worker(self._load_gen, self._snapshot)
        self._snapshot = None  # after an action or a reload, read the view again

    @work(thread=True, exclusive=True, group="domains", exit_on_error=False)
    def _load_worker(self, gen: int, snap: Snapshot | None) -> None:
        from pingdesk.services.snapshot import fill

        desk = self.pd_app.desk
        try:
            if snap is None:
                snap = desk.snapshot(self.flt)
            groups = snap.group(self.flt)
        except Exception as exc:
            self.app.call_from_thread(self._say, f"Could not group the view: {exc}")
            return
        painted = threading.Event()
        self.app.call_from_thread(self._show, gen, groups, painted)
        # The second read once the groups are on screen: decoding its rows holds the GIL
        # most of a second, and the first paint waited behind it (1.2 s instead of 0.1).
        painted.wait(PAINT_WAIT)
        try:
            evidence = snap.evidence(desk, self.flt)
        except Exception as exc:
            self.app.call_from_thread(self._say, f"Could not read checks and Akismet: {exc}")
            return
        fill(groups, evidence)  # these group objects are only read by _show and _filled
        self.app.call_from_thread(self._filled, gen, groups)

    def _show(self, gen: int, groups: list[DomainGroup], painted: threading.Event) -> None:
        self.call_after_refresh(painted.set)
        if gen != self._load_gen:
            return
        table: DataTable[Text] = self.query_one(DataTable)
        keep = self.current
        table.clear()
        self._groups = {g.domain: g for g in groups}
        shown = groups[:MAX_ROWS]
        at = next((n for n, g in enumerate(shown) if g.domain == keep), None)
        self._add_rows(gen, shown, 0, at)
        self._say_totals(groups, "reading checks and Akismet…")

    def _add_rows(self, gen: int, groups: list[DomainGroup], start: int, keep: int | None) -> None:
        # A screenful first, the rest a chunk per refresh: 2,000 rows at once kept the
        # screen blank for a quarter of a second.
        if gen != self._load_gen:
            return
        table: DataTable[Text] = self.query_one(DataTable)
        end = start + (FIRST_ROWS if start == 0 else MORE_ROWS)
        for g in groups[start:end]:
            table.add_row(
                Text(clean(g.domain) + (" (self)" if g.self_pings else "")),
                Text(str(g.pings), justify="right"),
                Text(str(len(g.posts)), justify="right"),
                *self._evidence_cells(g),
                Text(f"{g.last:%Y-%m-%d}" if g.last else "-"),
                key=g.domain,
            )
        if keep is not None and start <= keep < end and table.cursor_row == 0:
            table.move_cursor(row=keep)  # the domain the cursor was on, unless it moved
        if end < len(groups):
            self.call_after_refresh(self._add_rows, gen, groups, end, keep)

    def _filled(self, gen: int, groups: list[DomainGroup]) -> None:
        if gen != self._load_gen:
            return
        table: DataTable[Text] = self.query_one(DataTable)
        for g in groups[:MAX_ROWS]:
            if g.domain not in table.rows:
                break  # not added yet: it will be, from the filled group
            checks, akismet = self._evidence_cells(g)
            table.update_cell(g.domain, "checks", checks)
            table.update_cell(g.domain, "akismet", akismet)
        self._say_totals(groups, "")

    @staticmethod
    def _evidence_cells(g: DomainGroup) -> tuple[Text, Text]:
        if not g.evidence:
            return Text(PENDING), Text(PENDING)
        return (
            Text(tally(g.checks), no_wrap=True, overflow="ellipsis"),
            Text(tally(g.akismet), no_wrap=True, overflow="ellipsis"),
        )

    def _say_totals(self, groups: list[DomainGroup], note: str) -> None:
        total = sum(g.pings for g in groups)
        self._say(
            f"{plural(len(groups), 'domain')}, {plural(total, 'ping')}"
            + (f" · {note}" if note else "")
            + " · enter: its pings · a/s/d: approve, spam, trash all of it · z: undo"
        )

    def _say(self, text: str) -> None:
        self.query_one("#domains-status", Label).update(Text(text))

    @property
    def current(self) -> str | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key else None

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        name = self.current
        if name is None or name.startswith("("):
            return
        self.dismiss(None)
        text = f"domain:{name}"
        self.pd_app.main.show_query(self.flt.status, text)

    def action_act(self, action: str) -> None:
        group = self._groups.get(self.current or "")
        if group is None:
            return
        if action in ASK_FIRST:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._submit(action, group)

            question = f"{VERBS[action]} all {plural(group.pings, 'ping')} from {group.domain}?"
            self.app.push_screen(ConfirmScreen(clean(question)), answered)
        else:
            self._submit(action, group)

    def _submit(self, action: str, group: DomainGroup) -> None:
        desk = self.pd_app.desk
        seen = dict(group.seen)

        def run(job: Job) -> ModerationResult:
            return desk.act(action, seen, progress=job.progress, should_stop=job.should_stop)

        def done(result: ModerationResult) -> None:
            skipped = len(seen) - len(result.changed)
            tail = f"; {plural(skipped, 'ping')} skipped" if skipped else ""
            done_n = plural(len(result.changed), "ping")
            self.notify(f"{VERBS[action]}: {done_n} of {clean(group.domain)}{tail}. z undoes.")
            self.pd_app.main.forget_snapshot()
            self.pd_app.main.action_reload()
            self._load()

        def failed(exc: BaseException) -> None:
            self.notify(f"{VERBS[action]} failed: {exc}", severity="error")
            self._load()

        label = f"{VERBS[action]} {group.domain}"
        self.pd_app.runner.submit(
            Job(label, run, on_done=done, on_error=failed, long=len(seen) > 1000), owner=self
        )

    def action_undo(self) -> None:
        self.pd_app.main.forget_snapshot()
        self.pd_app.main.action_undo()
        self.set_timer(0.5, self._load)

    def action_reload(self) -> None:
        self._say("reading…")
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)
