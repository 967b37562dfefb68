"""One queue across several blogs: every live site of a multisite network
(``--network``), or several saved profiles (``--profile a,b`` / ``--all-profiles``).

A Fleet is a Desk, so the CLI and the TUI use it unchanged. Its rows are keyed by
``queue_key(seat, comment id)``; every read and every action is split by seat and
done through that blog's own tables, comment_count and journal entries, so each
site's wp-admin sees exactly what WordPress would have written there.

How it scales: the sites of one network share a connection pool and are read
together, a few hundred sites per UNION ALL (wp.network); separate blogs (profiles)
are read concurrently, a few at a time, and one that cannot be reached is shown as
such without holding up the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pingdesk.errors import NotFound, PingdeskError, UsageError
from pingdesk.progress import Progress, ShouldStop
from pingdesk.services.desk import BlogInfo, Desk
from pingdesk.store.journal import Entry, Item, Journal
from pingdesk.wp import network
from pingdesk.wp.blog import Blog
from pingdesk.wp.pings import STATUSES, Counts, Page, Ping, PingFilter, queue_key, split_key

if TYPE_CHECKING:
    from pingdesk.services.snapshot import Snapshot
    from pingdesk.wp.moderation import ModerationResult, Reporting, UndoResult

# Blogs read at once when they are separate databases: enough to hide round trips,
# few enough not to crowd a small server.
CONCURRENCY = 4

_T = TypeVar("_T")


@dataclass
class Seat:
    """One blog of the queue. ``desk`` is made when first needed (a network of
    10,000 sites does not build 10,000 desks to show one screen)."""

    no: int
    name: str  # short, for the site column: the site's path or the profile's name
    title: str  # longer: address and blog name
    blog: Blog | None
    error: str | None = None  # why it cannot be read (an unreachable profile)
    group: int = 0  # seats of one group share an engine and are read together
    _desk: Desk | None = field(default=None, repr=False)


@dataclass
class Fleet(Desk):
    """Several blogs' pings as one queue; ``blog`` is the first (the network's main site)."""

    seats: list[Seat] = field(default_factory=list)
    kind: str = "network"  # network | blogs
    make_reporting: Callable[[Blog], Reporting] | None = field(default=None, repr=False)
    # This session's actions, newest last: [(seat, journal id)] per action, for undo.
    _done: list[list[tuple[int, int]]] = field(default_factory=list, repr=False)

    # -- seats --------------------------------------------------------------------

    @property
    def live(self) -> list[Seat]:
        return [s for s in self.seats if s.blog is not None and s.error is None]

    def seat(self, no: int) -> Seat:
        if 1 <= no <= len(self.seats) and self.seats[no - 1].no == no:
            return self.seats[no - 1]
        for s in self.seats:
            if s.no == no:
                return s
        raise NotFound(f"no blog number {no} in this queue")

    def seat_named(self, name: str) -> Seat:
        for s in self.seats:
            if s.name == name or str(s.blog.site_id if s.blog else "") == name:
                return s
        names = ", ".join(s.name for s in self.seats[:8])
        raise NotFound(f"no site {name!r} in this queue (sites: {names}…)")

    def desk_of(self, seat: Seat) -> Desk:
        if seat.blog is None or seat.error:
            raise PingdeskError(f"{seat.title}: {seat.error or 'not connected'}")
        if seat._desk is None:
            desk = Desk(seat.blog, self.journal, moderator=self.moderator)
            if self.make_reporting is not None:
                desk.reporting = self.make_reporting(seat.blog)
            seat._desk = desk
        return seat._desk

    def key(self, seat: Seat, comment_id: int) -> int:
        return queue_key(seat.no, comment_id)

    def ref(self, ping_id: int) -> str:
        """How the moderator names a row: 'SITE:ID'."""
        no, cid = split_key(ping_id)
        return f"{self.seat(no).name}:{cid}"

    @property
    def across_blogs(self) -> bool:
        return True

    def desks(self) -> list[Desk]:
        return [s._desk for s in self.seats if s._desk is not None]

    def by_blog(self, keys: Iterable[int]) -> list[tuple[Desk, dict[int, int]]]:
        out: list[tuple[Desk, dict[int, int]]] = []
        for no, cids in self._split(keys).items():
            out.append((self.desk_of(self.seat(no)), {cid: queue_key(no, cid) for cid in cids}))
        return out

    def parse_ref(self, text: str) -> int:
        """'site:id' (site by name or blog id) → the row's key."""
        site, sep, cid = text.rpartition(":")
        if not sep or not cid.isdigit():
            raise UsageError(f"{text!r}: in a queue across blogs, name pings as SITE:ID")
        return self.key(self.seat_named(site), int(cid))

    def _split(self, keys: Iterable[int]) -> dict[int, list[int]]:
        by_seat: dict[int, list[int]] = {}
        for key in keys:
            no, cid = split_key(int(key))
            by_seat.setdefault(no, []).append(cid)
        return by_seat

    def _rekey(self, seat: Seat, items: Iterable[Ping]) -> list[Ping]:
        site_id = seat.blog.site_id if seat.blog is not None and self.kind == "network" else None
        return [
            replace(p, id=queue_key(seat.no, p.id), site=seat.name, site_id=site_id) for p in items
        ]

    def _each_group(self, fn: Callable[[list[Seat]], _T]) -> list[_T]:
        """``fn`` over the live seats, one call per engine, a few at a time."""
        groups: dict[int, list[Seat]] = {}
        for s in self.live:
            groups.setdefault(s.group, []).append(s)
        if len(groups) <= 1:
            return [fn(g) for g in groups.values()]
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            return list(pool.map(fn, groups.values()))

    def _members(self, seats: Sequence[Seat]) -> list[network.Member]:
        return [network.Member(s.no, s.blog) for s in seats if s.blog is not None]

    # -- reading --------------------------------------------------------------------

    def info(self) -> BlogInfo:
        base = super().info()
        what = "sites" if self.kind == "network" else "blogs"
        name = f"{len(self.live)} {what}" + (f" · {base.name}" if self.kind == "network" else "")
        return replace(base, name=name)

    def seat_counts(self) -> dict[int, Counts]:
        """Each live seat's counts; a seat that fails to answer gets its error set."""

        def read(seats: list[Seat]) -> dict[int, Counts]:
            if self.kind == "network":
                return network.counts_by_member(self._members(seats))
            out: dict[int, Counts] = {}
            for s in seats:
                try:
                    out[s.no] = self.desk_of(s).counts()
                except PingdeskError as exc:
                    s.error = exc.message
            return out

        merged: dict[int, Counts] = {}
        for part in self._each_group(read):
            merged.update(part)
        return merged

    def counts(self) -> Counts:
        total: dict[str, dict[str, int]] = {s: {} for s in STATUSES}
        for c in self.seat_counts().values():
            for status, kinds in c.by_status.items():
                into = total.setdefault(status, {})
                for kind, n in kinds.items():
                    into[kind] = into.get(kind, 0) + n
        return Counts(total)

    def _dated(self, flt: PingFilter, limit: int | None) -> list[tuple[datetime, int]]:
        oldest = datetime.min
        only = self.seat_named(flt.site).no if flt.site else None
        flt = replace(flt, site=None)

        def read(seats: list[Seat]) -> list[tuple[datetime, int]]:
            if only is not None:
                seats = [s for s in seats if s.no == only]
            if not flt.needs_post_filter:
                members = self._members(seats)
                return [
                    (d or oldest, queue_key(no, cid))
                    for d, no, cid in network.dated_ids(members, flt, limit=limit)
                ]
            out: list[tuple[datetime, int]] = []
            for s in seats:  # domain: and self need Python after SQL, seat by seat
                for n, p in enumerate(self.desk_of(s).each(flt)):
                    if limit is not None and n >= limit:
                        break
                    out.append((p.date_gmt or oldest, queue_key(s.no, p.id)))
            return out

        found = [row for part in self._each_group(read) for row in part]
        found.sort(key=lambda r: (r[0], split_key(r[1])[1], r[1]), reverse=True)
        return found[:limit] if limit is not None else found

    def ids(self, flt: PingFilter) -> list[int]:
        return [key for _, key in self._dated(flt, None)]

    def page(
        self,
        flt: PingFilter,
        *,
        limit: int = 50,
        after: tuple[datetime | None, int] | None = None,
    ) -> Page:
        if after is None:
            keys = [key for _, key in self._dated(flt, limit + 1)]
        else:
            keys = self.ids(flt)
            keys = keys[keys.index(after[1]) + 1 :] if after[1] in keys else []
        more = len(keys) > limit
        rows = self.pings(keys[:limit])
        return Page(rows, rows[-1].cursor if more and rows else None)

    def snapshot(self, flt: PingFilter) -> Snapshot:
        """Every blog's index of the view, merged in the queue's order (keys for ids):
        the domain and self terms and the domain view then work across blogs as on one.
        Self-pings are judged against every blog's own hosts (in a network, a ping from
        one site to another is one)."""
        from pingdesk.services.snapshot import Snapshot
        from pingdesk.wp.ping_index import PingIndex, read_ping_index, view_filter
        from pingdesk.wp.pings import KINDS
        from pingdesk.wp.urls import host_of

        view = view_filter(flt)
        plain = replace(view, site=None)
        only = self.seat_named(view.site).no if view.site else None
        seats = [s for s in self.live if only is None or s.no == only]
        # (seat, comment id, date number, post, status, kind number, source host)
        rows: list[tuple[int, int, int, int, str, int, str]] = []
        if self.kind == "network":
            # The sites share one server: their rows in a few UNION ALLs.
            members = self._members(seats)
            read = network.index_rows(members, plain)
            webmentions: dict[int, list[int]] = {}
            for no, cid, _, _, _, ctype, _ in read:
                if ctype not in ("pingback", "trackback"):
                    webmentions.setdefault(no, []).append(cid)
            by_no = {m.no: m for m in members}
            sources = network.webmention_sources_by_member(
                [(by_no[no], ids) for no, ids in webmentions.items()]
            )
            for no, cid, d, post, status, ctype, url in read:
                if ctype in ("pingback", "trackback"):
                    rows.append((no, cid, d, post, status, KINDS.index(ctype), host_of(url)))
                else:
                    source = sources.get((no, cid)) or url
                    rows.append(
                        (no, cid, d, post, status, KINDS.index("webmention"), host_of(source))
                    )
            hosts = network.own_hosts(members)
        else:
            # Separate blogs: each blog's own index, from the blogs with pings in the view.
            busy = {split_key(k)[0] for k in self.ids(view)}
            parts = [
                (s.no, read_ping_index(s.blog, plain))
                for s in seats
                if s.no in busy and s.blog is not None
            ]
            for no, ix in parts:
                rows.extend(
                    (
                        no,
                        ix.ids[n],
                        ix.dates[n],
                        ix.posts[n],
                        ix.status(n),
                        ix.kinds[n],
                        ix.hosts[ix.host_ix[n]],
                    )
                    for n in range(len(ix))
                )
            hosts = frozenset().union(*(ix.own_hosts for _, ix in parts))
        merged = PingIndex(view, hosts)
        rows.sort(key=lambda r: (r[2], r[1], queue_key(r[0], r[1])), reverse=True)
        host_no: dict[str, int] = {}
        status_no: dict[str, int] = {}
        for no, cid, d, post, status, kind, host in rows:
            merged.ids.append(queue_key(no, cid))
            merged.host_ix.append(host_no.setdefault(host, len(host_no)))
            merged.kinds.append(kind)
            merged.posts.append(post)
            merged.dates.append(d)
            merged.status_ix.append(status_no.setdefault(status, len(status_no)))
        merged.hosts = list(host_no)
        merged.statuses = list(status_no)
        return Snapshot(merged)

    def pages(
        self, flt: PingFilter, *, size: int = 1000, limit: int | None = None, brief: bool = False
    ) -> Iterator[list[Ping]]:
        # With a limit each site gives only its newest that many: a first screen of
        # 10,000 sites reads a few rows from each, not every pending ping.
        keys = [key for _, key in self._dated(flt, limit)]
        for start in range(0, len(keys), size):
            yield self.pings(keys[start : start + size])

    def each(self, flt: PingFilter) -> Iterator[Ping]:
        for page in self.pages(flt):
            yield from page

    def pings(self, ids: Iterable[int], *, with_meta: bool = False) -> list[Ping]:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        by_seat = self._split(wanted)

        def read(item: tuple[int, list[int]]) -> list[Ping]:
            seat = self.seat(item[0])
            return self._rekey(seat, self.desk_of(seat).pings(item[1], with_meta=with_meta))

        found: dict[int, Ping] = {}
        jobs = list(by_seat.items())
        if self.kind == "network" and not with_meta and jobs:
            # A network's sites share one server: their rows come in a few statements.
            seats = {no: self.seat(no) for no in by_seat}
            members = [network.Member(no, s.blog) for no, s in seats.items() if s.blog]
            got = network.pings_by_member([(m, by_seat[m.no]) for m in members])
            for no, rows in got.items():
                found.update((p.id, p) for p in self._rekey(seats[no], rows))
            return [found[k] for k in wanted if k in found]
        if len(jobs) <= 1:
            parts = [read(j) for j in jobs]
        else:
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                parts = list(pool.map(read, jobs))
        for part in parts:
            found.update((p.id, p) for p in part)
        return [found[k] for k in wanted if k in found]

    def ping(self, ping_id: int) -> Ping:
        no, cid = split_key(ping_id)
        seat = self.seat(no)
        return self._rekey(seat, [self.desk_of(seat).ping(cid)])[0]

    def with_permalinks(self, items: list[Ping]) -> list[Ping]:
        out: dict[int, Ping] = {}
        for no, _ in self._split(p.id for p in items).items():
            seat = self.seat(no)
            mine = [replace(p, id=split_key(p.id)[1]) for p in items if split_key(p.id)[0] == no]
            out.update(
                (p.id, p) for p in self._rekey(seat, self.desk_of(seat).with_permalinks(mine))
            )
        return [out.get(p.id, p) for p in items]

    def history(self, ping_id: int) -> list[tuple[Entry, Item]]:
        no, cid = split_key(ping_id)
        return self.desk_of(self.seat(no)).history(cid)

    def entries(self, limit: int = 50) -> list[Entry]:
        return self.journal.entries_among({s.blog.key for s in self.live if s.blog}, limit)

    # -- moderating -----------------------------------------------------------------

    def statuses(self, ids: Iterable[int]) -> dict[int, str]:
        return {p.id: p.status for p in self.pings(ids)}

    def act(
        self,
        action: str,
        seen: Mapping[int, str] | Iterable[int],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        chunk_size: int = 1000,
    ) -> ModerationResult:
        """The action on each seat's pings through that seat's own desk (its tables,
        comment_count, journal entry); one result for the whole queue."""
        from pingdesk.wp.moderation import Conflict, ModerationResult

        seen, missing = self.as_seen(seen)
        total = len(seen)
        by_seat: dict[int, dict[int, str]] = {}
        for key, status in seen.items():
            no, cid = split_key(key)
            by_seat.setdefault(no, {})[cid] = status
        result = ModerationResult(action)
        done: list[tuple[int, int]] = []
        offset = 0
        for no, part in by_seat.items():
            if should_stop is not None and should_stop():
                result.cancelled = True
                break
            seat = self.seat(no)
            base = offset

            def step(n: int, _of: int, base: int = base) -> None:
                if progress is not None:
                    progress(base + n, total)

            r = self.desk_of(seat).act(
                action, part, progress=step, should_stop=should_stop, chunk_size=chunk_size
            )
            offset += len(part)
            k = lambda cid, no=no: queue_key(no, cid)  # noqa: E731
            result.requested += r.requested
            result.changed += [k(i) for i in r.changed]
            result.transitions.update({k(i): t for i, t in r.transitions.items()})
            result.conflicts += [Conflict(k(c.id), c.expected, c.actual) for c in r.conflicts]
            result.skipped += [(k(i), why) for i, why in r.skipped]
            result.missing += [k(i) for i in r.missing]
            result.posts |= {k(p) for p in r.posts}
            result.notes += [f"{seat.name}: {n}" for n in r.notes]
            if r.journal_id is not None:
                result.journal_id = r.journal_id
                done.append((no, r.journal_id))
            if r.cancelled:
                result.cancelled = True
                break
        result.requested += len(missing)
        result.missing += missing
        if done:
            self._done.append(done)
        return result

    def undo(self, action_id: int | None = None) -> UndoResult:
        """Undo this session's newest action on every seat it touched (newest first),
        or, with none this session, the newest undoable action on any seat."""
        from pingdesk.wp.moderation import Conflict, UndoResult

        steps = self._undo_steps(action_id)
        merged: UndoResult | None = None
        for no, journal_id in steps:
            seat = self.seat(no)
            r = self.desk_of(seat).undo(journal_id)
            k = lambda cid, no=no: queue_key(no, cid)  # noqa: E731
            if merged is None:
                merged = UndoResult(r.undone_action, r.undone_id)
            merged.restored += [k(i) for i in r.restored]
            merged.conflicts += [Conflict(k(c.id), c.expected, c.actual) for c in r.conflicts]
            merged.transitions.update({k(i): t for i, t in r.transitions.items()})
            merged.notes += [f"{seat.name}: {n}" for n in r.notes]
            merged.journal_id = r.journal_id
        assert merged is not None
        return merged

    def _undo_steps(self, action_id: int | None) -> list[tuple[int, int]]:
        if action_id is not None:
            entry = self.journal.get(action_id)
            seat = self._seat_of_entry(entry)
            return [(seat.no, action_id)]
        while self._done:
            steps = self._done.pop()
            if steps:
                return list(reversed(steps))
        # Nothing this session: the newest undoable action on any of the queue's blogs.
        for entry in self.journal.entries_among({s.blog.key for s in self.live if s.blog}, 500):
            if (
                entry.state in ("done", "partial", "interrupted")
                and entry.undo_of is None
                and entry.action != "restore"
                and not self.journal.undone_items(entry.id)
            ):
                return [(self._seat_of_entry(entry).no, entry.id)]
        raise NotFound("nothing to undo on these blogs")

    def _seat_of_entry(self, entry: Entry | None) -> Seat:
        if entry is not None:
            for s in self.seats:
                if s.blog is not None and s.blog.key == entry.blog:
                    return s
        raise NotFound("no such action on these blogs")

    def plan_undo(self, action_id: int | None = None) -> tuple[Entry, list[Item]]:
        steps = self._undo_steps(action_id)
        if action_id is None and steps and self._done is not None:
            self._done.append(list(reversed(steps)))  # planning is not undoing
        no, journal_id = steps[0]
        return self.desk_of(self.seat(no)).plan_undo(journal_id)

    def reconcile(self) -> list[Any]:
        if not self.journal.writable:
            return []
        waiting = self.journal.blogs_unresolved()
        found: list[Any] = []
        for s in self.live:
            if s.blog is not None and s.blog.key in waiting:
                found += self.desk_of(s).reconcile()
        self.settled.extend(found)
        return found

    def reports_waiting(self) -> int:
        return sum(s._desk.reports_waiting() for s in self.live if s._desk is not None)

    def restore(self, ping_id: int) -> list[int]:
        no, cid = split_key(ping_id)
        return [queue_key(no, i) for i in self.desk_of(self.seat(no)).restore(cid)]

    def close(self) -> None:
        engines = {id(s.blog.engine): s.blog.engine for s in self.seats if s.blog is not None}
        for engine in engines.values():
            engine.dispose()


def network_fleet(
    main: Desk, *, make_reporting: Callable[[Blog], Reporting] | None = None
) -> Fleet:
    """Every live site of ``main``'s network as one queue."""
    if not main.blog.multisite:
        raise UsageError("--network needs a multisite network; this blog is a single site")
    sites = network.live_sites(main.blog)
    seats = [
        Seat(
            no=n,
            name=_site_name(s.domain, s.path, len(sites)),
            title=f"site {s.blog_id}: {s.address}",
            blog=network.site_blog(main.blog, s),
        )
        for n, s in enumerate(sites, start=1)
    ]
    first = seats[0].blog if seats else main.blog
    assert first is not None
    fleet = Fleet(
        first,
        main.journal,
        moderator=main.moderator,
        seats=seats,
        kind="network",
        make_reporting=make_reporting,
    )
    fleet.reconcile()
    return fleet


def _site_name(domain: str, path: str, _count: int) -> str:
    """A short, unique-enough label: the subdirectory, or the sub-domain's first label."""
    p = path.strip("/")
    if p:
        return p
    return domain.split(".")[0] if domain.count(".") >= 2 else domain


def blogs_fleet(
    opened: Sequence[tuple[str, Desk | None, str | None]],
    journal: Journal,
    *,
    moderator: str = "",
    make_reporting: Callable[[Blog], Reporting] | None = None,
) -> Fleet:
    """Several blogs (name, desk or None, error) as one queue; the unreachable ones
    stay in it with their error, so the moderator sees which."""
    seats: list[Seat] = []
    for n, (name, desk, error) in enumerate(opened, start=1):
        seat = Seat(
            no=n,
            name=name,
            title=name,
            blog=desk.blog if desk else None,
            error=error,
            group=n,
        )
        seat._desk = desk
        seats.append(seat)
    first = next((s.blog for s in seats if s.blog is not None), None)
    if first is None:
        raise PingdeskError(
            "none of the blogs could be opened: " + "; ".join(f"{s.name}: {s.error}" for s in seats)
        )
    return Fleet(
        first,
        journal,
        moderator=moderator,
        seats=seats,
        kind="blogs",
        make_reporting=make_reporting,
    )
