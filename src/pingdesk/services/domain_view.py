"""A view of pings grouped by source domain: how a moderator clears a flood ("these 300
hosts are spam, these 12 blogs are friends"), not row by row.

Domains are registrable domains (services.domains: the bundled Public Suffix List), so
a.spam.example and b.spam.example are one group. Each group carries its ping ids: acting
on a domain is acting on exactly those pings.

Groups are made from the view's snapshot (services.snapshot): one read of the view, then
grouping in memory; the verification and Akismet columns come from a second read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pingdesk.wp.pings import PingFilter

if TYPE_CHECKING:
    from pingdesk.services.desk import Desk

NO_HOST = "(no host)"  # the group of pings whose source has no host


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
    # Whether checks and akismet have been filled in (snapshot.fill): they are read after
    # the groups, and an empty column must not read as "none".
    evidence: bool = False

    @property
    def pings(self) -> int:
        return len(self.ids)

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


def group_by_domain(desk: Desk, flt: PingFilter, *, evidence: bool = True) -> list[DomainGroup]:
    """The pings the filter matches, grouped by registrable source domain, largest first,
    with their verification results and Akismet verdicts (``evidence``: read them; without,
    those columns stay empty and ``DomainGroup.evidence`` False)."""
    from pingdesk.services.snapshot import fill

    snap = desk.snapshot(flt)
    groups = snap.group(flt)
    if evidence:
        fill(groups, snap.evidence(desk, flt))
    return groups
