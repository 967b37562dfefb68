"""The Desk: the operations the CLI and the terminal UI call, one small facade over
the WordPress layer and pingdesk's journal.

Everything here is synchronous and may block on the database or the network;
the TUI calls it from worker threads, never from the UI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pingdesk.errors import NotFound
from pingdesk.progress import Progress, ShouldStop
from pingdesk.store.journal import Entry, Item, Journal
from pingdesk.store.outbox import Outbox
from pingdesk.wp import pings, reconcile
from pingdesk.wp.blog import Blog
from pingdesk.wp.pings import Counts, Page, Ping, PingFilter

# What only writing, settings and posts need is imported when first used: scripts call
# read-only commands many times, and each call would pay these modules' import (~30 ms).
if TYPE_CHECKING:
    from pingdesk.services.snapshot import Snapshot
    from pingdesk.wp.connect import NetworkSite
    from pingdesk.wp.discussion import DiscussionSettings
    from pingdesk.wp.moderation import ModerationResult, Reporting, UndoResult
    from pingdesk.wp.post_overview import PostOverview
    from pingdesk.wp.posts import ClosingResult, PostFilter


@dataclass(frozen=True)
class BlogInfo:
    name: str
    home: str
    label: str
    prefix: str
    site_id: int | None
    dialect: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "home": self.home,
            "database": self.label,
            "prefix": self.prefix,
            "site_id": self.site_id,
            "engine": self.dialect,
        }


@dataclass
class Desk:
    """A moderator's desk for one blog: reading, moderating, undoing."""

    blog: Blog
    journal: Journal
    moderator: str = ""
    # Akismet beside every status change, as wp-admin with the plugin: the trail
    # written with the change, reports staged in the outbox (None: neither).
    reporting: Reporting | None = None
    # Actions an earlier pingdesk left unresolved, settled when this desk opened.
    settled: list[reconcile.Settled] = field(default_factory=list)
    _outbox: Outbox | None = field(default=None, repr=False)

    # -- reading ---------------------------------------------------------------

    def ref(self, ping_id: int) -> str:
        """How the moderator names a ping: '#48' (across blogs: 'site:48')."""
        return f"#{ping_id}"

    def by_blog(self, keys: Iterable[int]) -> list[tuple[Desk, dict[int, int]]]:
        """(one blog's desk, {its comment id: row key}) for each blog these rows are on;
        what reads or works one blog at a time (verification, Akismet) goes through it."""
        return [(self, {int(k): int(k) for k in keys})]

    def desks(self) -> list[Desk]:
        """The one-blog desks behind this one: itself (a Fleet: the blogs it opened)."""
        return [self]

    @property
    def across_blogs(self) -> bool:
        """One queue over several blogs (services.fleet), with a site column."""
        return False

    def info(self) -> BlogInfo:
        o = self.blog.options(["blogname", "home"])
        return BlogInfo(
            name=o["blogname"] or "",
            home=o["home"] or "",
            label=self.blog.label,
            prefix=self.blog.tables.prefix,
            site_id=self.blog.site_id,
            dialect=self.blog.dialect,
        )

    def counts(self) -> Counts:
        return pings.count_pings(self.blog)

    def page(
        self,
        flt: PingFilter,
        *,
        limit: int = 50,
        after: tuple[datetime | None, int] | None = None,
    ) -> Page:
        return pings.list_pings(self.blog, flt, limit=limit, after=after)

    def ids(self, flt: PingFilter) -> list[int]:
        return pings.ping_ids(self.blog, flt)

    def snapshot(self, flt: PingFilter) -> Snapshot:
        """The view ``flt`` names as a compact index, read once: its domain and self terms
        (and any other domain or self term on the same view) are then answered in memory,
        and its pings grouped by domain without another read."""
        from pingdesk.services.snapshot import Snapshot
        from pingdesk.wp.ping_index import read_ping_index

        return Snapshot(read_ping_index(self.blog, flt))

    def each(self, flt: PingFilter) -> Iterator[Ping]:
        """Every matching ping, newest first, read a keyset page at a time."""
        return pings.iter_pings(self.blog, flt)

    def pages(
        self, flt: PingFilter, *, size: int = 1000, limit: int | None = None, brief: bool = False
    ) -> Iterator[list[Ping]]:
        """Every matching ping (at most ``limit``), newest first, a keyset page at a time;
        ``brief``: only what a listing shows (no content, agent, ...)."""
        return pings.iter_pages(self.blog, flt, batch=size, limit=limit, brief=brief)

    def pings(self, ids: Iterable[int], *, with_meta: bool = False) -> list[Ping]:
        return pings.get_pings(self.blog, ids, with_meta=with_meta)

    def ping(self, ping_id: int) -> Ping:
        found = pings.get_pings(self.blog, [ping_id], with_meta=True)
        if not found:
            raise NotFound(f"no ping #{ping_id} on this blog")
        return self.with_permalinks(found)[0]

    def with_permalinks(self, items: list[Ping]) -> list[Ping]:
        from pingdesk.wp.permalinks import permalinks

        links = permalinks(self.blog, {p.post_id for p in items})
        return [replace(p, permalink=links.get(p.post_id)) for p in items]

    def history(self, ping_id: int) -> list[tuple[Entry, Item]]:
        return self.journal.history(self.blog.key, ping_id)

    def entries(self, limit: int = 50) -> list[Entry]:
        return self.journal.entries(self.blog.key, limit)

    # -- moderating ------------------------------------------------------------

    def statuses(self, ids: Iterable[int]) -> dict[int, str]:
        """Current statuses: what a non-interactive caller 'saw'."""
        return {p.id: p.status for p in pings.get_pings(self.blog, ids)}

    def as_seen(
        self, seen: Mapping[int, str] | Iterable[int]
    ) -> tuple[Mapping[int, str], list[int]]:
        """What an action is given as {id: status seen}: plain ids (the CLI) are taken as
        they are now; those that are not pings come back as missing."""
        if isinstance(seen, Mapping):
            return seen, []
        wanted = list(dict.fromkeys(int(i) for i in seen))
        current = self.statuses(wanted)
        return current, [i for i in wanted if i not in current]

    def act(
        self,
        action: str,
        seen: Mapping[int, str] | Iterable[int],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        chunk_size: int = 1000,
    ) -> ModerationResult:
        """Moderate pings. ``seen`` maps id -> status the moderator saw; plain ids
        mean 'as they are now' (the CLI); ids that are not pings are ``missing``."""
        from pingdesk.wp import moderation

        seen, missing = self.as_seen(seen)
        result = moderation.moderate(
            self.blog,
            action,
            seen,
            journal=self.journal,
            progress=progress,
            should_stop=should_stop,
            chunk_size=chunk_size,
            reporting=self.reporting,
        )
        result.requested += len(missing)
        result.missing.extend(missing)
        return result

    def undo(self, action_id: int | None = None) -> UndoResult:
        """Undo the newest action (an interrupted one included), or the one given."""
        from pingdesk.wp import undo

        if action_id is None:
            return undo.undo(self.blog, self.journal, reporting=self.reporting)
        return undo.undo_entry(self.blog, self.journal, action_id, reporting=self.reporting)

    def plan_undo(self, action_id: int | None = None) -> tuple[Entry, list[Item]]:
        """What ``undo`` would reverse, refused as the undo would be; writes nothing."""
        from pingdesk.wp import undo

        return undo.plan(self.blog, self.journal, action_id)

    def reconcile(self) -> list[reconcile.Settled]:
        """Settle actions an earlier pingdesk left unresolved (a crash, a kill, a lost
        connection); their reports become ready to send.

        Settling writes the journal: with one that cannot be written (a read-only
        command under a read-only HOME) they wait for the next pingdesk that can."""
        if not self.journal.writable:
            return []
        found = reconcile.reconcile(self.blog, self.journal)
        self.settled.extend(found)
        return found

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            self._outbox = Outbox(self.journal.path)
        return self._outbox

    def reports_waiting(self) -> int:
        """Akismet reports queued for this blog and not sent yet."""
        return self.outbox.count(self.blog.key)

    def restore(self, ping_id: int) -> list[int]:
        from pingdesk.wp import moderation

        return moderation.restore(self.blog, self.journal, ping_id)

    # -- posts and settings ----------------------------------------------------

    def count_posts(self, flt: PostFilter, *, close: bool = True) -> int:
        from pingdesk.wp import posts

        return posts.count_posts(self.blog, flt, closing=close)

    def set_ping_status(
        self,
        flt: PostFilter,
        *,
        close: bool,
        dry_run: bool = False,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> ClosingResult:
        from pingdesk.wp import posts

        return posts.set_ping_status(
            self.blog,
            flt,
            close=close,
            journal=self.journal,
            dry_run=dry_run,
            progress=progress,
            should_stop=should_stop,
        )

    def settings(self) -> DiscussionSettings:
        from pingdesk.wp import discussion

        return discussion.read_settings(self.blog)

    def set_settings(
        self, *, new_posts_pings: str | None = None, send_pingbacks: bool | None = None
    ) -> dict[str, tuple[str, str]]:
        from pingdesk.wp import discussion

        return discussion.write_settings(
            self.blog, self.journal, new_posts_pings=new_posts_pings, send_pingbacks=send_pingbacks
        )

    def post_overview(self, *, limit: int = 500, search: str | None = None) -> list[PostOverview]:
        """The newest posts with their ping status, pings received and trackbacks waiting."""
        from pingdesk.wp.post_overview import post_overview

        return post_overview(self.blog, limit=limit, search=search)

    def effective_ping_status(self, post_id: int) -> tuple[str, str]:
        from pingdesk.wp import discussion

        return discussion.effective_ping_status(self.blog, post_id)

    # -- the blog itself -------------------------------------------------------

    def sites(self) -> list[NetworkSite]:
        """The sites of this multisite network (none for a single site)."""
        from pingdesk.wp.connect import list_sites

        return list_sites(self.blog)

    def count_index(self, change: str | None = None) -> tuple[bool, bool]:
        """pingdesk's opt-in count index: ``change`` 'add' or 'drop'; (present, changed)."""
        from pingdesk.wp import count_index

        changed = False
        if change == "add":
            changed = count_index.add_index(self.blog)
        elif change == "drop":
            changed = count_index.drop_index(self.blog)
        return count_index.has_index(self.blog), changed

    def close(self) -> None:
        """Release the database connections (the journal belongs to whoever opened it)."""
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None
        self.blog.engine.dispose()
