"""`pingdesk links`: who links to the blog, per source domain and per post, from its
approved pings and webmentions, with what pingdesk's verification last found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pingdesk.services.domains import domain_of, registrable
from pingdesk.wp.backlinks import Backlink, backlinks, post_titles
from pingdesk.wp.blog import Blog
from pingdesk.wp.urls import domain_matches, host_of

if TYPE_CHECKING:
    from pingdesk.progress import Progress
    from pingdesk.services.verify import VerifySettings

STANDING = ("linked", "mentioned")  # verification results that mean "the link is there"


@dataclass
class DomainLinks:
    domain: str
    pings: int = 0
    posts: set[int] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)  # result → pings ("" unchecked)
    first: datetime | None = None
    last: datetime | None = None
    last_check: str | None = None
    last_checked_at: str | None = None
    months: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" → pings

    def add(self, b: Backlink) -> None:
        # Plain dict updates: ~94,000 calls on a large blog, Counter's own methods cost
        # three times as much here.
        self.pings += 1
        self.posts.add(b.post_id)
        kinds, checks = self.kinds, self.checks
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
        check = b.check or ""
        checks[check] = checks.get(check, 0) + 1
        d = b.date_gmt
        if d is not None:
            if self.first is None or d < self.first:
                self.first = d
            if self.last is None or d > self.last:
                self.last = d
            month = f"{d.year:04d}-{d.month:02d}"
            self.months[month] = self.months.get(month, 0) + 1
        if b.checked_at and (self.last_checked_at is None or b.checked_at > self.last_checked_at):
            self.last_check, self.last_checked_at = b.check, b.checked_at

    @property
    def standing(self) -> int:
        return sum(self.checks.get(r, 0) for r in STANDING)

    @property
    def checked(self) -> int:
        return self.pings - self.checks.get("", 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "pings": self.pings,
            "posts": sorted(self.posts),
            "kinds": dict(self.kinds),
            "first_seen": self.first,
            "last_seen": self.last,
            "checked": self.checked,
            "still_linking": self.standing,
            "checks": {k or "unchecked": v for k, v in sorted(self.checks.items())},
            "last_check": self.last_check,
            "last_checked_at": self.last_checked_at,
            "per_month": dict(sorted(self.months.items())),
        }


@dataclass
class PostLinks:
    post_id: int
    title: str
    pings: int = 0
    domains: set[str] = field(default_factory=set)
    last: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "title": self.title,
            "pings": self.pings,
            "domains": sorted(self.domains),
            "last_seen": self.last,
        }


@dataclass
class LinksReport:
    domains: list[DomainLinks]  # by reach: posts linked, then pings
    posts: list[PostLinks]  # by linking domains, then pings
    pings: int

    def to_json(self) -> dict[str, Any]:
        return {
            "pings": self.pings,
            "domains": [d.to_json() for d in self.domains],
            "posts": [p.to_json() for p in self.posts],
        }


def report(
    blog: Blog,
    *,
    since: datetime | None = None,
    post_id: int | None = None,
    domain: str | None = None,
) -> LinksReport:
    """The approved pings grouped by registrable source domain and by post."""
    by_domain: dict[str, DomainLinks] = {}
    by_post: dict[int, PostLinks] = {}
    total = 0
    for b in _matching(blog, since=since, post_id=post_id, domain=domain):
        total += 1
        name = domain_of(b.source_url) or "(no host)"
        d = by_domain.get(name)
        if d is None:
            d = by_domain[name] = DomainLinks(name)
        d.add(b)
        p = by_post.get(b.post_id)
        if p is None:
            p = by_post[b.post_id] = PostLinks(b.post_id, "")
        p.pings += 1
        p.domains.add(name)
        if b.date_gmt is not None and (p.last is None or b.date_gmt > p.last):
            p.last = b.date_gmt
    titles = post_titles(blog, by_post)
    for p in by_post.values():
        p.title = titles.get(p.post_id, "")
    domains = sorted(by_domain.values(), key=lambda d: (-len(d.posts), -d.pings, d.domain))
    posts = sorted(by_post.values(), key=lambda p: (-len(p.domains), -p.pings, p.post_id))
    return LinksReport(domains, posts, total)


def _matching(
    blog: Blog, *, since: datetime | None, post_id: int | None, domain: str | None
) -> Iterable[Backlink]:
    wanted = (domain or "").strip().lower().removeprefix("www.")
    for b in backlinks(blog, since=since, post_id=post_id):
        if wanted:
            host = host_of(b.source_url)
            if not (domain_matches(host, wanted) or registrable(host) == wanted):
                continue
        yield b


@dataclass(frozen=True)
class _Source:
    """What verification needs of a ping (services.verify.PingLike)."""

    id: int
    post_id: int
    source_url: str


def stale(
    blog: Blog,
    max_age: timedelta,
    *,
    since: datetime | None = None,
    post_id: int | None = None,
    domain: str | None = None,
    now: datetime | None = None,
) -> list[_Source]:
    """Approved pings never verified, or verified longer than ``max_age`` ago."""
    now = now or datetime.now(UTC)
    limit = (now - max_age).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        _Source(b.ping_id, b.post_id, b.source_url)
        for b in _matching(blog, since=since, post_id=post_id, domain=domain)
        if not b.checked_at or b.checked_at < limit
    ]


def reverify(
    blog: Blog,
    sources: list[_Source],
    settings: VerifySettings,
    *,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Verify these sources and store the results; the results counted."""
    from pingdesk.services.verify import run_check_pings

    done = 0

    def on_result(_: object) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(sources))

    results = run_check_pings(
        blog, sources, settings=settings, on_result=on_result, cancel=should_stop
    )
    return Counter(r.result for r in results)
