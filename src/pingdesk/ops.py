"""The operations the CLI and the terminal UI call: one small facade over the engine.

Everything here is synchronous and may block on the database or the network;
the TUI calls it from worker threads, never from the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pingdesk.errors import NotFound
from pingdesk.journal import Entry, Journal
from pingdesk.wp import closing, moderation, pings, undo
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import ModerationResult, UndoResult
from pingdesk.wp.pings import Counts, Page, Ping, PingFilter

Progress = Callable[[int, int], None]
ModerationHook = Callable[["Desk", ModerationResult], None]


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
    # Called after every moderation that changed rows (Akismet reporting plugs in here).
    after_moderation: list[ModerationHook] = field(default_factory=list)

    # -- reading ---------------------------------------------------------------

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

    def pings(self, ids: Iterable[int], *, with_meta: bool = False) -> list[Ping]:
        return pings.get_pings(self.blog, ids, with_meta=with_meta)

    def ping(self, ping_id: int) -> Ping:
        found = pings.get_pings(self.blog, [ping_id], with_meta=True)
        if not found:
            raise NotFound(f"no ping #{ping_id} on this blog")
        return self.with_permalinks(found)[0]

    def with_permalinks(self, items: list[Ping]) -> list[Ping]:
        from dataclasses import replace

        try:
            from pingdesk.wp.permalinks import permalinks
        except ImportError:  # pragma: no cover - permalinks module not present
            return items
        links = permalinks(self.blog, {p.post_id for p in items})
        return [replace(p, permalink=links.get(p.post_id)) for p in items]

    def history(self, ping_id: int) -> list[tuple[Entry, Any]]:
        return self.journal.history(self.blog.key, ping_id)

    def entries(self, limit: int = 50) -> list[Entry]:
        return self.journal.entries(self.blog.key, limit)

    # -- moderating ------------------------------------------------------------

    def statuses(self, ids: Iterable[int]) -> dict[int, str]:
        """Current statuses: what a non-interactive caller 'saw'."""
        return {p.id: p.status for p in pings.get_pings(self.blog, ids)}

    def act(
        self,
        action: str,
        seen: Mapping[int, str] | Iterable[int],
        *,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
        chunk_size: int = 1000,
    ) -> ModerationResult:
        """Moderate pings. ``seen`` maps id -> status the moderator saw; plain ids
        mean 'as they are now' (the CLI). Ids that are not pings are conflicts."""
        if not isinstance(seen, Mapping):
            wanted = list(dict.fromkeys(int(i) for i in seen))
            current = self.statuses(wanted)
            missing = [i for i in wanted if i not in current]
            seen = current
        else:
            missing = []
        result = moderation.moderate(
            self.blog,
            action,
            seen,
            journal=self.journal,
            progress=progress,
            should_stop=should_stop,
            chunk_size=chunk_size,
        )
        result.requested += len(missing)
        result.conflicts.extend(moderation.Conflict(i, "?", None) for i in missing)
        if result.changed:
            for hook in self.after_moderation:
                hook(self, result)
        return result

    def undo(self) -> UndoResult:
        result = undo.undo(self.blog, self.journal)
        if result.transitions:
            synthetic = ModerationResult(f"undo {result.undone_action}")
            synthetic.changed = list(result.restored)
            synthetic.transitions = dict(result.transitions)
            for hook in self.after_moderation:
                hook(self, synthetic)
        return result

    def restore(self, ping_id: int) -> list[int]:
        return moderation.restore(self.blog, self.journal, ping_id)

    # -- posts and settings ----------------------------------------------------

    def count_posts(self, flt: closing.PostFilter, *, close: bool = True) -> int:
        return closing.count_posts(self.blog, flt, closing=close)

    def set_ping_status(
        self,
        flt: closing.PostFilter,
        *,
        close: bool,
        dry_run: bool = False,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> closing.ClosingResult:
        return closing.set_ping_status(
            self.blog,
            flt,
            close=close,
            journal=self.journal,
            dry_run=dry_run,
            progress=progress,
            should_stop=should_stop,
        )

    def settings(self) -> closing.Settings:
        return closing.read_settings(self.blog)

    def set_settings(
        self, *, new_posts_pings: str | None = None, send_pingbacks: bool | None = None
    ) -> dict[str, tuple[str, str]]:
        return closing.write_settings(
            self.blog, self.journal, new_posts_pings=new_posts_pings, send_pingbacks=send_pingbacks
        )

    def effective_ping_status(self, post_id: int) -> tuple[str, str]:
        return closing.effective_ping_status(self.blog, post_id)
