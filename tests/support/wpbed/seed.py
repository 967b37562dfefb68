"""Realistic pings, made by WordPress itself (wp_new_comment and the moderation functions)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .site import WPSite

WP_AGENT = "The Incutio XML-RPC PHP Library -- WordPress/6.1.9"
SOURCE_HOSTS = [
    "example.com",
    "blog.example.net",
    "www.example.org",
    "notes.example.com",
    "linkfarm.example",
    "seo-tips.example",
]
WORDS = [
    *("ping", "moderation", "trackback", "source", "excerpt", "blog", "post", "link"),
    *("spam", "review", "queue", "database", "wordpress", "reader", "thanks"),
    *("interesting", "article", "summary", "follow", "update"),
]
# TEST-NET addresses (RFC 5737): realistic-looking, never anybody's.
IP_NETS = ["192.0.2.", "198.51.100.", "203.0.113."]


@dataclass
class Seeded:
    """What seed_pings made (IDs in the site's database)."""

    posts: list[int]
    pings: list[int]  # pingbacks, trackbacks and webmentions
    replies: list[int]  # normal comments whose parent is a ping
    comments: list[int]  # other normal comments
    kinds: dict[int, str] = field(default_factory=dict)  # comment ID → pingback/trackback/...
    post_of: dict[int, int] = field(default_factory=dict)  # comment ID → post ID
    parent_of: dict[int, int] = field(default_factory=dict)  # reply ID → ping ID


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _ip(rng: random.Random) -> str:
    return rng.choice(IP_NETS) + str(rng.randint(1, 254))


def _ping_spec(
    rng: random.Random, site_home: str, post: int, n: int, when: datetime, kind: str = ""
) -> dict[str, Any]:
    kind = kind or rng.choices(["pingback", "trackback", "webmention", "self"], [50, 25, 15, 10])[0]
    host = rng.choice(SOURCE_HOSTS)
    slug = f"{_words(rng, 2).replace(' ', '-')}-{n}"
    source = f"{rng.choice(['http', 'https'])}://{host}/{when:%Y/%m}/{slug}/"
    date = when.strftime("%Y-%m-%d %H:%M:%S")
    spec: dict[str, Any] = {"post": post, "date": date, "date_gmt": date}
    if kind in ("pingback", "self"):
        title = f"{_words(rng, 3).title()} &#8211; {host}"
        excerpt = f"{_words(rng, 8)} {_words(rng, 2)} {_words(rng, 6)} #{n}"
        spec |= {
            "type": "pingback",
            "author": title,
            "author_url": source,
            "ip": _ip(rng),
            "agent": WP_AGENT,
            "content": f"[&#8230;] {excerpt} [&#8230;]",
        }
        if kind == "self":
            # Our own blog linking to another of its posts.
            spec |= {
                "author": f"Test post {rng.randint(1, 50)}",
                "author_url": f"{site_home}/?p={1000 + n}",
                "ip": "127.0.0.1",
                "agent": WP_AGENT,
            }
    elif kind == "trackback":
        blog_name = f"{host.split('.')[0].title()} Weblog"
        spec |= {
            "type": "trackback",
            "author": blog_name,
            "author_url": source,
            "ip": _ip(rng),
            "agent": rng.choice([f"WordPress/6.0; https://{host}", "Movable Type"]),
            "content": f"<strong>{_words(rng, 4).title()}</strong>\n\n{_words(rng, 20)} #{n}",
        }
    else:
        author = _words(rng, 2).title()
        spec |= {
            "type": "webmention",
            "wm_type": rng.choice(["mention", "mention", "comment", "like"]),
            "author": author,
            "author_url": f"https://{host}/",
            "source_url": source,
            "ip": _ip(rng),
            "agent": "Webmention.io",
            "content": f"{_words(rng, 12)} #{n}",
        }
    return spec


def seed_pings(site: WPSite, n_posts: int, n_pings: int, rng: random.Random) -> Seeded:
    """A realistic mix made through WordPress: pingbacks (some self-pings), trackbacks,
    webmentions and normal comments (some replying to a ping) on ``n_posts`` new posts,
    left approved, pending, spam (caught on arrival, or marked by wp_spam_comment) and
    trash (wp_trash_comment, or arrived as trash via disallowed keys: no trash meta).
    Three PHP processes in all."""
    start = datetime(2019, 1, 1, 8, 0, 0) + timedelta(days=rng.randint(0, 300))
    n_closed = n_posts // 5
    n_pages = 1 if n_posts >= 4 else 0
    n_open = n_posts - n_closed - n_pages
    batches: list[dict[str, Any]] = [
        {"cmd": "create_posts", "n": n_open, "date_start": f"{start:%Y-%m-%d %H:%M:%S}"},
    ]
    if n_closed:
        batches.append(
            {
                "cmd": "create_posts",
                "n": n_closed,
                "ping_status": "closed",
                "title": "Closed post %d",
                "date_start": f"{start:%Y-%m-%d %H:%M:%S}",
            }
        )
    if n_pages:
        batches.append({"cmd": "create_posts", "n": n_pages, "post_type": "page"})
    posts = [pid for ids in site.php(batches) for pid in ids]

    # Popular posts get most pings, and many posts share a source site.
    weights = [1.0 / (i + 1) for i in range(len(posts))]
    specs: list[dict[str, Any]] = []
    kinds: list[str] = []
    arrival: list[str] = []  # '0', '1', 'spam' (Akismet on arrival), 'trash' (disallowed keys)
    ping_index: list[int] = []
    for n in range(n_pings):
        post = rng.choices(posts, weights)[0]
        when = start + timedelta(days=rng.randint(1, 700), seconds=rng.randint(0, 86399))
        spec = _ping_spec(rng, site.site_home, post, n, when)
        status = rng.choices(["0", "1", "spam", "trash", None], [45, 30, 10, 5, 10])[0]
        if status is not None:
            spec["approved"] = status
        ping_index.append(len(specs))
        specs.append(spec)
        kinds.append(spec["type"])
        arrival.append(status or "?")

    def later(index: int, hours: int = 48) -> str:
        when = datetime.strptime(specs[index]["date_gmt"], "%Y-%m-%d %H:%M:%S")
        return (when + timedelta(hours=rng.randint(1, hours))).strftime("%Y-%m-%d %H:%M:%S")

    # A few normal top-level comments.
    comment_index: list[int] = []
    for n in range(max(1, n_pings // 10)):
        date = (start + timedelta(days=rng.randint(1, 700))).strftime("%Y-%m-%d %H:%M:%S")
        comment_index.append(len(specs))
        specs.append(
            {
                "post": rng.choice(posts),
                "type": "comment",
                "author": _words(rng, 1).title(),
                "author_email": f"visitor{n}@example.org",
                "author_url": rng.choice(["", "https://visitor.example/"]),
                "content": f"Comment {n}: {_words(rng, 12)}",
                "ip": _ip(rng),
                "agent": "Mozilla/5.0",
                "date": date,
                "date_gmt": date,
                "approved": rng.choice(["0", "1"]),
            }
        )
    # Threaded webmentions (the Webmention plugin sets the parent when the target is a
    # comment's URL): replies to a normal comment or to another ping. A parent must be
    # approved or pending when the reply arrives, or WordPress drops it.
    parent_of: dict[int, int] = {}
    open_pings = [i for i, a in zip(ping_index, arrival, strict=True) if a in ("0", "1", "?")]
    for n in range(max(1, n_pings // 8) if comment_index or open_pings else 0):
        parent = rng.choice(comment_index + open_pings)
        date = later(parent)
        spec = _ping_spec(
            rng, site.site_home, specs[parent]["post"], n_pings + n, start, "webmention"
        )
        spec |= {
            "wm_type": "comment",
            "date": date,
            "date_gmt": date,
            "parent_ref": parent,
            "approved": rng.choice(["0", "1"]),
        }
        parent_of[len(specs)] = parent
        ping_index.append(len(specs))
        kinds.append("webmention")
        arrival.append(spec["approved"])
        open_pings.append(len(specs))
        specs.append(spec)
    # Readers' replies to pings (approved or pending ones, see above).
    reply_index: list[int] = []
    for n in range(max(1, n_pings // 6) if open_pings else 0):
        parent = rng.choice(open_pings)
        reply_index.append(len(specs))
        parent_of[len(specs)] = parent
        specs.append(
            {
                "post": specs[parent]["post"],
                "type": "comment",
                "author": _words(rng, 1).title(),
                "author_email": f"reader{n}@example.org",
                "content": f"Reply {n}: {_words(rng, 10)}",
                "ip": _ip(rng),
                "agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
                "date": "",
                "parent_ref": parent,
                "approved": rng.choice(["0", "1", "1"]),
            }
        )
        specs[-1]["date"] = specs[-1]["date_gmt"] = later(parent)
    ids = site.php1({"cmd": "new_comments", "comments": specs})

    # What moderators did later, through WordPress's own functions.
    # (Only on approved or pending rows: the Comments screen offers nothing else there.)
    ops: list[list[Any]] = []
    arrived = dict(zip(ping_index, arrival, strict=True))
    for i in ping_index + reply_index:
        if arrived.get(i, "0") not in ("0", "1", "?"):
            continue
        roll = rng.random()
        if roll < 0.12:
            ops.append(["wp_spam_comment", ids[i]])
        elif roll < 0.22:
            ops.append(["wp_trash_comment", ids[i]])
    rng.shuffle(ops)
    if ops:
        site.php1({"cmd": "apply", "ops": ops})

    seeded = Seeded(
        posts=posts,
        pings=[ids[i] for i in ping_index],
        replies=[ids[i] for i in reply_index],
        comments=[ids[i] for i in comment_index],
    )
    for i, kind in zip(ping_index, kinds, strict=True):
        seeded.kinds[ids[i]] = kind
    for i in reply_index + comment_index:
        seeded.kinds[ids[i]] = "comment"
    for i, spec in enumerate(specs):
        seeded.post_of[ids[i]] = int(spec["post"])
    for i, parent in parent_of.items():
        seeded.parent_of[ids[i]] = ids[parent]
    return seeded


def bulk_ping_specs(posts: list[int], n: int, *, approved_every: int = 0) -> list[dict[str, Any]]:
    """``n`` plain pings for bulk tests (``new_comments``), spread over ``posts``; every
    ``approved_every``-th one approved (0: all held)."""
    return [
        {
            "post": posts[i % len(posts)],
            "type": "pingback" if i % 3 else "trackback",
            "author": f"Source {i}",
            "author_url": f"https://s{i % 37}.example.com/{i}/",
            "ip": f"198.51.100.{i % 250 + 1}",
            "agent": "The Incutio XML-RPC PHP Library -- WordPress/6.1.9",
            "content": f"[&#8230;] bulk ping {i} [&#8230;]",
            "approved": "1" if approved_every and i % approved_every == 0 else "0",
        }
        for i in range(n)
    ]
