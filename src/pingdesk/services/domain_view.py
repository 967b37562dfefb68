"""A view of pings grouped by source domain: how a moderator clears a flood ("these 300
hosts are spam, these 12 blogs are friends"), not row by row.

Domains are registrable domains (services.domains: the bundled Public Suffix List), so
a.spam.example and b.spam.example are one group. Each group carries its ping ids: acting
on a domain is acting on exactly those pings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pingdesk.services.desk import Desk
from pingdesk.services.domains import registrable
from pingdesk.services.evidence import akismet_values, verify_results
from pingdesk.wp.pings import Ping, PingFilter

_PAGE = 2000


@dataclass
class DomainGroup:
    domain: str
    ids: list[int] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    posts: set[int] = field(default_factory=set)
    checks: dict[str, int] = field(default_factory=dict)  # verification result → pings
    akismet: dict[str, int] = field(default_factory=dict)  # verdict → pings
    first: datetime | None = None
    last: datetime | None = None
    self_pings: int = 0
    hosts: set[str] = field(default_factory=set)
    # The status each ping had when read: a write changes only pings still so.
    seen: dict[int, str] = field(default_factory=dict)

    @property
    def pings(self) -> int:
        return len(self.ids)

    def add(self, p: Ping, check: str | None, verdict: str | None) -> None:
        self.ids.append(p.id)
        self.seen[p.id] = p.status
        self.kinds[p.kind] = self.kinds.get(p.kind, 0) + 1
        self.posts.add(p.post_id)
        key = check or "unchecked"
        self.checks[key] = self.checks.get(key, 0) + 1
        if verdict:
            self.akismet[verdict] = self.akismet.get(verdict, 0) + 1
        d = p.date_gmt
        if d is not None:
            self.first = d if self.first is None or d < self.first else self.first
            self.last = d if self.last is None or d > self.last else self.last
        if p.is_self:
            self.self_pings += 1
        if p.domain:
            self.hosts.add(p.domain)

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "pings": self.pings,
            "kinds": dict(self.kinds),
            "posts": sorted(self.posts),
            "hosts": sorted(self.hosts),
            "checks": dict(sorted(self.checks.items())),
            "akismet": dict(sorted(self.akismet.items())),
            "first_seen": self.first,
            "last_seen": self.last,
            "self_pings": self.self_pings,
            "ids": self.ids,
        }


def group_by_domain(desk: Desk, flt: PingFilter) -> list[DomainGroup]:
    """The pings the filter matches, grouped by registrable source domain, largest first."""
    groups: dict[str, DomainGroup] = {}
    for page in _pages(desk.each(flt)):
        ids = [p.id for p in page]
        checks = verify_results(desk, ids)
        verdicts = akismet_values(desk, ids)
        for p in page:
            name = registrable(p.domain) or "(no host)"
            g = groups.get(name)
            if g is None:
                g = groups[name] = DomainGroup(name)
            check = checks.get(p.id)
            g.add(p, check.result if check else None, verdicts.get(p.id))
    return sorted(groups.values(), key=lambda g: (-g.pings, g.domain))


def _pages(pings: Iterable[Ping]) -> Iterable[list[Ping]]:
    page: list[Ping] = []
    for p in pings:
        page.append(p)
        if len(page) >= _PAGE:
            yield page
            page = []
    if page:
        yield page
