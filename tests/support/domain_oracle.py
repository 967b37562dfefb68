"""The domain view as it was made before snapshots: full ping rows page by page, meta per
page. Kept as the oracle the snapshot's grouping must equal (and the bench's baseline)."""

from __future__ import annotations

from collections.abc import Iterable

from pingdesk.services.desk import Desk
from pingdesk.services.domain_view import NO_HOST, DomainGroup
from pingdesk.services.domains import registrable
from pingdesk.services.evidence import akismet_values, verify_results
from pingdesk.wp.pings import Ping, PingFilter

_PAGE = 2000


def _add(g: DomainGroup, p: Ping, check: str | None, verdict: str | None) -> None:
    g.ids.append(p.id)
    g.seen[p.id] = p.status
    g.kinds[p.kind] = g.kinds.get(p.kind, 0) + 1
    g.posts.add(p.post_id)
    key = check or "unchecked"
    g.checks[key] = g.checks.get(key, 0) + 1
    if verdict:
        g.akismet[verdict] = g.akismet.get(verdict, 0) + 1
    d = p.date_gmt
    if d is not None:
        g.first = d if g.first is None or d < g.first else g.first
        g.last = d if g.last is None or d > g.last else g.last
    if p.is_self:
        g.self_pings += 1
    if p.domain:
        g.hosts.add(p.domain)


def group_by_domain_paged(desk: Desk, flt: PingFilter) -> list[DomainGroup]:
    """The pings the filter matches, grouped by registrable source domain, largest first."""
    groups: dict[str, DomainGroup] = {}
    for page in _pages(desk.each(flt)):
        ids = [p.id for p in page]
        checks = verify_results(desk, ids)
        verdicts = akismet_values(desk, ids)
        for p in page:
            name = registrable(p.domain) or NO_HOST
            g = groups.get(name)
            if g is None:
                g = groups[name] = DomainGroup(name, evidence=True)
            check = checks.get(p.id)
            _add(g, p, check.result if check else None, verdicts.get(p.id))
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
