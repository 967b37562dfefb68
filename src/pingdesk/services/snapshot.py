"""The snapshot of a view: its pings as a compact index (pingdesk.wp.ping_index), read
once, then filtered by domain and grouped by registrable domain in memory.

The TUI keeps the snapshot of the view on screen: typing `domain:x` on the same view, or
opening the domain view (o), is arithmetic on the arrays, not a database query. What the
index does not hold — verification results and Akismet verdicts — is a second, slower
read (``evidence``), done once for the whole view by meta key; the domain view shows its
groups first and fills those columns when it arrives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from pingdesk.services.domain_view import NO_HOST, DomainGroup
from pingdesk.services.domains import registrable
from pingdesk.services.evidence import verdict_word
from pingdesk.wp.akismet_meta import ERROR_KEY, RESULT_KEY, USER_RESULT_KEY
from pingdesk.wp.blog import Blog
from pingdesk.wp.meta_scan import scan_meta
from pingdesk.wp.ping_index import KINDS, PingIndex, date_of, view_filter
from pingdesk.wp.pings import PingFilter
from pingdesk.wp.verify_meta import META_KEY, VerifyResult


@dataclass
class Evidence:
    """What is stored about the view's pings besides their rows."""

    checks: dict[int, str] = field(default_factory=dict)  # last verification result
    verdicts: dict[int, str] = field(default_factory=dict)  # Akismet (evidence.verdict_word)


class Snapshot:
    """One view's pings, in display order, as read at one moment."""

    def __init__(self, index: PingIndex) -> None:
        self.index = index
        self._group_of_host: list[str] | None = None

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
        their checks and Akismet columns stay empty until ``fill`` gives them evidence."""
        index = self.index
        names = self._host_groups()
        by_name: dict[str, list[int]] = {}
        for n in index.rows(flt or self.view):
            name = names[index.host_ix[n]]
            rows = by_name.get(name)
            if rows is None:
                by_name[name] = [n]
            else:
                rows.append(n)
        groups = [self._make_group(name, rows) for name, rows in by_name.items()]
        return sorted(groups, key=lambda g: (-g.pings, g.domain))

    def _host_groups(self) -> list[str]:
        # A registrable domain per distinct host, once per snapshot (and registrable()
        # caches across snapshots).
        if self._group_of_host is None:
            self._group_of_host = [registrable(h) or NO_HOST for h in self.index.hosts]
        return self._group_of_host

    def _make_group(self, name: str, rows: list[int]) -> DomainGroup:
        # Per group, not per row, where it can be (22k groups of 110k pings on the bench
        # blog): comprehensions and C-level counting, one status for a one-status view.
        ix = self.index
        ids_, host_ix, dates, statuses = ix.ids, ix.host_ix, ix.dates, ix.statuses
        ids = [ids_[n] for n in rows]
        if len(statuses) == 1:
            seen = dict.fromkeys(ids, statuses[0])
        else:
            status_ix = ix.status_ix
            seen = dict(zip(ids, [statuses[status_ix[n]] for n in rows], strict=True))
        codes = [ix.kinds[n] for n in rows]
        kinds = {KINDS[k]: codes.count(k) for k in dict.fromkeys(codes)}  # first seen first
        posts_ = ix.posts
        used = {host_ix[n] for n in rows}
        hosts, own = ix.hosts, ix.own_hosts
        names = {hosts[h] for h in used if hosts[h]}
        self_pings = 0
        if not own.isdisjoint(names):
            own_ix = {h for h in used if hosts[h] in own}
            self_pings = sum(1 for n in rows if host_ix[n] in own_ix)
        days = [dates[n] for n in rows]
        low = min(days)
        if not low:
            days = [d for d in days if d]
            low = min(days) if days else 0
        return DomainGroup(
            name,
            ids=ids,
            kinds=kinds,
            posts={posts_[n] for n in rows},
            first=date_of(low),
            last=date_of(max(days)) if days else None,
            self_pings=self_pings,
            hosts=names,
            seen=seen,
        )

    def evidence(self, blog: Blog, flt: PingFilter | None = None) -> Evidence:
        """Verification results and Akismet verdicts of the pings ``flt`` matches, read
        by meta key once for them all."""
        wanted = set(self.ids(flt))
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
