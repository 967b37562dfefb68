"""Link checking: pages served by a real HTTP server on 127.0.0.1, then parsed and matched."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pingdesk.demo.sources import Route, SourceServer, start_demo_sources
from pingdesk.net.links import (
    ParsedPage,
    TargetSet,
    clean_text,
    decode_html,
    normalize_url,
)
from pingdesk.net.safety import Allowlist
from pingdesk.services.verify import VerifySettings, verify_pings
from pingdesk.wp.verify_meta import VerifyResult

POST = "http://blog.test/2024/03/hello-world/"
TARGETS = {1: {POST, "http://blog.test/?p=1", "http://blog.test/?page_id=1"}}
_counter = itertools.count()


@dataclass
class P:
    id: int
    post_id: int
    source_url: str


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv, _ = start_demo_sources()
    yield srv
    srv.stop()


async def served(
    server: SourceServer,
    body: bytes | str,
    content_type: str | None = "text/html",
    path: str | None = None,
) -> VerifyResult:
    path = path or f"/page{next(_counter)}"
    server.set_routes({path.split("?")[0]: Route(body=body, content_type=content_type)})
    settings = VerifySettings(allow=Allowlist.parse([f"127.0.0.1:{server.port}"]))
    [result] = await verify_pings([P(7, 1, server.base_url + path)], TARGETS, settings=settings)
    return result


def doc(body: str, head: str = "<title>Source page</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "href",
    [
        POST,
        "https://blog.test/2024/03/hello-world/",
        "http://www.blog.test/2024/03/hello-world",
        "HTTP://BLOG.TEST/2024/03/hello-world/#comments",
        "http://blog.test:80/2024/03/hello-world/?utm_source=x&amp;utm_medium=y",
        "http://blog.test/2024/03/hello-world/?fbclid=abc",
        "//blog.test/2024/03/hello-world/",
        "  http://blog.test/2024/03/hello-world/\n",
        "http://blog.test/2024/03/hello%2Dworld/",
        "http&#58;//blog.test&#x2F;2024/03/hello-world/",
        "http://blog.test/?p=1",
        "http://blog.test/index.php?p=1",
        "http://blog.test/?page_id=1&amp;utm_campaign=z",
        "http://blog.test?p=1",
    ],
)
async def test_linked_variants(server: SourceServer, href: str) -> None:
    r = await served(server, doc(f'<p>Read <a href="{href}">this post</a> now.</p>'))
    assert r.result == "linked", (href, r)
    assert r.title == "Source page"
    # pingback_ping() drops a paragraph's first and last words when they fit; so do we.
    assert r.excerpt == "this post"


@pytest.mark.parametrize(
    "href",
    [
        "http://blog.test/2024/03/hello-world-2/",
        "http://blog.test/2024/03/",
        "http://other.test/2024/03/hello-world/",
        "http://blog.test/?p=10",
        "http://blog.test/?p=1&amp;replytocom=5",
        "ftp://blog.test/2024/03/hello-world/",
        "javascript:location='http://blog.test/2024/03/hello-world/'",
    ],
)
async def test_near_misses_do_not_count(server: SourceServer, href: str) -> None:
    r = await served(server, doc(f'<p><a href="{href}">x</a></p>'))
    assert r.result == "no-link", (href, r)


async def test_relative_link_resolved_against_page_url(server: SourceServer) -> None:
    # The page itself is on 127.0.0.1, so a relative link cannot reach blog.test...
    r = await served(server, doc('<p><a href="/2024/03/hello-world/">rel</a></p>'))
    assert r.result == "no-link"
    # ...unless <base> says where relative links point.
    r = await served(
        server,
        doc(
            '<p>Intro <a href="03/hello-world/">relative</a> link.</p>',
            head='<base href="http://blog.test/2024/"><title>based</title>',
        ),
    )
    assert r.result == "linked" and r.excerpt == "relative"
    assert r.matched == "http://blog.test/2024/03/hello-world/"


def test_relative_link_and_dot_segments_against_page_url() -> None:
    page = ParsedPage(doc('<a href="../03/./hello-world/">x</a>'), "http://blog.test/2024/02/")
    assert page.check(TargetSet(TARGETS[1])).result == "linked"


async def test_mentioned_as_text_only(server: SourceServer) -> None:
    body = doc(
        "<p>Lots of words here. I read blog.test/2024/03/hello-world yesterday, "
        'without linking. <a href="http://elsewhere.test/">other</a></p>'
    )
    r = await served(server, body)
    assert r.result == "mentioned"
    assert "blog.test/2024/03/hello-world" in r.excerpt


@pytest.mark.parametrize(
    "body",
    [
        "<p>see blog.test/2024/03/hello-world-two/</p>",
        "<p>see notblog.test/2024/03/hello-world/</p>",
        "<p>see blog.test/?p=12</p>",
        "<script>var u='http://blog.test/2024/03/hello-world/';</script><p>no</p>",
        "<style>/* http://blog.test/2024/03/hello-world/ */</style><p>no</p>",
        "<!-- <a href='http://blog.test/2024/03/hello-world/'>x</a> --><p>no</p>",
        "<p><img src='http://blog.test/2024/03/hello-world/'></p>",
    ],
)
async def test_not_mentioned(server: SourceServer, body: str) -> None:
    r = await served(server, doc(body))
    assert r.result == "no-link", (body, r)


@pytest.mark.parametrize(
    "body",
    [
        # Unclosed tags, unquoted and duplicated attributes, stray closers.
        "<div><p>Broken <b><i>markup <a href=http://blog.test/2024/03/hello-world/ class=x>here",
        '<table><tr><td>cell <a  HREF = "http://blog.test/2024/03/hello-world/" >in a table</td>',
        "</p></div><a href='http://blog.test/2024/03/hello-world/' href='http://x.test/'>dup</a>",
        '<p>x<a href="http://blog.test/2024/03/hello-world/"<b>weird</b></a></p>',
        "<svg><a href='http://blog.test/2024/03/hello-world/'>svg link</a></svg>",
        '<map><area href="http://blog.test/2024/03/hello-world/" alt="map"></map>',
    ],
)
async def test_malformed_html(server: SourceServer, body: str) -> None:
    r = await served(server, "<html><head><title>broken</title>" + body)
    assert r.result == "linked", (body, r)


async def test_binary_garbage_is_no_link(server: SourceServer) -> None:
    r = await served(server, bytes(range(256)) * 50)
    assert r.result == "no-link"


# -- charsets -------------------------------------------------------------------

LATIN = "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e"


async def test_charset_from_header(server: SourceServer) -> None:
    body = doc(f'<p>{LATIN} <a href="{POST}">lien</a></p>', head=f"<title>{LATIN}</title>")
    r = await served(server, body.encode("iso-8859-1"), "text/html; charset=ISO-8859-1")
    assert r.title == LATIN and LATIN in r.excerpt


async def test_charset_from_meta(server: SourceServer) -> None:
    body = doc(f'<p>{LATIN} <a href="{POST}">lien</a></p>',
               head=f'<meta charset="windows-1252"><title>{LATIN} \u20ac</title>')  # fmt: skip
    r = await served(server, body.encode("cp1252"), "text/html")
    assert r.title == f"{LATIN} \u20ac" and r.result == "linked"


async def test_charset_from_http_equiv(server: SourceServer) -> None:
    head = (
        '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><title>Привет</title>'
    )
    r = await served(
        server, doc(f'<a href="{POST}">x</a>', head=head).encode("koi8-r"), "text/html"
    )
    assert r.title == "Привет"


async def test_latin1_without_any_declaration(server: SourceServer) -> None:
    body = doc(f'<p>{LATIN} <a href="{POST}">x</a></p>', head=f"<title>{LATIN}</title>")
    r = await served(server, body.encode("latin-1"), "text/html")
    assert r.title == LATIN


async def test_utf8_bom_and_utf16(server: SourceServer) -> None:
    body = doc(f'<p><a href="{POST}">日本語</a></p>', head="<title>日本語</title>")
    r = await served(server, b"\xef\xbb\xbf" + body.encode("utf-8"), "text/html; charset=latin-1")
    assert r.title == "日本語"  # the BOM wins over the header, as in browsers
    r = await served(server, "\ufeff".encode("utf-16-le") + body.encode("utf-16-le"), "text/html")
    assert r.title == "日本語" and r.result == "linked"


async def test_non_ascii_slug_percent_encoded_or_not(server: SourceServer) -> None:
    target = "http://blog.test/%e6%97%a5%e6%9c%ac/"
    targets = {1: {target}}
    settings = VerifySettings(allow=Allowlist.parse([f"127.0.0.1:{server.port}"]))
    for href in ["http://blog.test/日本/", "http://blog.test/%E6%97%A5%E6%9C%AC"]:
        server.set_routes({"/u": Route(body=doc(f'<a href="{href}">x</a>'))})
        [r] = await verify_pings([P(1, 1, server.base_url + "/u")], targets, settings=settings)
        assert r.result == "linked", href


# -- excerpt and text safety ------------------------------------------------------


def test_excerpt_cut_like_wordpress() -> None:
    before = " ".join(f"word{i}" for i in range(40))  # ~270 characters
    after = " ".join(f"tail{i}" for i in range(40))
    html = doc(f"<p>{before} <a href='{POST}'>{'L' * 150}</a> {after}</p><p>next paragraph</p>")
    result = ParsedPage(html, "http://src.test/").check(TargetSet(TARGETS[1]))
    left, _, rest = result.excerpt.partition("L" * 100 + "…")
    assert left.startswith("word26 ") and len(left) <= 101
    assert rest.endswith(" tail14") and len(rest) <= 101
    assert "next paragraph" not in result.excerpt


def test_excerpt_stays_in_the_links_paragraph() -> None:
    html = doc(
        "<div>Outside text <h2>Heading</h2> before the link "
        f"<a href='{POST}'>link</a> after<li>list item</li></div>"
    )
    result = ParsedPage(html, "http://src.test/").check(TargetSet(TARGETS[1]))
    assert result.excerpt == "the link link"


def test_excerpt_without_whitespace_before_keeps_the_paragraph() -> None:
    html = doc(f"<p><a href='{POST}'>at start</a> and then words</p>")
    result = ParsedPage(html, "http://src.test/").check(TargetSet(TARGETS[1]))
    assert result.excerpt == "at start and then words"


# Pages for the comparison with WordPress's own pingback excerpts (ASCII, no entities:
# WordPress counts bytes and keeps entities encoded, we count characters after decoding).
WP_PAGES = {
    "short": "<p>Before the link some words. <a href='{t}'>what they wrote</a> and after.</p>",
    "long": "<p>" + " ".join(f"alpha{i}" for i in range(30)) + " <em>emph</em> <a href='{t}'>"
    "the <b>bold</b> link</a> <code>code</code> "
    + " ".join(f"omega{i}" for i in range(30))
    + "</p>",
    "start": "<p><a href='{t}'>first thing</a> in the paragraph and more words here</p>",
    "nested": "<div>intro words <p>a paragraph</p> text before the <a href='{t}'>link</a> "
    "text after it<ul><li>an item</li></ul> tail</div>",
    "li": "<ul><li>one</li><li>see also the <a href='{t}'>list link</a> in item two</li></ul>",
    "longtext": "<p>Words before it <a href='{t}'>" + "x" * 130 + "</a> words after it.</p>",
    "spaces": "<p>Spread\n\tacross   lines\n <a href='{t}'>spaced\n link</a>\n\n and after\t "
    "that</p>",
    "script": "<p>before <script>var x = 1;</script> the <a href='{t}'>link</a> after words</p>",
}


@pytest.mark.wordpress
def test_excerpts_and_titles_match_wordpress_pingbacks(wp_site: Any, tmp_path: Any) -> None:
    """WordPress receives real pingbacks (xmlrpc.php under php -S) from pages on 127.0.0.1;
    pingdesk then checks the same pages: same title, same excerpt."""
    import html as htmlmod

    from tests.support.wpbed.server import SourcePages, WordPressServer, send_pingback

    with SourcePages() as pages, WordPressServer.reserve() as wp:
        site = wp_site(home=wp.home)
        posts = site.php1({"cmd": "create_posts", "n": len(WP_PAGES), "title": "Target %d"})
        links = site.php1({"cmd": "permalinks", "ids": posts})
        sources = {}
        for (name, body), post in zip(WP_PAGES.items(), posts, strict=True):
            target = links[str(post)]
            sources[name] = (post, target, pages.add(
                f"/{name}/",
                f"<html><head><title>Page {name}</title></head><body>"
                + body.replace("{t}", target) + "</body></html>",
            ))  # fmt: skip
        wp.start(site, tmp_path)
        for _post, target, source in sources.values():
            send_pingback(wp.home, source, target)

        c = site.tables.comments
        from sqlalchemy import select

        with site.engine.connect() as conn:
            rows = {
                r.comment_author_url: r
                for r in conn.execute(select(c).where(c.c.comment_type == "pingback"))
            }
        for name, (_post, target, source) in sources.items():
            row = rows[source]
            wp_excerpt = htmlmod.unescape(htmlmod.unescape(row.comment_content))
            assert wp_excerpt.startswith("[…] ") and wp_excerpt.endswith(" […]")
            wp_excerpt = wp_excerpt[4:-4]
            page_html = pages.pages[f"/{name}/"][1]
            ours = ParsedPage(page_html, source).check(TargetSet({target}))
            assert ours.result == "linked"
            assert ours.title == row.comment_author, name
            assert ours.excerpt == wp_excerpt, name


def test_hostile_text_is_plain() -> None:
    html = doc(
        f"<p>\x1b[31mred\x1b[0m [bold]x[/bold] \u202eevil <a href='{POST}'>go</a></p>",
        head="<title>\x1b]0;pwned\x07 &lt;b&gt;T&lt;/b&gt;</title>",
    )
    result = ParsedPage(html, "http://src.test/").check(TargetSet(TARGETS[1]))
    assert "\x1b" not in result.title and "\x07" not in result.title
    assert result.title == "]0;pwned <b>T</b>"  # decoded entities stay text, never markup
    assert "\u202e" not in result.excerpt and "\x1b" not in result.excerpt


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://www.Example.com/a/?utm_x=1&b=2&a=1#f", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80/", "https://example.com:443"),
        ("http://example.com/index.php?p=3", "http://example.com/?p=3"),
        ("http://bücher.example/x", "http://xn--bcher-kva.example/x/"),
    ],
)
def test_normalize_equal(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b) is not None


def test_normalize_rejects() -> None:
    assert normalize_url("mailto:a@b.test") is None
    assert normalize_url("http://[bad") is None
    assert normalize_url("/relative") is None
    assert normalize_url("/relative", "http://h.test/x/") == "h.test/relative"


def test_decode_html_fallbacks() -> None:
    assert decode_html("café".encode()) == "café"
    assert decode_html("café".encode("latin-1")) == "café"
    assert decode_html(b"<meta charset=bogus>caf\xc3\xa9") == "<meta charset=bogus>café"
    assert clean_text(" a\n\tb\x00 ") == "a b"
