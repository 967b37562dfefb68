"""The matcher's shortcuts never change its answer.

ParsedPage.check skips links whose host cannot be a target's, and the text search
when no target host occurs in the text. These tests compare it with the plain
definition (every href normalised, the text pattern run on the whole text),
on hostile spellings chosen to slip past a naive substring test.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingdesk.net.links import LinkCheck, ParsedPage, TargetSet, _fold_ascii, normalize_url

POST = "http://blog.test/2024/03/hello-world/"
TARGETS = TargetSet({POST, "http://blog.test/?p=1", "http://pingdesk.test:8080/x/"})
PATH = "/2024/03/hello-world/"


def reference(page: ParsedPage, targets: TargetSet) -> str:
    """What check() answered before the shortcuts: every link normalised, then the text."""
    for href, _node in page._links:
        if normalize_url(href, page.base_url) in targets.keys:
            return "linked"
    pattern = targets.text_pattern
    if pattern is not None and pattern.search(page._text):
        return "mentioned"
    return "no-link"


def both(body: str, page_url: str = "http://src.test/a/", head: str = "") -> tuple[str, str]:
    doc = f"<html><head><title>t</title>{head}</head><body>{body}</body></html>"
    fast: LinkCheck = ParsedPage(doc, page_url).check(TARGETS)
    return fast.result, reference(ParsedPage(doc, page_url), TARGETS)


HOSTILE_HOSTS = [
    "blog.test",
    "BLOG.TEST",
    "Blog.Test.",
    "www.blog.test",
    "blog.test:80",
    "ｂｌｏｇ．ｔｅｓｔ",  # fullwidth: IDNA's nameprep folds it to blog.test
    "blog。test",  # ideographic full stop: a label separator for IDNA
    "blo\u00adg.test",  # soft hyphen: nameprep maps it to nothing
    "𝐛𝐥𝐨𝐠.test",  # mathematical bold letters: NFKC gives ASCII
    "blog.te\u017ft",  # long s: NFKC gives s
    "blo&#103;.test",
    "&#x62;log&period;test",
    "blog&#46;test",
    "blo\tg.te\nst",  # tabs and newlines are dropped from URLs
    "blog.test@evil.test",
    "evil.test@blog.test",
    "blog.test.evil.test",
    "xn--blog-test",
]


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
@pytest.mark.parametrize("scheme", ["http://", "https://", "//", "HTTP://"])
def test_hostile_host_spellings_agree_with_full_check(host: str, scheme: str) -> None:
    href = html.escape(scheme + host + PATH, quote=True).replace("&amp;", "&")
    fast, ref = both(f'<p>x <a href="{href}">link</a> y</p>')
    assert fast == ref, (host, scheme)


def test_unicode_spellings_really_link() -> None:
    # The cases above are only meaningful if the full check accepts them.
    for host in ["ｂｌｏｇ．ｔｅｓｔ", "blog。test", "blo\u00adg.test", "𝐛𝐥𝐨𝐠.test",
                 "blo&#103;.test", "blo\tg.te\nst", "BLOG.TEST"]:  # fmt: skip
        assert both(f'<a href="http://{host}{PATH}">x</a>') == ("linked", "linked"), host


@pytest.mark.parametrize(
    ("href", "page_url", "head"),
    [
        (PATH, "http://blog.test/elsewhere/", ""),
        (PATH, "http://WWW.Blog.Test./elsewhere/", ""),
        ("../03/hello-world/", "http://blog.test/2024/02/", ""),
        ("hello-world/", "http://src.test/", '<base href="http://blog.test/2024/03/">'),
        ("hello-world/", "http://src.test/", '<base href="//blog.test/2024/03/">'),
        ("http:/2024/03/hello-world/", "http://blog.test/", ""),
        ("?p=1", "http://blog.test/", ""),
        ("/x/", "http://pingdesk.test:8080/", ""),
        ("/x/", "http://pingdesk.test:8081/", ""),
        (PATH, "http://src.test/", ""),
    ],
)
def test_relative_links_agree(href: str, page_url: str, head: str) -> None:
    fast, ref = both(f'<a href="{href}">x</a>', page_url, head)
    assert fast == ref


def test_idn_target() -> None:
    targets = TargetSet({"http://bücher.test/a/"})
    for href in ["http://bücher.test/a/", "http://xn--bcher-kva.test/a", "http://BÜCHER.test/a"]:
        page = ParsedPage(f'<a href="{href}">x</a>', "http://src.test/")
        assert page.check(targets).result == reference(page, targets) == "linked", href


@pytest.mark.parametrize(
    "text",
    [
        "I read blog.test/2024/03/hello-world yesterday",
        "I read BLOG.TEST/2024/03/HELLO-WORLD yesterday",
        "I read www.blog.test/?p=1 yesterday",
        "see pİngdesk.test:8080/x today",  # IGNORECASE: 'i' matches U+0130
        "see pıngdesk.test:8080/x today",  # ... and U+0131
        "see pingdesk.te\u017ft:8080/x today",  # ... and 's' matches U+017F
        "see pingdes\u212a.test:8080/x today",  # ... and 'k' matches the Kelvin sign
        "blog&#46;test/2024/03/hello-world",
        "blog.test/2024/03/hello-world-two",
        "blog. test/2024/03/hello-world",
        "nothing here at all, caf\u00e9",
    ],
)
def test_mentions_agree(text: str) -> None:
    fast, ref = both(f"<p>{text}</p>")
    assert fast == ref, text


def test_mention_specials_are_real() -> None:
    assert both("<p>see pİngdesk.test:8080/x today</p>") == ("mentioned", "mentioned")


def test_fold_keeps_every_ignorecase_match() -> None:
    """Every character IGNORECASE equates with an ASCII host character is folded to it."""
    wanted = "abcdefghijklmnopqrstuvwxyz0123456789.-:"
    any_wanted = re.compile(f"[{re.escape(wanted)}]", re.IGNORECASE)
    found = 0
    for cp in range(0x80, 0x110000):
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not any_wanted.fullmatch(c):
            continue
        found += 1
        [a] = [a for a in wanted if re.fullmatch(re.escape(a), c, re.IGNORECASE)]
        assert _fold_ascii(c) == a.encode(), (hex(cp), a)
    assert found >= 4  # U+0130, U+0131, U+017F, U+212A at least


_PIECES = st.sampled_from(
    ["http:", "https:", "//", "/", "blog", ".", "test", "www.", "2024/03/", "hello-world",
     "?p=1", "&amp;", "&#46;", "#x", ":80", ":8080", "pingdesk", "x/", "\t", "ｂ", "。",
     "\u00ad", "@", "evil", "..", "%2E", "index.php", "?utm_source=a"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=10), st.sampled_from(
    ["http://src.test/a/", "http://blog.test/a/", "https://www.blog.test/2024/"]))  # fmt: skip
def test_random_hrefs_agree(pieces: list[str], page_url: str) -> None:
    href = "".join(pieces).replace('"', "")
    fast, ref = both(f'<p>a <a href="{href}">b</a> c {"".join(pieces)}</p>', page_url)
    assert fast == ref, href


_TEXT_PIECES = st.sampled_from(
    ["blog.test", "BLOG.TEST", "bl\u0130og.test", "pingdesk.test:8080", "pİngdesk.test:8080",
     "/2024/03/hello-world", "/x", "/", "?p=1", "/?p=1", "http://", "HTTPS://", "www.",
     "WWW.", " ", "a", ".", "@", "-", "%", "=", "&", "é", "_", "\n", "blog.test/?p=12"]
)  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "see https://www.blog.test/2024/03/hello-world/ now",
        "HTTPS://WWW.BLOG.TEST/?p=1",
        "xhttp://blog.test/x http://blog.test/?p=1",
        "a.blog.test/?p=1 then www.blog.test/?p=1.",
        "blog.test/?p=12 and later http://pingdesk.test:8080/x/",
        "www.www.blog.test/?p=1",
    ],
)
def test_find_mention_examples(text: str) -> None:
    check_find_mention(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=14))
def test_find_mention_is_the_patterns_leftmost_match(pieces: list[str]) -> None:
    check_find_mention("".join(pieces))


def check_find_mention(text: str) -> None:
    pattern = TARGETS.text_pattern
    assert pattern is not None
    want = pattern.search(text)
    got = TARGETS.find_mention(text)
    assert (got and (got.span(), got.group(0))) == (want and (want.span(), want.group(0)))


_CUT_PIECES = st.sampled_from(
    ["word", " ", "  ", "\n", "\t", "\x00", "\x1b", "é", "x" * 150, " " * 120, "a b", "\u202e"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_CUT_PIECES, max_size=60),
    st.sampled_from(["link", " link ", "", "l" * 130]),
    st.lists(_CUT_PIECES, max_size=60),
    st.integers(min_value=0, max_value=2500),
    st.integers(min_value=0, max_value=2500),
)
def test_excerpt_window_gives_the_whole_text_answer(
    before: list[str], middle: str, after: list[str], pad_before: int, pad_after: int
) -> None:
    """_cut looks at a window around long texts (mentions); the answer is the same."""
    import pingdesk.net.links as links

    b = "filler " * (pad_before // 7) + "".join(before)
    a = "".join(after) + " filler" * (pad_after // 7)
    fast = links._cut(b, middle, a)
    saved = links._CUT_WINDOW
    links._CUT_WINDOW = 10**9  # the whole text, as before the window existed
    try:
        full = links._cut(b, middle, a)
    finally:
        links._CUT_WINDOW = saved
    assert fast == full


@pytest.mark.parametrize(
    "before",
    [
        "aa bb" + "\x00" * 1200 + "cc dd",  # cleaning shrinks the window below 101 characters
        "aa bb" + "\x00" * 1200 + " " + "c" * 150,  # the window starts with a space
        "aa " + "b" * 2000,  # no whitespace near the link: the whole paragraph
    ],
)
def test_excerpt_window_falls_back_when_it_must(before: str) -> None:
    import pingdesk.net.links as links

    after = " tail" * 400
    fast = links._cut(before, "link", after)
    saved = links._CUT_WINDOW
    links._CUT_WINDOW = 10**9
    try:
        assert fast == links._cut(before, "link", after)
    finally:
        links._CUT_WINDOW = saved


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u200bab"))))
def test_collapse_spaces_is_the_regex(text: str) -> None:
    from pingdesk.net.links import _SPACE_RE, _collapse_spaces

    assert _collapse_spaces(text) == _SPACE_RE.sub(" ", text)


def test_collapse_spaces_on_every_whitespace_character() -> None:
    from pingdesk.net.links import _SPACE_RE, _collapse_spaces

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert _collapse_spaces("a" + every + "b") == _SPACE_RE.sub(" ", "a" + every + "b")
