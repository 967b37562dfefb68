"""A small WordPress-shaped blog for the UI tests, on SQLite or any engine.

Dates are fixed relative to NOW so snapshots never change with the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Engine

from pingdesk.services.desk import Desk
from pingdesk.store.journal import Journal
from pingdesk.wp.blog import Blog
from pingdesk.wp.schema import Tables

NOW = datetime(2026, 11, 25, 12, 0, 0)
HOME = "http://blog.test"

HOSTILE_TITLE = "[/bold] [link=http://evil.test]x[/link] \x1b]52;c;aGk=\x07 \u202eevil\u202c"


@dataclass
class PingSpec:
    kind: str  # pingback | trackback | webmention
    status: str  # '0' '1' 'spam' 'trash'
    url: str
    author: str
    post: int = 1
    content: str = "[&#8230;] a link to your post [&#8230;]"
    age: timedelta = timedelta(hours=1)
    ip: str = "203.0.113.9"
    agent: str = "WordPress/6.4; http://example.net"


def default_pings() -> list[PingSpec]:
    h = timedelta(hours=1)
    return [
        PingSpec("pingback", "0", "http://alpha.example/post-1", "Alpha links here", 1, age=1 * h),
        PingSpec(
            "trackback",
            "0",
            "http://beta.example/t",
            "Beta Blog",
            2,
            content="<strong>Beta's reply</strong>\n\nA trackback excerpt",
            age=2 * h,
        ),
        PingSpec("pingback", "0", "http://spam.example/buy", "Cheap pills", 1, age=3 * h),
        PingSpec("pingback", "0", "http://spam.example/buy2", "Cheap pills 2", 2, age=4 * h),
        PingSpec(
            "pingback", "0", f"{HOME}/?p=2", "Our own second post", 1, age=5 * h, ip="127.0.0.1"
        ),
        PingSpec("webmention", "0", "https://gamma.example/note", "Gamma", 3, age=26 * h),
        PingSpec(
            "pingback",
            "0",
            "http://hostile.example/x",
            HOSTILE_TITLE,
            3,
            content="\x1b[31mred\x1b[0m [/oops] \u200bzero\u200bwidth שלום 👍🏽",
            age=30 * h,
        ),
        PingSpec("pingback", "1", "http://delta.example/ok", "Delta approved", 1, age=50 * h),
        PingSpec("trackback", "1", "http://eps.example/tb", "Epsilon", 2, age=70 * h),
        PingSpec("pingback", "spam", "http://junk.example/1", "Junk one", 1, age=5 * h),
        PingSpec("pingback", "spam", "http://junk.example/2", "Junk two", 2, age=6 * h),
        PingSpec("trackback", "trash", "http://old.example/t", "Old trash", 3, age=90 * h),
    ]


def build_blog(engine: Engine, specs: list[PingSpec] | None = None, prefix: str = "wp_") -> Blog:
    """Create the tables (if needed) and fill them: 3 posts, options, pings."""
    tables = Tables(prefix, prefix)
    tables.metadata.create_all(engine)
    specs = default_pings() if specs is None else specs
    t = tables
    with engine.begin() as conn:
        conn.execute(
            insert(t.options),
            [
                {"option_name": "blogname", "option_value": "Test Blog", "autoload": "yes"},
                {"option_name": "home", "option_value": HOME, "autoload": "yes"},
                {"option_name": "siteurl", "option_value": HOME, "autoload": "yes"},
                {"option_name": "default_ping_status", "option_value": "open", "autoload": "yes"},
                {"option_name": "default_pingback_flag", "option_value": "1", "autoload": "yes"},
                {"option_name": "permalink_structure", "option_value": "", "autoload": "yes"},
            ],
        )
        posts = []
        for n, title in enumerate(["Hello world", "Second post", "A very old post"], 1):
            date = NOW - timedelta(days=[10, 40, 400][n - 1])
            posts.append(
                {
                    "ID": n,
                    "post_title": title,
                    "post_content": "",
                    "post_excerpt": "",
                    "to_ping": "",
                    "pinged": "",
                    "post_content_filtered": "",
                    "post_date": date,
                    "post_date_gmt": date,
                    "post_modified": date,
                    "post_modified_gmt": date,
                    "post_name": f"post-{n}",
                    "guid": f"{HOME}/?p={n}",
                    "post_type": "post",
                    "post_status": "publish",
                    "ping_status": "open",
                }
            )
        conn.execute(insert(t.posts), posts)
        add_pings(conn, t, specs)
    return Blog(engine, tables, str(engine.url.database or "memory"))


def add_pings(
    conn: object, t: Tables, specs: list[PingSpec], start_id: int | None = None
) -> list[int]:
    ids = []
    for s in specs:
        date = NOW - s.age
        ctype = s.kind if s.kind != "webmention" else "mention"
        res = conn.execute(  # type: ignore[attr-defined]
            insert(t.comments).values(
                comment_post_ID=s.post,
                comment_author=s.author,
                comment_author_url=s.url if s.kind != "webmention" else "https://gamma.example/",
                comment_author_IP=s.ip,
                comment_date=date,
                comment_date_gmt=date,
                comment_content=s.content,
                comment_approved=s.status,
                comment_agent=s.agent,
                comment_type=ctype,
            )
        )
        cid = int(res.inserted_primary_key[0])
        ids.append(cid)
        if s.kind == "webmention":
            conn.execute(  # type: ignore[attr-defined]
                insert(t.commentmeta),
                [
                    {"comment_id": cid, "meta_key": "protocol", "meta_value": "webmention"},
                    {"comment_id": cid, "meta_key": "webmention_source_url", "meta_value": s.url},
                ],
            )
        if s.status in ("spam", "trash"):
            conn.execute(  # type: ignore[attr-defined]
                insert(t.commentmeta),
                [
                    {"comment_id": cid, "meta_key": "_wp_trash_meta_status", "meta_value": "0"},
                    {"comment_id": cid, "meta_key": "_wp_trash_meta_time", "meta_value": "1"},
                ],
            )
    return ids


def sqlite_desk(tmp: Path, specs: list[PingSpec] | None = None) -> Desk:
    engine = create_engine(f"sqlite:///{tmp / 'blog.sqlite'}")
    blog = build_blog(engine, specs)
    blog.label = "blog.sqlite"
    return Desk(blog, Journal(tmp / "journal.sqlite3"))
