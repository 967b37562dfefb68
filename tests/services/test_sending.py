"""Sending pings, proven against WordPress itself.

Two WordPress sites served by `php -S` on 127.0.0.1: a sender and a receiver. The sender
has two twin posts; WordPress's own pingback() and do_trackbacks() send the first, pingdesk
sends the second, each to its own twin target on the receiver. The comments the receiver
creates and the sender's pinged / to_ping columns must be the same either way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pingdesk.net.safety import Allowlist
from pingdesk.services import sending
from pingdesk.wp import outgoing
from tests.support.wpbed import WPSite
from tests.support.wpbed.server import SourcePages, WordPressServer

PING_TYPES = ("pingback", "trackback")
LOOPBACK = sending.SendSettings(allow=Allowlist.parse(["127.0.0.1"]), timeout=20)


@pytest.fixture
def pair(
    wp_site: Callable[..., WPSite], tmp_path: Path, loopback_only: list[str]
) -> Iterator[tuple[WPSite, WPSite, SourcePages]]:
    """(sender, receiver, plain pages), both blogs served; only 127.0.0.1 is reachable."""
    with (
        SourcePages() as pages,
        WordPressServer.reserve() as s_server,
        WordPressServer.reserve() as r_server,
    ):
        sender = wp_site(home=s_server.home)
        receiver = wp_site(home=r_server.home)
        sender.php1({"cmd": "set_option", "name": "blogname", "value": "The Sending Blog"})
        s_server.start(sender, tmp_path / "s")
        r_server.start(receiver, tmp_path / "r")
        yield sender, receiver, pages


def _comments_on(site: WPSite, post_id: int) -> list[dict[str, Any]]:
    snap = site.snapshot()
    rows = [dict(zip(snap.comment_columns, r, strict=True)) for r in snap.comments]
    return sorted(
        (r for r in rows if r["comment_post_ID"] == post_id and r["comment_type"] in PING_TYPES),
        key=lambda r: r["comment_type"],
    )


def _post_fields(site: WPSite, ids: list[int]) -> dict[int, dict[str, str]]:
    got = site.php1({"cmd": "post_fields", "ids": ids, "fields": ["pinged", "to_ping"]})
    return {int(k): v for k, v in got.items()}


def test_pings_sent_by_pingdesk_equal_wordpress_own(
    pair: tuple[WPSite, WPSite, SourcePages],
) -> None:
    sender, receiver, pages = pair
    # Post IDs apart on the two blogs: both are on 127.0.0.1, and WordPress refuses a
    # pingback whose source and target look like one post (?p=N on the same host).
    receiver.php1({"cmd": "create_posts", "n": 5})
    # Pingback targets and trackback targets, one of each for WordPress and for pingdesk
    # (a blog takes one ping per source URL and post: wp-trackback.php's "We already have
    # a ping from that URL for this post").
    pb = receiver.php1({"cmd": "create_posts", "n": 2, "title": "Pingback target %d"})
    tb = receiver.php1({"cmd": "create_posts", "n": 2, "title": "Trackback target %d"})
    target_url = receiver.php1({"cmd": "permalinks", "ids": pb})
    tb_url = receiver.php1({"cmd": "trackback_urls", "ids": tb})
    plain = pages.add("/no-endpoint/page.html", "<html><body>no pingback here</body></html>")
    home = sender.site_home.rstrip("/")

    def body(target: str) -> str:
        return (
            "<!-- wp:paragraph --><p>A sending post that links to "
            f'<a href="{target}">the target post</a>, to <a href="{plain}">a plain page</a> '
            f'and to <a href="{home}/">its own front page</a>, with some words after it to make '
            "the excerpt long enough to be cut by WordPress at two hundred and fifty two "
            "characters, which this sentence goes on and on to pass, and still a little more "
            "text here.</p><!-- /wp:paragraph -->"
        )

    posts = [
        sender.php1({"cmd": "create_posts", "n": 1, "title": "Sending post", "content": body(t)})[0]
        for t in (target_url[str(pb[0])], target_url[str(pb[1])])
    ]
    for post, target in zip(posts, tb, strict=True):
        sender.php1(
            {
                "cmd": "set_post_fields",
                "id": post,
                "fields": {"to_ping": tb_url[str(target)], "pinged": ""},
            }
        )

    # WordPress sends the first post's pings; pingdesk the second's.
    sender.php1({"cmd": "send_pings", "ids": [posts[0]]})
    seen: list[sending.Outcome] = []
    out = sending.send_pings(sender.blog(), posts[1], LOOPBACK, on_outcome=seen.append)
    assert out == seen
    by_target = {o.target: o for o in out}
    assert by_target[target_url[str(pb[1])]].outcome == "sent"
    assert by_target[target_url[str(pb[1])]].recorded
    assert by_target[plain].outcome == "no-endpoint"
    assert by_target[tb_url[str(tb[1])]].outcome == "sent"
    assert f"{home}/" not in by_target  # a front page is never pinged

    skip = {"comment_ID", "comment_post_ID", "comment_date", "comment_date_gmt"}
    skip |= {"comment_agent", "comment_author_url"}
    permalinks = sender.php1({"cmd": "permalinks", "ids": posts})
    for kind, targets in (("pingback", pb), ("trackback", tb)):
        (wp_row,), (pd_row,) = (_comments_on(receiver, t) for t in targets)
        assert wp_row["comment_type"] == pd_row["comment_type"] == kind
        assert {k: v for k, v in pd_row.items() if k not in skip} == {
            k: v for k, v in wp_row.items() if k not in skip
        }
        assert wp_row["comment_author_url"] == permalinks[str(posts[0])]
        assert pd_row["comment_author_url"] == permalinks[str(posts[1])]
        assert pd_row["comment_agent"].startswith("pingdesk/")

    # The sender's columns: the same, up to the targets' URLs.
    fields = _post_fields(sender, posts)
    expected = fields[posts[0]]
    for old, new in (
        (target_url[str(pb[0])], target_url[str(pb[1])]),
        (tb_url[str(tb[0])], tb_url[str(tb[1])]),
    ):
        expected = {k: v.replace(old, new) for k, v in expected.items()}
    assert fields[posts[1]] == expected
    assert fields[posts[1]]["to_ping"] == ""

    # A second run sends nothing new: everything is in pinged now, as for WordPress.
    again = sending.send_pings(sender.blog(), posts[1], LOOPBACK)
    assert [o.target for o in again] == [plain]
    assert _post_fields(sender, [posts[1]])[posts[1]] == fields[posts[1]]


def test_one_trackback_by_hand_equals_wordpress_trackback(
    pair: tuple[WPSite, WPSite, SourcePages],
) -> None:
    sender, receiver, _ = pair
    targets = receiver.php1({"cmd": "create_posts", "n": 2, "title": "Target post %d"})
    tb_url = receiver.php1({"cmd": "trackback_urls", "ids": targets})
    posts = sender.php1(
        {"cmd": "create_posts", "n": 2, "title": "Hand sent", "content": "<p>Short body.</p>"}
    )
    blog = sender.blog()
    post = outgoing.read_post(blog, posts[0])
    sender.php1(
        {
            "cmd": "trackback",
            "url": tb_url[str(targets[0])],
            "title": outgoing.trackback_title(post),
            "excerpt": outgoing.trackback_excerpt(post),
            "post": posts[0],
        }
    )
    (o,) = sending.send_trackbacks(blog, posts[1], [tb_url[str(targets[1])]], LOOPBACK)
    assert (o.outcome, o.recorded) == ("sent", True)

    (wp_row,), (pd_row,) = (_comments_on(receiver, t) for t in targets)
    same = ("comment_author", "comment_content", "comment_approved", "comment_author_IP")
    assert {k: pd_row[k] for k in same} == {k: wp_row[k] for k in same}
    assert pd_row["comment_content"] == "<strong>Hand sent</strong>\n\nShort body."
    fields = _post_fields(sender, posts)
    assert fields[posts[1]]["pinged"] == fields[posts[0]]["pinged"].replace(
        tb_url[str(targets[0])], tb_url[str(targets[1])]
    )

    # The receiver refuses a second one: reported with its message (and recorded, as
    # WordPress records any answer).
    (dup,) = sending.send_trackbacks(blog, posts[1], [tb_url[str(targets[1])]], LOOPBACK)
    assert dup.outcome == "rejected" and "already a ping from that URL" in dup.detail


def test_pingback_endpoints_are_found_where_wordpress_finds_them(
    pair: tuple[WPSite, WPSite, SourcePages],
) -> None:
    sender, _, pages = pair
    ep = "http://127.0.0.1:9/xmlrpc.php"
    urls = [
        pages.add("/dq", f'<html><head><link rel="pingback" href="{ep}"></head></html>'),
        pages.add("/sq", f"<html><head><link rel='pingback' href='{ep}?sq'></head></html>"),
        pages.add("/first", f'rel="pingback" href="{ep}?at-offset-0"'),  # strpos() == 0
        pages.add("/nohref", '<html><link rel="pingback"></html>'),
        pages.add("/empty", '<html><link rel="pingback" href=""></html>'),
        pages.add("/later", f'<p>x</p><link href="{ep}?before" rel="pingback" href="{ep}?a">'),
        pages.add("/none", "<html><body>nothing</body></html>"),
        pages.add("/gone", "<html>gone</html>", status=404),
    ]
    wordpress = sender.php1({"cmd": "discover_pingback", "urls": urls})

    async def ours() -> list[str | None]:
        async with sending.Sender(LOOPBACK) as s:
            return [await s.discover_pingback(u) for u in urls]

    found = asyncio.run(ours())
    # With no href= after rel="pingback", WordPress's string search returns a piece of the
    # page (here '<link rel='), which its XML-RPC client then fails to reach: none either way.
    assert found == [w if w and w.startswith("http") else None for w in wordpress]
    assert wordpress[3] == "<link rel="
    assert found[:2] == [ep, f"{ep}?sq"]


def test_private_addresses_are_refused_without_the_allowlist(
    pair: tuple[WPSite, WPSite, SourcePages],
) -> None:
    sender, receiver, _ = pair
    (target,) = receiver.php1({"cmd": "create_posts", "n": 1})
    tb = receiver.php1({"cmd": "trackback_urls", "ids": [target]})[str(target)]
    (post,) = sender.php1({"cmd": "create_posts", "n": 1})
    (o,) = sending.send_trackbacks(sender.blog(), post, [tb], sending.SendSettings())
    assert o.outcome == "refused" and "127.0.0.1" in o.detail
    assert not o.recorded
    assert _post_fields(sender, [post])[post]["pinged"] == ""
    assert _comments_on(receiver, target) == []


def test_drafts_send_nothing(wp_site: Callable[..., WPSite]) -> None:
    site = wp_site()
    (post,) = site.php1({"cmd": "create_posts", "n": 1, "post_status": "draft"})
    with pytest.raises(sending.UsageError, match="draft"):
        sending.send_pings(site.blog(), post, LOOPBACK)


def test_links_are_extracted_as_wordpress_does() -> None:
    content = (
        '<a href="https://a.example/one?x=1&amp;y=2">x</a> '
        "see http://b.example/two.html; and “http://c.example/three”, "
        '<a href="https://a.example/one?x=1&amp;y=2">again</a> '
        "https://d.example/é-accent and &copy=1 http://e.example/?q=a&copy=2"
    )
    assert outgoing.extract_urls(content) == [
        "https://a.example/one?x=1&y=2",
        "http://b.example/two.html",
        "http://c.example/three",
        "https://d.example/é-accent",
        "http://e.example/?q=a&copy=2",
    ]


def test_pinged_columns_follow_wordpress_splitting() -> None:
    assert outgoing.get_pung("") == [""]
    assert outgoing.get_pung("\nhttp://a/x\nhttp://b/y") == ["http://a/x", "http://b/y"]
    assert outgoing.get_to_ping(" ftp://x http://a.example/tb\n\nhttps://b.example/tb ") == [
        "http://a.example/tb",
        "https://b.example/tb",
    ]
    text = "x" * 300
    assert outgoing.html_excerpt(text, 252, "&#8230;") == "x" * 252 + "&#8230;"
    assert outgoing.html_excerpt("a &amp; b" + " c" * 200, 5, "…") == "a…"


# --------------------------------------------------------------------------- the command line


def test_cli_dry_run_then_send(
    pair: tuple[WPSite, WPSite, SourcePages], capsys: pytest.CaptureFixture[str]
) -> None:
    from pingdesk.cli.main import main

    sender, receiver, _ = pair
    receiver.php1({"cmd": "create_posts", "n": 5})
    (target,) = receiver.php1({"cmd": "create_posts", "n": 1, "title": "Linked to"})
    link = receiver.php1({"cmd": "permalinks", "ids": [target]})[str(target)]
    (post,) = sender.php1(
        {"cmd": "create_posts", "n": 1, "content": f'<p>See <a href="{link}">this</a>.</p>'}
    )
    db = ["--db", sender.url, "--prefix", sender.prefix]

    assert main([*db, "send-pings", str(post), "--dry-run", "--allow", "127.0.0.1"]) == 0
    out = capsys.readouterr().out
    assert out.split() == ["would-send", "pingback", link]
    assert _post_fields(sender, [post])[post]["pinged"] == ""

    assert main([*db, "send-pings", str(post), "--json", "--allow", "127.0.0.1"]) == 0
    (sent,) = json.loads(capsys.readouterr().out)
    assert (sent["outcome"], sent["target"], sent["recorded"]) == ("sent", link, True)
    assert _post_fields(sender, [post])[post]["pinged"] == f"\n{link}"

    # Without --allow, a loopback trackback URL is refused: exit 1, nothing recorded.
    tb = receiver.php1({"cmd": "trackback_urls", "ids": [target]})[str(target)]
    assert main([*db, "send-trackback", str(post), tb]) == 1
    line = capsys.readouterr().out
    assert line.startswith("refused") and "127.0.0.1" in line
    assert main([*db, "send-trackback", str(post), "ftp://x.example/tb"]) == 2
    assert "not a trackback URL" in capsys.readouterr().err
    assert main([*db, "send-pings", "999999"]) == 2
    assert "no post #999999" in capsys.readouterr().err
