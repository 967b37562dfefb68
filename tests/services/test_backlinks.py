"""`pingdesk links`: who links to the blog, on a blog WordPress made, with pings WordPress
stored (wp_new_comment) and sources verified over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pingdesk.cli.main import main
from pingdesk.services.domains import domain_of, registrable
from tests.support.wpbed import WPSite
from tests.support.wpbed.server import SourcePages


def test_registrable_domains_follow_the_public_suffix_list() -> None:
    assert registrable("www.blog.example.co.uk") == "example.co.uk"
    assert registrable("friend.github.io") == "friend.github.io"  # github.io is a suffix
    assert registrable("127.0.0.1") == "127.0.0.1"
    assert registrable("localhost") == "localhost"
    assert domain_of("https://A.Example.COM./x") == "example.com"
    assert domain_of("not a url") == ""


def _ping(post: int, kind: str, url: str, when: str, approved: str = "1") -> dict[str, object]:
    spec: dict[str, object] = {
        "post": post,
        "type": kind,
        "author": f"Author of {url}",
        "author_url": url,
        "content": f"[...] a link from {url} [...]",
        "approved": approved,
        "date": when,
        "date_gmt": when,
    }
    if kind == "webmention":
        spec["source_url"] = url
    return spec


def test_links_by_domain_and_by_post(
    wp_site: Callable[..., WPSite], capsys: pytest.CaptureFixture[str]
) -> None:
    site = wp_site()
    p1, p2, p3 = site.php1({"cmd": "create_posts", "n": 3, "title": "Post %d"})
    site.php1(
        {
            "cmd": "new_comments",
            "comments": [
                _ping(p1, "pingback", "https://a.blog.example.co.uk/one", "2024-01-05 10:00:00"),
                _ping(p2, "trackback", "https://www.example.co.uk/two", "2024-03-01 10:00:00"),
                _ping(p1, "webmention", "https://friend.github.io/x", "2024-02-01 10:00:00"),
                _ping(p1, "pingback", "https://other.github.io/y", "2023-12-24 10:00:00"),
                _ping(p3, "pingback", "https://spam.example/z", "2024-04-01 10:00:00", "0"),
            ],
        }
    )
    db = ["--db", site.url, "--prefix", site.prefix]
    assert main([*db, "links", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pings"] == 4  # the pending one is not a link anyone vouched for
    domains = {d["domain"]: d for d in data["domains"]}
    assert list(domains) == ["example.co.uk", "friend.github.io", "other.github.io"]
    uk = domains["example.co.uk"]
    assert (uk["posts"], uk["pings"]) == (sorted([p1, p2]), 2)
    assert uk["kinds"] == {"pingback": 1, "trackback": 1}
    assert (uk["first_seen"], uk["last_seen"]) == ("2024-01-05 10:00:00", "2024-03-01 10:00:00")
    assert uk["per_month"] == {"2024-01": 1, "2024-03": 1}
    assert domains["friend.github.io"]["kinds"] == {"webmention": 1}
    posts = {p["post_id"]: p for p in data["posts"]}
    assert posts[p1]["domains"] == ["example.co.uk", "friend.github.io", "other.github.io"]
    assert p3 not in posts

    assert main([*db, "links", "--domain", "example.co.uk", "--since", "2024-02-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["DOMAIN", "POSTS", "PINGS", "FIRST_SEEN", "LAST_SEEN", "VERIFIED"]
    assert out[1].split() == ["example.co.uk", "1", "1", "2024-03-01", "2024-03-01", "unchecked"]
    # The records of --by in the other formats, with the report's JSON names.
    assert main([*db, "links", "--format", "csv", "--fields", "domain,pings"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["domain,pings", "example.co.uk,2"]
    assert main([*db, "links", "--by", "post", "--format", "ids"]) == 0
    assert sorted(map(int, capsys.readouterr().out.split())) == sorted([p1, p2])
    assert main([*db, "links", "--by", "post", "--post", str(p2)]) == 0
    assert "example.co.uk" in capsys.readouterr().out
    assert main([*db, "links", "--since", "soon"]) == 2


def test_links_verify_says_which_links_still_stand(
    wp_site: Callable[..., WPSite],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    loopback_only: list[str],
) -> None:
    site = wp_site()
    (post,) = site.php1({"cmd": "create_posts", "n": 1})
    link = site.php1({"cmd": "permalinks", "ids": [post]})[str(post)]
    with SourcePages() as pages:
        stands = pages.add("/stands", f'<html><body><a href="{link}">a post</a></body></html>')
        gone = pages.add("/gone", "<html>gone</html>", status=404)
        site.php1(
            {
                "cmd": "new_comments",
                "comments": [
                    _ping(post, "pingback", stands, "2024-01-01 00:00:00"),
                    _ping(post, "pingback", gone, "2024-01-02 00:00:00"),
                ],
            }
        )
        monkeypatch.setenv("PINGDESK_VERIFY_ALLOW", "127.0.0.1")
        db = ["--db", site.url, "--prefix", site.prefix]
        assert main([*db, "links", "--verify", "--json"]) == 0
        captured = capsys.readouterr()
        assert "verified 2 sources" in captured.err
        (d,) = json.loads(captured.out)["domains"]
        assert d["domain"] == "127.0.0.1"
        assert d["checks"] == {"linked": 1, "gone": 1}
        assert (d["checked"], d["still_linking"]) == (2, 1)

        # Fresh results are re-used: nothing fetched the second time.
        pages.pages.clear()
        assert main([*db, "links", "--verify", "--json"]) == 0
        captured = capsys.readouterr()
        assert "verified 0 sources" in captured.err
        assert json.loads(captured.out)["domains"][0]["still_linking"] == 1
