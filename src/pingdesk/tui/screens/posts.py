"""The Posts screen: each post's ping status (as pings_open() sees it, old-post rule
included), the pings it received, the trackbacks waiting in its to_ping; from a post,
open or close its pings, send its pings, send a trackback, or see its pings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from pingdesk.services.words import plural
from pingdesk.textsafe import clean
from pingdesk.tui.jobs import Job, JobHost
from pingdesk.tui.screens.ask import AskScreen
from pingdesk.tui.screens.confirm import ConfirmScreen
from pingdesk.wp.post_overview import PostOverview
from pingdesk.wp.posts import PostFilter

if TYPE_CHECKING:
    from pingdesk.services.sending import Outcome, SendSettings
    from pingdesk.tui.app import PingdeskApp

LIMIT = 500


def received_text(p: PostOverview) -> str:
    r = p.received
    return f"{r['pingback']}·{r['trackback']}·{r['webmention']}"


class PostsScreen(JobHost, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "back", "Back", tooltip="Back to the queue"),
        Binding("enter", "open_pings", "Its pings", tooltip="This post's pings in the queue"),
        Binding("o", "set_pings(False)", "Open", tooltip="Open pings on this post"),
        Binding("c", "set_pings(True)", "Close", tooltip="Close pings on this post"),
        Binding("s", "send", "Send pings", tooltip="Send this post's pingbacks and trackbacks"),
        Binding("t", "trackback", "Trackback", tooltip="Send a trackback to a URL"),
        Binding("slash", "search", "Search", tooltip="Posts whose title has these words"),
        Binding("ctrl+r", "reload", "Reload", show=False, tooltip="Read the posts again"),
    ]
    DEFAULT_CSS = """
    PostsScreen #posts-title { padding: 0 1; text-style: bold; }
    PostsScreen #posts-status { padding: 0 1; color: $text-muted; }
    PostsScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._posts: dict[int, PostOverview] = {}
        self._search = ""

    @property
    def pd_app(self) -> PingdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label(Text("Posts and their pings"), id="posts-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="posts")
        yield Label(Text("reading…"), id="posts-status")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_column(Text("ID", justify="right"), key="id")
        # Titles are long; at 80 columns the date must still show.
        table.add_column(Text("TITLE"), key="title", width=30)
        table.add_column(Text("PINGS"), key="pings")
        table.add_column(Text("PB·TB·WM"), key="received")
        table.add_column(Text("WAITING", justify="right"), key="waiting")
        table.add_column(Text("DATE"), key="date", width=10)
        table.focus()
        self._load()

    # -- reading ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="posts", exit_on_error=False)
    def _load(self) -> None:
        try:
            rows = self.pd_app.desk.post_overview(limit=LIMIT, search=self._search or None)
        except Exception as exc:
            self.app.call_from_thread(self._say, f"Could not read posts: {exc}")
            return
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[PostOverview]) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        keep = self.current_id
        table.clear()
        self._posts = {p.id: p for p in rows}
        for p in rows:
            effective = p.effective.split(" (")[0]
            style = "green" if effective == "open" else "dim"
            # "closed (older than 14 days)": the old-post rule, said in the status line.
            shown = "closed·old" if p.effective.startswith("closed (") else p.effective
            table.add_row(
                Text(str(p.id), justify="right"),
                Text(clean(p.title, max_len=200) or "(no title)"),
                Text(shown, style=style),
                Text(received_text(p)),
                Text(str(p.to_ping or ""), justify="right"),
                Text(f"{p.date_gmt:%Y-%m-%d}" if p.date_gmt else "-"),
                key=str(p.id),
            )
        if keep in self._posts:
            table.move_cursor(row=table.get_row_index(str(keep)))
        what = f" with '{self._search}' in the title" if self._search else ""
        self._say(
            f"{plural(len(rows), 'post')}{what} (newest {LIMIT} at most) · closed·old: closed by "
            "the old-post rule · enter: its pings · o/c: open/close · s: send · t: trackback"
        )

    def _say(self, text: str) -> None:
        self.query_one("#posts-status", Label).update(Text(text))

    @property
    def current_id(self) -> int | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    # -- actions ------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open_pings()

    def action_open_pings(self) -> None:
        pid = self.current_id
        if pid is not None:
            self.dismiss(None)
            self.pd_app.main.show_query("pending", f"post:{pid}")

    def action_set_pings(self, close: bool) -> None:
        pid = self.current_id
        if pid is None:
            return
        desk = self.pd_app.desk
        verb = "Close" if close else "Open"

        def run(job: Job) -> object:
            return desk.set_ping_status(PostFilter(post_ids=(pid,)), close=close)

        def done(result: object) -> None:
            changed = getattr(result, "changed", 0)
            self.notify(f"{verb}ed pings on post #{pid}." if changed else "Already so.")
            self._load()

        def failed(exc: BaseException) -> None:
            self.notify(f"Could not change post #{pid}: {exc}", severity="error")

        self.pd_app.runner.submit(
            Job(f"{verb} pings on #{pid}", run, on_done=done, on_error=failed), owner=self
        )

    def _send_settings(self) -> SendSettings:
        from pingdesk.services.sending import SendSettings
        from pingdesk.tui.columns.verify import VerifyColumn

        verify = self.pd_app.columns.verify
        home = self.pd_app.desk.blog.option("home")
        if not isinstance(verify, VerifyColumn):
            return SendSettings(home=home)
        # Sending goes where verifying may go: the same allowlist and time bound.
        s = verify.settings
        return SendSettings(allow=s.allow, timeout=s.timeout, home=home)

    def action_send(self) -> None:
        pid = self.current_id
        if pid is None:
            return
        self._plan(pid)

    @work(thread=True, group="send", exit_on_error=False)
    def _plan(self, pid: int) -> None:
        from pingdesk.services.sending import plan

        try:
            post, links, trackbacks, _ = plan(self.pd_app.desk.blog, pid)
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not links and not trackbacks:
            self.app.call_from_thread(
                self.notify, f"Post #{pid}: nothing to send (no new links, no trackbacks waiting)."
            )
            return
        detail = "\n".join(clean(u, max_len=70) for u in [*links, *trackbacks][:8])

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(pid, None)

        question = (
            f"Send {plural(len(links), 'pingback')} and {plural(len(trackbacks), 'trackback')} "
            f"for #{pid} {clean(post.title, max_len=40)}?"
        )
        self.app.call_from_thread(self.app.push_screen, ConfirmScreen(question, detail), answered)

    def action_trackback(self) -> None:
        pid = self.current_id
        if pid is None:
            return

        def answered(url: str | None) -> None:
            if url:
                self._send(pid, url)

        self.app.push_screen(
            AskScreen(f"Send a trackback for post #{pid} to:", placeholder="https://…/trackback/"),
            answered,
        )

    @work(thread=True, group="send", exit_on_error=False)
    def _send(self, pid: int, trackback_url: str | None) -> None:
        from pingdesk.services import sending

        settings = self._send_settings()
        blog = self.pd_app.desk.blog
        self.app.call_from_thread(self._say, f"sending for post #{pid}…")
        try:
            if trackback_url is None:
                out = sending.send_pings(blog, pid, settings)
            else:
                out = sending.send_trackbacks(blog, pid, [trackback_url], settings)
        except Exception as exc:
            self.app.call_from_thread(self.notify, f"Not sent: {exc}", severity="error")
            self.app.call_from_thread(self._load)
            return
        self.app.call_from_thread(self._sent, pid, out)

    def _sent(self, pid: int, out: list[Outcome]) -> None:
        lines = [f"{o.outcome}: {clean(o.target, max_len=60)}" for o in out[:6]]
        bad = [o for o in out if o.outcome not in ("sent", "already-pinged", "no-endpoint")]
        self.notify(
            "\n".join(lines) or "Nothing sent.",
            title=f"Post #{pid}",
            severity="warning" if bad else "information",
            timeout=8,
        )
        self._load()

    def action_search(self) -> None:
        def answered(text: str | None) -> None:
            if text is not None:
                self._search = text
                self._load()

        self.app.push_screen(
            AskScreen("Posts whose title has:", value=self._search, placeholder="words or an ID"),
            answered,
        )

    def action_reload(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)
