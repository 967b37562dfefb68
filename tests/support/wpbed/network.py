"""A small multisite network made by WordPress's own code, with pings on several sites.

Built once per session (install_network() + populate_network() through Bed.template,
wpmu_create_blog() for the further sites, wp_new_comment() for every ping,
update_blog_status() for the flags), then cloned for each test: see ``wp_network`` in
tests/conftest.py and NETWORK_PINGS below for what is where.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .site import DEFAULT_HOME, SUB_SITE_PATH, Bed, WPSite

# Sites of the network: blog_id -> path. 1 is the main site, 2 the bed's own sub-site.
PATHS = {
    1: "/",
    2: SUB_SITE_PATH,
    3: "/site3/",
    4: "/site4/",
    5: "/site5/",
    6: "/site6/",
    7: "/site7/",
}
ARCHIVED, SPAM, DELETED = 4, 6, 7
# What each site gets, in (kind, comment_approved) pairs; made through wp_new_comment().
# 'webmention' is the Webmention plugin's (type 'mention' + protocol/source meta); 'comment'
# a reader's comment (pending, so a queue that forgets the type filter shows it).
NETWORK_PINGS: dict[int, list[tuple[str, str]]] = {
    1: [("pingback", "1")],  # main site: pings, none pending
    2: [
        ("pingback", "0"),
        ("trackback", "0"),
        ("webmention", "0"),
        ("pingback", "0"),
        ("trackback", "0"),
        ("pingback", "1"),
        ("trackback", "spam"),
        ("comment", "0"),
    ],
    3: [("pingback", "0"), ("trackback", "0"), ("pingback", "0"), ("trackback", "1")],
    4: [("pingback", "0"), ("trackback", "0")],  # archived afterwards
    5: [],  # no pings at all
    6: [("pingback", "0")],  # spam-flagged afterwards
    7: [("trackback", "0")],  # deleted (deactivated) afterwards
}
AGENT = "The Incutio XML-RPC PHP Library -- WordPress/6.1.9"


@dataclass(frozen=True)
class NetPing:
    """One comment made for the network (a ping, or the reader's comment on site 2)."""

    id: int
    site: int
    kind: str  # pingback | trackback | webmention | comment
    status: str  # comment_approved
    post: int
    date_gmt: str
    source_url: str


@dataclass
class WPNetwork:
    """The network in one database. ``main`` is the main site's WPSite; bridge calls on a
    flagged site's own WPSite die in WordPress's ms_site_check(): go through ``main``."""

    main: WPSite
    pings: list[NetPing]
    paths: dict[int, str] = field(default_factory=lambda: dict(PATHS))
    archived: int = ARCHIVED
    spam: int = SPAM
    deleted: int = DELETED

    @property
    def db(self) -> str:
        return self.main.db

    @property
    def url(self) -> str:
        return self.main.url

    @property
    def site_ids(self) -> list[int]:
        return sorted(self.paths)

    @property
    def live(self) -> list[int]:
        """Sites neither archived, spam nor deleted."""
        return [s for s in self.site_ids if s not in (self.archived, self.spam, self.deleted)]

    def site(self, blog_id: int) -> WPSite:
        return self.main if blog_id == 1 else self.main.sub_site(blog_id, self.paths[blog_id])

    def expected(
        self, status: str = "0", *, sites: list[int] | None = None, comments: bool = False
    ) -> list[NetPing]:
        """What was made with this status on these sites (default: the live ones), newest
        first (date, then id, descending); readers' comments only if ``comments``."""
        wanted = set(self.live if sites is None else sites)
        rows = [
            p
            for p in self.pings
            if p.site in wanted and p.status == status and (comments or p.kind != "comment")
        ]
        return sorted(rows, key=lambda p: (p.date_gmt, p.id), reverse=True)

    def wp_comments(self, status: str = "hold", sites: list[int] | None = None) -> list[Any]:
        """WordPress's answer: the network_comments bridge command (see bridge.php)."""
        command: dict[str, Any] = {"cmd": "network_comments", "status": status}
        if sites is not None:
            command["sites"] = sites
        return list(self.main.php1(command))

    def wp_counts(self, sites: list[int] | None = None) -> list[Any]:
        command: dict[str, Any] = {"cmd": "site_comment_counts"}
        if sites is not None:
            command["sites"] = sites
        return list(self.main.php1(command))

    def set_status(self, site: int, **flags: int) -> dict[str, Any]:
        """update_blog_status() for each flag (archived, spam, deleted, mature, public)."""
        return dict(self.main.php1({"cmd": "set_site_status", "site": site, **flags}))


def _spec(site: int, home: str, kind: str, status: str, post: int, n: int, date: str) -> dict:
    source = f"https://source{n}.example.org/{date[:7].replace('-', '/')}/post-{n}/"
    spec: dict[str, Any] = {
        "post": post,
        "date": date,
        "date_gmt": date,
        "approved": status,
        "ip": f"198.51.100.{n + 1}",
    }
    if kind == "pingback":
        spec |= {
            "type": "pingback",
            "author": f"Source {n} &#8211; source{n}.example.org",
            "author_url": source,
            "agent": AGENT,
            "content": f"[&#8230;] ping {n} on site {site} [&#8230;]",
        }
    elif kind == "trackback":
        spec |= {
            "type": "trackback",
            "author": f"Source {n} Weblog",
            "author_url": source,
            "agent": "Movable Type",
            "content": f"<strong>Trackback {n}</strong>\n\nexcerpt of ping {n} on site {site}",
        }
    elif kind == "webmention":
        spec |= {
            "type": "webmention",
            "wm_type": "mention",
            "author": f"Author {n}",
            "author_url": f"https://source{n}.example.org/",
            "source_url": source,
            "agent": "Webmention.io",
            "content": f"mention {n} of site {site}",
        }
    else:
        spec |= {
            "type": "comment",
            "author": f"Reader {n}",
            "author_email": f"reader{n}@example.org",
            "author_url": "",
            "agent": "Mozilla/5.0",
            "content": f"A reader's comment {n} on site {site}",
        }
    return spec


def build(bed: Bed) -> WPNetwork:
    """Make the network in a new database (pinned: kept for the session)."""
    db = bed.clone_database(bed.template("wp_", DEFAULT_HOME, True))
    bed.pinned.add(db)
    main = WPSite(bed=bed, db=db, base_prefix="wp_", home=DEFAULT_HOME, multisite=True)
    made = main.php(
        [
            {"cmd": "create_blog", "path": path, "title": f"Site {bid}", "options": {"public": 1}}
            for bid, path in PATHS.items()
            if bid > 2
        ]
    )
    assert made == [b for b in PATHS if b > 2], f"wpmu_create_blog gave {made}"
    net = WPNetwork(main=main, pings=[])
    # Dates interleave the sites: the network's newest-first order mixes them.
    queue = [(s, i, k) for s, items in NETWORK_PINGS.items() for i, k in enumerate(items)]
    queue.sort(key=lambda t: (t[1], t[0]))
    order = {(s, i): n for n, (s, i, _) in enumerate(queue)}
    for site, items in NETWORK_PINGS.items():
        if not items:
            continue
        wp = net.site(site)
        posts = wp.php1({"cmd": "create_posts", "n": 2, "date_start": "2024-01-10 09:00:00"})
        specs, meta = [], []
        for i, (kind, status) in enumerate(items):
            n = order[(site, i)]
            date = f"2024-05-{1 + n // 24:02d} {n % 24:02d}:17:00"
            spec = _spec(site, wp.site_home, kind, status, posts[i % 2], n, date)
            specs.append(spec)
            meta.append((kind, status, posts[i % 2], date, spec.get("source_url", "")))
        ids = wp.php1({"cmd": "new_comments", "comments": specs})
        for cid, spec, (kind, status, post, date, wm_source) in zip(ids, specs, meta, strict=True):
            source = wm_source or spec["author_url"]
            net.pings.append(NetPing(cid, site, kind, status, post, date, source))
    for site, flag in ((ARCHIVED, "archived"), (SPAM, "spam"), (DELETED, "deleted")):
        net.set_status(site, **{flag: 1})
    return net


_made: dict[int, WPNetwork] = {}


def network(bed: Bed) -> WPNetwork:
    """A fresh copy of the session's network (built on first use) in its own database."""
    if id(bed) not in _made:
        _made[id(bed)] = build(bed)
    made = _made[id(bed)]
    db = bed.clone_database(made.main.db)
    return replace(made, main=replace(made.main, db=db, _engine=None, _tables=None))
