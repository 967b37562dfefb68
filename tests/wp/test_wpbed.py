"""The test bed itself: real installs, multisite, seeded pings, real received pings."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from pingdesk.wp.blog import Blog
from tests.support.wpbed import BridgeError, WPSite, seed_pings
from tests.support.wpbed.server import SourcePages, WordPressServer, send_pingback, send_trackback

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]

PING_TYPES = {"pingback", "trackback"}


@pytest.mark.parametrize("prefix", ["wp_", "blog7_"])
def test_install_with_prefix(wp_site: Callable[..., WPSite], prefix: str) -> None:
    site = wp_site(prefix=prefix)
    assert site.prefix == prefix
    names = set(inspect(site.engine).get_table_names())
    for table in site.tables.site_tables:
        assert table.name in names, f"{table.name} missing after install"
    assert not any(n.startswith("wp_") for n in names) or prefix == "wp_"

    blog = site.blog()
    assert isinstance(blog, Blog)
    assert blog.option("home") == "http://blog.test"
    assert blog.option("siteurl") == "http://blog.test"
    info = site.php1({"cmd": "info"})
    assert info["prefix"] == prefix and info["multisite"] is False
    assert info["wp_version"].startswith("6.")

    # WordPress's sample content: "Hello world!" with one approved comment.
    snap = site.snapshot()
    assert snap.status() == {1: "1"}
    assert site.php1({"cmd": "count_comments"})["approved"] == 1


def test_clone_is_an_exact_twin(wp_site: Callable[..., WPSite]) -> None:
    site = wp_site()
    seed_pings(site, 4, 12, random.Random(1))
    twin = site.clone("twin")
    assert twin.db != site.db
    assert twin.snapshot() == site.snapshot()
    # Same AUTO_INCREMENT: the next comment gets the same ID in both.
    post = site.php1({"cmd": "create_posts", "n": 1})[0]
    assert twin.php1({"cmd": "create_posts", "n": 1})[0] == post
    spec = {"post": post, "type": "comment", "author": "A", "content": "same", "approved": "1"}
    assert site.php1({"cmd": "new_comments", "comments": [spec]}) == twin.php1(
        {"cmd": "new_comments", "comments": [spec]}
    )


def test_sqlite_copy_has_the_same_rows(wp_site: Callable[..., WPSite], tmp_path: Path) -> None:
    site = wp_site(prefix="blog7_")
    seed_pings(site, 3, 10, random.Random(2))
    engine = site.to_sqlite(tmp_path / "copy.sqlite")
    from tests.support.wpbed.snapshot import take

    assert take(engine, site.tables) == site.snapshot()
    assert "blog7_blogs" not in inspect(engine).get_table_names()  # not a multisite
    sqlite_blog = site.sqlite_blog(tmp_path / "again.sqlite")
    assert sqlite_blog.option("home") == "http://blog.test"


def test_multisite_has_a_sub_site(wp_multisite: WPSite) -> None:
    names = set(inspect(wp_multisite.engine).get_table_names())
    for name in ("wp_blogs", "wp_site", "wp_sitemeta", "wp_2_comments", "wp_2_commentmeta"):
        assert name in names
    sub = wp_multisite.sub_site()
    assert sub.prefix == "wp_2_"
    for table in sub.tables.site_tables:
        assert table.name in names
    with wp_multisite.engine.connect() as conn:
        blogs = conn.execute(
            select(sub.tables.blogs.c.blog_id, sub.tables.blogs.c.path).order_by(
                sub.tables.blogs.c.blog_id
            )
        ).all()
    assert [tuple(b) for b in blogs] == [(1, "/"), (2, "/sub/")]
    info = sub.php1({"cmd": "info"})
    assert info == info | {"blog_id": 2, "prefix": "wp_2_", "multisite": True}
    assert info["home"] == "http://blog.test/sub/"

    # Pings on the sub-site land in wp_2_comments, not in the main site's table.
    seeded = seed_pings(sub, 3, 8, random.Random(3))
    assert set(seeded.pings) <= set(sub.snapshot().status())
    assert wp_multisite.snapshot().status() == {1: "1"}
    assert sub.blog().tables.comments.name == "wp_2_comments"


def test_seeded_pings_look_like_wordpress_made_them(wp_site: Callable[..., WPSite]) -> None:
    site = wp_site()
    seeded = seed_pings(site, 8, 60, random.Random(4))
    snap = site.snapshot()
    rows = {row[0]: dict(zip(snap.comment_columns, row, strict=True)) for row in snap.comments}
    meta: dict[int, dict[str, str]] = {}
    for cid, key, value in snap.commentmeta:
        meta.setdefault(cid, {})[key] = value

    assert Counter(seeded.kinds[i] for i in seeded.pings).keys() >= {
        "pingback",
        "trackback",
        "webmention",
    }
    statuses = Counter(rows[i]["comment_approved"] for i in seeded.pings)
    assert statuses.keys() >= {"0", "1", "spam", "trash"}, statuses
    for cid in seeded.pings:
        row = rows[cid]
        assert row["comment_author_email"] == ""
        assert row["user_id"] == 0 and row["comment_karma"] == 0
        assert row["comment_post_ID"] == seeded.post_of[cid]
        kind = seeded.kinds[cid]
        if kind == "pingback":
            assert row["comment_type"] == "pingback"
            assert row["comment_content"].startswith("[&#8230;] ")
            assert row["comment_content"].endswith(" [&#8230;]")
        elif kind == "trackback":
            assert row["comment_type"] == "trackback"
            assert re.match(r"<strong>[^<]+</strong>\n\n", row["comment_content"])
        else:
            assert meta[cid]["protocol"] == "webmention"
            assert meta[cid]["webmention_source_url"].startswith("http")
            assert row["comment_type"] in {"mention", "comment", "like"}
        # spam/trash by wp_spam_comment / wp_trash_comment keep the previous status in meta
        if "_wp_trash_meta_status" in meta.get(cid, {}):
            assert row["comment_approved"] in {"spam", "trash"}
            assert meta[cid]["_wp_trash_meta_status"] in {"0", "1"}
            assert meta[cid]["_wp_trash_meta_time"] == "<time>"
    for reply in seeded.replies:
        assert rows[reply]["comment_type"] == "comment"
        assert reply in seeded.parent_of
    # Replies (readers' ones, and webmentions threaded under a comment or a ping).
    assert any(seeded.kinds[c] == "webmention" for c in seeded.parent_of)
    for child, parent in seeded.parent_of.items():
        assert rows[child]["comment_parent"] == parent
        assert rows[child]["comment_post_ID"] == rows[parent]["comment_post_ID"]

    # comment_count is WordPress's: approved comments of every type.
    approved = Counter(r["comment_post_ID"] for r in rows.values() if r["comment_approved"] == "1")
    counts = {row[0]: row[snap.post_columns.index("comment_count")] for row in snap.posts}
    assert {p: c for p, c in counts.items() if c} == dict(approved)
    assert site.php1({"cmd": "count_comments"})["approved"] == sum(approved.values())


def test_bridge_reports_wordpress_errors(wp_site: Callable[..., WPSite]) -> None:
    site = wp_site()
    with pytest.raises(BridgeError, match="unknown command"):
        site.php([{"cmd": "info"}, {"cmd": "no_such_thing"}])
    post = site.php1({"cmd": "create_posts", "n": 1})[0]
    spec = {"post": post, "type": "comment", "author": "A", "author_email": "a@example.org"}
    with pytest.raises(BridgeError, match=r"[Dd]uplicate"):
        site.php1({"cmd": "new_comments", "comments": [spec | {"content": "x"}] * 2})


def test_real_pingback_and_trackback(wp_site: Callable[..., WPSite], tmp_path: Path) -> None:
    """Pings received the way WordPress receives them: xmlrpc.php and wp-trackback.php
    under `php -S`, the pingback source fetched by WordPress from a local page."""
    with SourcePages() as pages, WordPressServer.reserve() as server:
        site = wp_site(home=server.home)
        post = site.php1({"cmd": "create_posts", "n": 2, "title": "Pinged post %d"})
        target = site.php1({"cmd": "permalinks", "ids": post})[str(post[0])]
        tb_url = site.php1({"cmd": "trackback_urls", "ids": [post[0]]})[str(post[0])]
        source = pages.add(
            "/2024/05/a-post/",
            "<html><head><title>A Linking Post</title></head><body>"
            f'<p>Before the link some words. <a href="{target}">what they wrote</a> '
            "and some words after it.</p></body></html>",
        )
        server.start(site, tmp_path)

        assert send_pingback(server.home, source, target) == (
            f"Pingback from {source} to {target} registered. Keep the web talking! :-)"
        )
        with pytest.raises(Exception, match="48"):  # already registered
            send_pingback(server.home, source, target)
        assert send_trackback(
            tb_url,
            url=pages.url("/tb/"),
            title="Trackback Title",
            excerpt="An excerpt of the linking post.",
            blog_name="Linking Blog",
        ) == (0, "")

        snap = site.snapshot()
        rows = [dict(zip(snap.comment_columns, r, strict=True)) for r in snap.comments]
        got = {r["comment_type"]: r for r in rows if r["comment_type"] in PING_TYPES}
        pb, tb = got["pingback"], got["trackback"]
        assert pb["comment_post_ID"] == post[0] and tb["comment_post_ID"] == post[0]
        assert pb["comment_author"] == "A Linking Post"
        assert pb["comment_author_url"] == source
        # WordPress's excerpt: up to 100 characters either side, cut at whitespace.
        assert pb["comment_content"] == (
            "[&#8230;] the link some words. what they wrote and some words after [&#8230;]"
        )
        assert pb["comment_author_IP"] == "127.0.0.1"
        assert tb["comment_author"] == "Linking Blog"
        assert (
            tb["comment_content"]
            == "<strong>Trackback Title</strong>\n\nAn excerpt of the linking post."
        )
        assert pb["comment_approved"] == tb["comment_approved"] == "0"

        # The bed's shapes (as seed_pings builds them) give the very same rows.
        made = site.php1(
            {
                "cmd": "new_comments",
                "comments": [
                    {
                        "post": post[1],
                        "type": r["comment_type"],
                        "author": r["comment_author"],
                        "author_url": r["comment_author_url"],
                        "ip": r["comment_author_IP"],
                        "agent": r["comment_agent"],
                        "content": r["comment_content"],
                    }
                    for r in (pb, tb)
                ],
            }
        )
        again = {
            r[0]: dict(zip(snap.comment_columns, r, strict=True)) for r in site.snapshot().comments
        }
        skip = {"comment_ID", "comment_post_ID", "comment_date", "comment_date_gmt"}
        for real, bed_id in zip((pb, tb), made, strict=True):
            mine = again[bed_id]
            assert {k: v for k, v in mine.items() if k not in skip} == {
                k: v for k, v in real.items() if k not in skip
            }
