"""The built-in demo blog: a WordPress-shaped SQLite database with a realistic queue.

Created once in the user data dir (``pingdesk demo --reset`` makes it anew).
The mix is what a real blog's queue looks like: genuine pingbacks from other
blogs, "[...] Read More" trackback spam, self-pings from our own posts,
webmentions, and some already approved, spammed and trashed (with the trash
metas WordPress would have written). A few carry hostile text, to show that
it is displayed literally.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, update

from pingdesk.config import data_dir
from pingdesk.demo.marker import DEMO_KEY, MARKER_OPTION
from pingdesk.demo.marker import HOME as DEMO_HOME
from pingdesk.demo.sources import demo_refused_url, demo_source_plan
from pingdesk.wp.schema import Tables

# Plain http: the demo's source server (pingdesk.demo.sources) speaks no TLS.
HOME = DEMO_HOME
BLOG_NAME = "Field Notes (pingdesk demo)"
PREFIX = "wp_"

_TOPICS = [
    ("Sourdough starter, week one", "sourdough-starter-week-one"),
    ("Why I still use a paper notebook", "paper-notebook"),
    ("Fixing a leaky tap without a plumber", "fixing-a-leaky-tap"),
    ("A weekend on the coastal path", "weekend-coastal-path"),
    ("Notes on slow mornings", "slow-mornings"),
    ("The best cheap chef's knife", "cheap-chefs-knife"),
    ("Growing tomatoes on a balcony", "balcony-tomatoes"),
    ("What I learned from a year of journaling", "year-of-journaling"),
    ("Repairing an old bicycle", "repairing-an-old-bicycle"),
    ("Reading list for the winter", "winter-reading-list"),
    ("How to brew cold coffee", "cold-brew-coffee"),
    ("A small guide to bread flours", "bread-flours"),
    ("Camping with a hammock", "hammock-camping"),
    ("On keeping a garden diary", "garden-diary"),
    ("Pickling vegetables at home", "pickling-at-home"),
    ("Learning to sharpen with a whetstone", "whetstone-sharpening"),
    ("The case for darning socks", "darning-socks"),
    ("Making jam without pectin", "jam-without-pectin"),
    ("A beginner's rain barrel", "rain-barrel"),
    ("Foraging wild garlic", "foraging-wild-garlic"),
]
_BLOGS = [
    ("crumbandcrust.example", "Crumb & Crust"),
    ("quietdesk.example", "The Quiet Desk"),
    ("fixitfriday.example", "Fix-It Friday"),
    ("trailnotes.example", "Trail Notes"),
    ("slowliving.example", "Slow Living Journal"),
    ("kitchenbench.example", "Kitchen Bench"),
    ("urbangreens.example", "Urban Greens"),
    ("pagesandpencils.example", "Pages and Pencils"),
    ("spokesandchains.example", "Spokes & Chains"),
    ("bookpile.example", "The Book Pile"),
]
_SPAM = [
    ("best-replica-watches.example", "Cheap Replica Watches"),
    ("seo-rank-boost.example", "SEO Rank Boost"),
    ("casino-bonus-hub.example", "Casino Bonus Hub"),
    ("pills-discount.example", "Discount Pharmacy"),
    ("loan-fast-cash.example", "Fast Cash Loans"),
]
_MENTIONERS = [
    ("ana.social.example", "Ana Ribeiro"),
    ("notes.kwame.example", "Kwame Mensah"),
    ("indieweb.lin.example", "Lin Wei"),
]
# Documentation address ranges (RFC 5737): realistic, never routable.
_IP_POOLS = ["203.0.113.", "198.51.100.", "192.0.2."]
SERVER_IP = "192.0.2.10"


def demo_path() -> Path:
    return data_dir() / "demo" / "wordpress.sqlite"


def _ip(rng: random.Random) -> str:
    return rng.choice(_IP_POOLS) + str(rng.randint(2, 254))


def _fmt(d: datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S")


def post_url(post: dict[str, Any]) -> str:
    d: datetime = post["post_date"]
    if post["post_type"] == "page":
        return f"{HOME}/{post['post_name']}/"
    return f"{HOME}/{d:%Y}/{d:%m}/{post['post_name']}/"


def build(path: Path, *, now: datetime | None = None, seed: int = 7) -> Path:
    """Write a fresh demo blog to ``path``."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{tmp}")
    t = Tables(PREFIX, PREFIX)
    t.metadata.create_all(engine)
    empty = {"post_content_filtered": "", "to_ping": "", "pinged": "", "post_excerpt": ""}
    posts: list[dict[str, Any]] = []
    for i, (title, slug) in enumerate(_TOPICS):
        # Ages from a few days to six years: old ones have pings closed by hand.
        age = timedelta(days=int(3 + (i**2.1) * 6), hours=rng.randint(0, 23))
        d = now - age
        posts.append(
            {
                "ID": i + 1,
                "post_author": 1,
                "post_date": d,
                "post_date_gmt": d,
                "post_modified": d,
                "post_modified_gmt": d,
                "post_title": title,
                "post_name": slug,
                "post_content": f"<p>{title}. A post on the demo blog.</p>",
                "post_status": "publish",
                "post_type": "post",
                "ping_status": "closed" if age.days > 1500 else "open",
                "guid": f"{HOME}/?p={i + 1}",
                **empty,
            }
        )
    posts.append(
        {
            "ID": len(posts) + 1,
            "post_author": 1,
            "post_date": now - timedelta(days=900),
            "post_date_gmt": now - timedelta(days=900),
            "post_modified": now - timedelta(days=30),
            "post_modified_gmt": now - timedelta(days=30),
            "post_title": "About",
            "post_name": "about",
            "post_content": "<p>About this blog.</p>",
            "post_status": "publish",
            "post_type": "page",
            "ping_status": "open",
            "guid": f"{HOME}/?page_id={len(posts) + 1}",
            **empty,
        }
    )
    options = {
        "siteurl": HOME,
        "home": HOME,
        "blogname": BLOG_NAME,
        "blogdescription": "A demo blog for pingdesk",
        "admin_email": "admin@fieldnotes.example",
        "permalink_structure": "/%year%/%monthnum%/%postname%/",
        "default_ping_status": "open",
        "default_pingback_flag": "1",
        "default_comment_status": "open",
        "comment_moderation": "0",
        "comment_previously_approved": "1",
        "close_comments_for_old_posts": "0",
        "close_comments_days_old": "14",
        "blog_charset": "UTF-8",
        "WPLANG": "",
        # The key WordPress's Akismet plugin would have; only the demo's service takes it.
        "wordpress_api_key": DEMO_KEY,
        "db_version": "53496",
        # Tells a command opened on this file with --db to use the demo's offline
        # look-alikes (pingdesk.demo.marker), whatever the file is called.
        MARKER_OPTION: "1",
    }
    comments: list[dict[str, Any]] = []
    metas: list[dict[str, Any]] = []

    def add(post: dict[str, Any], *, when: datetime, **kw: Any) -> int:
        cid = len(comments) + 1
        row = {
            "comment_ID": cid,
            "comment_post_ID": post["ID"],
            "comment_author_email": "",
            "comment_author_IP": _ip(rng),
            "comment_date": _fmt(when),
            "comment_date_gmt": _fmt(when),
            "comment_karma": 0,
            "comment_approved": "0",
            "comment_agent": "",
            "comment_parent": 0,
            "user_id": 0,
        }
        row.update(kw)
        comments.append(row)
        return cid

    def meta(cid: int, key: str, value: str) -> None:
        metas.append({"comment_id": cid, "meta_key": key, "meta_value": value})

    def when_after(post: dict[str, Any]) -> datetime:
        span = max(1, int((now - post["post_date"]).total_seconds()) - 600)
        return post["post_date"] + timedelta(seconds=rng.randint(300, span))

    open_posts = [p for p in posts if p["ping_status"] == "open"]
    # Each source path tells the demo's source server what page to serve (linked,
    # gone, redirect, slow, ...), so every verification result shows up offline.
    plan = demo_source_plan(60)
    # Genuine pingbacks, as WordPress stores them: the source's <title>, an excerpt.
    for n in range(60):
        post = rng.choice(open_posts)
        domain, name = rng.choice(_BLOGS)
        src_path, kind = plan[n]
        url = demo_refused_url() if kind == "refused" else f"http://{domain}{src_path}"
        cid = add(
            post,
            when=when_after(post),
            comment_author=f"{name} » {post['post_title'].split(',')[0]} and more",
            comment_author_url=url,
            comment_content=f"[&#8230;] I followed {post['post_title'].lower()} from Field "
            f"Notes and it worked well for me [&#8230;]",
            comment_agent=f"WordPress/6.{rng.randint(1, 6)}; https://{domain}",
            comment_type="pingback",
            comment_approved=rng.choice(["0", "0", "0", "1", "1"]),
        )
        del cid
    # Trackback spam: "[...] Read More: ..." with a keyword-stuffed blog name.
    for n in range(30):
        post = rng.choice(posts)
        domain, name = rng.choice(_SPAM)
        status = rng.choice(["0", "0", "0", "spam", "spam"])
        when = when_after(post)
        cid = add(
            post,
            when=when,
            comment_author=name,
            comment_author_url=f"http://{domain}/src/{'gone-404' if n % 3 == 0 else 'no-link'}/"
            f"{1000 + n}",
            comment_content=f"<strong>{name} {n}</strong>\n\n[...] Read More: "
            f"http://{domain}/ [...]",
            comment_agent="Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1)",
            comment_type="trackback",
            comment_approved=status,
        )
        if status == "spam":
            meta(cid, "_wp_trash_meta_status", "0")
            meta(cid, "_wp_trash_meta_time", str(int((when + timedelta(hours=2)).timestamp())))
    # Self-pings: WordPress pinging itself from links between our own posts.
    for _ in range(12):
        post, source = rng.sample(open_posts, 2)
        add(
            post,
            when=when_after(post),
            comment_author=source["post_title"],
            comment_author_url=post_url(source),
            comment_author_IP=SERVER_IP,
            comment_content=f"[&#8230;] see also {post['post_title'].lower()} [&#8230;]",
            comment_agent=f"WordPress/6.4.2; {HOME}",
            comment_type="pingback",
        )
    # Webmentions (Webmention plugin): semantic type, protocol meta, source in meta.
    for n in range(10):
        post = rng.choice(open_posts)
        domain, name = rng.choice(_MENTIONERS)
        cid = add(
            post,
            when=when_after(post),
            comment_author=name,
            comment_author_url=f"https://{domain}/",
            comment_content=f"Mentioned in {name}'s note about {post['post_title'].lower()}.",
            comment_agent="Webmention",
            comment_type=rng.choice(["mention", "mention", "like", "repost"]),
            comment_approved=rng.choice(["0", "0", "1"]),
        )
        meta(cid, "protocol", "webmention")
        kind = "linked" if n % 3 else "mentioned"
        meta(cid, "webmention_source_url", f"http://{domain}/src/{kind}/{2000 + n}")
    # Trashed ones, with the metas wp_trash_comment() writes.
    for n in range(6):
        post = rng.choice(open_posts)
        domain, name = rng.choice(_BLOGS)
        when = when_after(post)
        cid = add(
            post,
            when=when,
            comment_author=f"{name}: weekly links",
            comment_author_url=f"http://{domain}/src/linked/{3000 + n}",
            comment_content="[&#8230;] a link among many [&#8230;]",
            comment_agent="WordPress/6.3; https://" + domain,
            comment_type="pingback",
            comment_approved="trash",
        )
        meta(cid, "_wp_trash_meta_status", "0")
        meta(cid, "_wp_trash_meta_time", str(int((when + timedelta(days=1)).timestamp())))
    # Hostile text: shown literally, never interpreted by the terminal.
    hostile = [
        ("[/bold][link=https://evil.example]click[/link] \x1b]52;c;ZWNobyBoaQ==\x07", "markup"),
        ("مدونة الطبخ \u202eevil.exe\u202c 🍞🥖 zero\u200bwidth", "rtl"),
    ]
    for title, tag in hostile:
        post = open_posts[0]
        add(
            post,
            when=now - timedelta(hours=3),
            comment_author=title,
            comment_author_url=f"http://odd-{tag}.example/src/no-link/{4000 + len(tag)}",
            comment_content=f"<strong>{title}</strong>\n\n\x1b[31mred?\x1b[0m [&#8230;]",
            comment_agent="curl/8.0",
            comment_type="trackback",
        )
    # A few ordinary comments, one replying to a ping: pingdesk leaves them alone.
    post = open_posts[1]
    first = add(
        post,
        when=now - timedelta(days=2),
        comment_author="Maria",
        comment_author_email="maria@example.com",
        comment_author_url="",
        comment_content="Lovely post, thank you!",
        comment_type="comment",
        comment_approved="1",
    )
    add(
        post,
        when=now - timedelta(days=1),
        comment_author="Field Notes",
        comment_author_email="admin@fieldnotes.example",
        comment_author_url="",
        comment_content="Thanks Maria!",
        comment_type="comment",
        comment_approved="1",
        comment_parent=first,
        user_id=1,
    )
    with engine.begin() as conn:
        conn.execute(insert(t.posts), posts)
        conn.execute(
            insert(t.options),
            [{"option_name": k, "option_value": v, "autoload": "yes"} for k, v in options.items()],
        )
        conn.execute(
            insert(t.users),
            [
                {
                    "ID": 1,
                    "user_login": "admin",
                    "user_nicename": "admin",
                    "user_email": "admin@fieldnotes.example",
                    "user_registered": _fmt(now - timedelta(days=2400)),
                    "display_name": "Field Notes",
                }
            ],
        )
        conn.execute(
            insert(t.terms), [{"term_id": 1, "name": "Uncategorized", "slug": "uncategorized"}]
        )
        conn.execute(
            insert(t.term_taxonomy),
            [{"term_taxonomy_id": 1, "term_id": 1, "taxonomy": "category", "description": ""}],
        )
        conn.execute(
            insert(t.term_relationships),
            [
                {"object_id": p["ID"], "term_taxonomy_id": 1}
                for p in posts
                if p["post_type"] == "post"
            ],
        )
        conn.execute(insert(t.comments), comments)
        if metas:
            conn.execute(insert(t.commentmeta), metas)
        counted = (
            select(func.count())
            .where(
                t.comments.c.comment_post_ID == t.posts.c.ID, t.comments.c.comment_approved == "1"
            )
            .scalar_subquery()
        )
        conn.execute(update(t.posts).values(comment_count=counted))
    engine.dispose()
    tmp.replace(path)
    return path


def ensure(*, reset: bool = False) -> Path:
    path = demo_path()
    if reset or not path.exists():
        build(path)
    return path
