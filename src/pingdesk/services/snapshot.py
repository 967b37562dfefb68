"""The snapshot of a view: its pings as a compact index (pingdesk.wp.ping_index), read
once, then filtered by domain and grouped by registrable domain in memory.

The TUI keeps the snapshot of the view on screen: typing `domain:x` on the same view, or
opening the domain view (o), is arithmetic on the arrays, not a database query. What the
index does not hold — verification results and Akismet verdicts — is a second, slower
read (``evidence``), done once for the whole view (wp.meta_scan: by meta key or by id);
the domain view shows its groups first and fills those columns when it arrives.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from pingdesk.services.desk import Desk
from pingdesk.services.domain_view import NO_HOST, DomainGroup
from pingdesk.services.domains import registrable
from pingdesk.services.evidence import verdict_word
from pingdesk.wp.akismet_meta import ERROR_KEY, RESULT_KEY, USER_RESULT_KEY
from pingdesk.wp.blog import Blog
from pingdesk.wp.meta_scan import scan_meta
from pingdesk.wp.ping_index import KINDS, PingIndex, date_of, view_filter
from pingdesk.wp.pings import PingFilter
from pingdesk.wp.verify_meta import META_KEY, VerifyResult


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Grouping makes some 200k small containers (22k groups' lists, dicts and sets on the
    bench blog), none in a cycle: the cyclic collector's passes over them were half the
    time (0.5 s against 0.23 s)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Evidence:
    """What is stored about the view's pings besides their rows."""

    checks: dict[int, str] = field(default_factory=dict)  # last verification result
    verdicts: dict[int, str] = field(default_factory=dict)  # Akismet (evidence.verdict_word)


class Snapshot:
    """One view's pings, in display order, as read at one moment."""

    def __init__(self, index: PingIndex) -> None:
        self.index = index
        self._host_group: list[int] | None = None
        self._groups: dict[PingFilter, list[DomainGroup]] = {}
        self._grouping = threading.Lock()
        self._group_names: list[str] = []

    @property
    def view(self) -> PingFilter:
        """The filter read from the database (no domain or self term)."""
        return self.index.flt

    def __len__(self) -> int:
        return len(self.index)

    def covers(self, flt: PingFilter) -> bool:
        """Whether ``flt`` is this view, give or take its domain and self terms: the
        terms the snapshot answers in memory."""
        return view_filter(flt) == self.index.flt

    def ids(self, flt: PingFilter | None = None) -> list[int]:
        """The ids ``flt`` (this view by default) matches, in display order: what
        ``Desk.ids(flt)`` gives."""
        return self.index.select(flt or self.view)

    def filter_domain(self, domain: str) -> list[int]:
        """The ids of pings from ``domain`` or its subdomains (www. ignored): what the
        `domain:` filter gives."""
        return self.index.select(replace(self.view, domain=domain))

    def statuses(self, flt: PingFilter | None = None) -> dict[int, str]:
        """id -> status when read: what the moderator saw."""
        index = self.index
        return {index.ids[n]: index.status(n) for n in index.rows(flt or self.view)}

    def group(self, flt: PingFilter | None = None) -> list[DomainGroup]:
        """The pings ``flt`` matches grouped by registrable source domain, largest first;
        their checks and Akismet columns stay empty until ``fill`` gives them evidence.

        Kept per filter: the domain view opened again on the same snapshot shows its
        groups at once (with the columns the last ``fill`` gave them, until the next)."""
        key = flt or self.view
        with self._grouping:  # grouping ahead in one thread, asked for in another: once
            groups = self._groups.get(key)
            if groups is None:
                with _collector_paused():
                    groups = self._groups[key] = self._group(key)
        return list(groups)

    def _group(self, flt: PingFilter) -> list[DomainGroup]:
        # The rows are put in group order once (a stable sort keeps display order inside
        # a group), so each group's columns are slices and its figures C-level calls on
        # them: per-row Python for 110k pings, or per-group comprehensions for 22k
        # groups, was most of a second.
        ix = self.index
        host_group, names = self._host_groups()
        host_ix = ix.host_ix
        rows = ix.rows(flt)
        keys = [host_group[host_ix[n]] for n in rows]
        rows = [rows[k] for k in sorted(range(len(rows)), key=keys.__getitem__)]
        sizes = Counter(keys)

        def column(values: Sequence[int]) -> list[int]:
            return [values[n] for n in rows]

        ids, posts, dates, kinds, hosts_of = (
            column(ix.ids),
            column(ix.posts),
            column(ix.dates),
            column(ix.kinds),
            column(host_ix),
        )
        one_status = ix.statuses[0] if len(ix.statuses) == 1 else None
        statuses = None if one_status is not None else [ix.status(n) for n in rows]
        hosts, own = ix.hosts, ix.own_hosts
        groups: list[tuple[int, str, DomainGroup]] = []
        start = 0
        for key in sorted(sizes):
            end = start + sizes[key]
            group_ids = ids[start:end]
            if statuses is None:
                seen = dict.fromkeys(group_ids, one_status or "")
            else:
                seen = dict(zip(group_ids, statuses[start:end], strict=True))
            codes = kinds[start:end]
            first_kind = codes[0]
            if codes.count(first_kind) == len(codes):  # most groups: one kind
                kind_counts = {KINDS[first_kind]: len(codes)}
            else:  # in order of first appearance, as the page-by-page grouping counted
                kind_counts = {KINDS[k]: codes.count(k) for k in dict.fromkeys(codes)}
            used = set(hosts_of[start:end])
            host_names = {hosts[h] for h in used if hosts[h]}
            self_pings = 0
            if not own.isdisjoint(host_names):
                self_pings = sum(1 for h in hosts_of[start:end] if hosts[h] in own)
            days = dates[start:end]
            low = min(days)
            if not low:  # the zero date: no date
                days = [d for d in days if d]
                low = min(days) if days else 0
            name = names[key]
            groups.append(
                (
                    start - end,  # largest first
                    name,
                    DomainGroup(
                        name,
                        ids=group_ids,
                        kinds=kind_counts,
                        posts=set(posts[start:end]),
                        first=date_of(low),
                        last=date_of(max(days)) if days else None,
                        self_pings=self_pings,
                        hosts=host_names,
                        seen=seen,
                    ),
                )
            )
            start = end
        groups.sort(key=lambda t: t[:2])
        return [g for _, _, g in groups]

    def _host_groups(self) -> tuple[list[int], list[str]]:
        """Per host, the number of its group; the groups' names (registrable domains).
        Once per snapshot; registrable() itself caches across snapshots."""
        if self._host_group is None:
            numbers: dict[str, int] = {}
            self._host_group = [
                numbers.setdefault(registrable(h) or NO_HOST, len(numbers))
                for h in self.index.hosts
            ]
            self._group_names = list(numbers)
        return self._host_group, self._group_names

    def evidence(self, desk: Desk, flt: PingFilter | None = None) -> Evidence:
        """Verification results and Akismet verdicts of the pings ``flt`` matches, read
        by meta key once for them all (across blogs: once per blog, from its own meta)."""
        ev = Evidence()
        for blog_desk, keys in desk.by_blog(self.ids(flt)):
            part = _evidence(blog_desk.blog, set(keys))
            ev.checks.update((keys[i], v) for i, v in part.checks.items())
            ev.verdicts.update((keys[i], v) for i, v in part.verdicts.items())
        return ev


def _evidence(blog: Blog, wanted: set[int]) -> Evidence:
    ev = Evidence()
    if not wanted:
        return ev
    for cid, _, value in scan_meta(blog, [META_KEY], wanted):
        try:
            ev.checks[cid] = VerifyResult.from_json(value or "", cid).result
        except (ValueError, TypeError, KeyError):
            continue  # unreadable: as load_results, the ping stays as it was
    first: dict[str, dict[int, str]] = {RESULT_KEY: {}, USER_RESULT_KEY: {}, ERROR_KEY: {}}
    for cid, key, value in scan_meta(blog, list(first), wanted):
        if value is not None:
            first[key].setdefault(cid, str(value))  # get_comment_meta(..., true)
    results, users, errors = first[RESULT_KEY], first[USER_RESULT_KEY], first[ERROR_KEY]
    for cid in set(results) | set(users) | set(errors):
        word = verdict_word(results.get(cid), users.get(cid), errors.get(cid))
        if word:
            ev.verdicts[cid] = word
    return ev


def fill(groups: Iterable[DomainGroup], evidence: Evidence) -> None:
    """Give groups their checks and Akismet columns."""
    checks, verdicts = evidence.checks, evidence.verdicts
    for g in groups:
        g.checks, g.akismet = {}, {}
        for i in g.ids:
            key = checks.get(i) or "unchecked"
            g.checks[key] = g.checks.get(key, 0) + 1
            verdict = verdicts.get(i)
            if verdict:
                g.akismet[verdict] = g.akismet.get(verdict, 0) + 1
        g.evidence = True
