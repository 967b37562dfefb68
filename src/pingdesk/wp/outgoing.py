"""Outgoing pings as WordPress keeps them: a post's ``to_ping`` (trackback URLs still to
send) and ``pinged`` (URLs already pinged), the links ``pingback()`` would ping, and the
excerpt ``do_trackbacks()`` sends.

Everything here mirrors wp-includes/comment.php and post.php (WordPress 6.x):
``wp_extract_urls()``, ``get_pung()``, ``get_to_ping()`` with ``sanitize_trackback_urls()``,
``add_ping()``, the two UPDATEs at the end of ``trackback()`` and the one in
``do_trackbacks()`` for URLs already pinged. What is not mirrored, because it needs
WordPress's PHP at run time: the ``the_content`` / ``the_title`` filters (texturized
quotes and dashes, shortcodes, smilies) before the excerpt is cut, and plugins' ``pre_ping``
hooks. For plain prose the excerpt is the same; ``--excerpt`` overrides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.entities import name2codepoint
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from pingdesk.errors import NotFound
from pingdesk.wp.blog import Blog
from pingdesk.wp.permalinks import permalink, target_urls_for
from pingdesk.wp.txn import write_txn

EXCERPT_LENGTH = 252  # do_trackbacks(): wp_html_excerpt( $excerpt, 252, '&#8230;' )
EXCERPT_MORE = "&#8230;"


@dataclass(frozen=True)
class OutgoingPost:
    """What sending a post's pings needs to know of it."""

    id: int
    title: str
    status: str
    post_type: str
    content: str
    excerpt: str  # post_excerpt (the hand-written one; often empty)
    to_ping: list[str]
    pinged: list[str]
    permalink: str
    blog_name: str
    home: str
    # The URLs that mean this post (its permalink in every form WordPress answers to).
    own_urls: frozenset[str] = field(default_factory=frozenset)


def read_post(blog: Blog, post_id: int) -> OutgoingPost:
    p = blog.tables.posts
    with blog.engine.connect() as conn:
        row = conn.execute(
            select(
                p.c.ID,
                p.c.post_title,
                p.c.post_status,
                p.c.post_type,
                p.c.post_content,
                p.c.post_excerpt,
                p.c.to_ping,
                p.c.pinged,
            ).where(p.c.ID == post_id)
        ).first()
    if row is None or row.post_type in ("revision", "nav_menu_item", "attachment"):
        raise NotFound(f"no post #{post_id}")
    link = permalink(blog, post_id) or ""
    own = target_urls_for(blog, [post_id]).get(post_id, set())
    return OutgoingPost(
        id=int(row.ID),
        title=row.post_title or "",
        status=row.post_status or "",
        post_type=row.post_type or "",
        content=row.post_content or "",
        excerpt=row.post_excerpt or "",
        to_ping=get_to_ping(row.to_ping or ""),
        pinged=get_pung(row.pinged or ""),
        permalink=link,
        blog_name=blog.option("blogname") or "",
        home=blog.option("home") or "",
        own_urls=frozenset(own),
    )


# --------------------------------------------------------------------------- the columns

# PHP's trim() default characters, and PCRE's \s without the /u flag.
_PHP_TRIM = " \t\n\r\0\x0b"
_PCRE_SPACE = re.compile(r"[ \t\n\x0b\x0c\r]")


def get_pung(pinged: str) -> list[str]:
    """get_pung(): preg_split('/\\s/', trim($post->pinged)) — empty pieces kept, as PHP does."""
    return _PCRE_SPACE.split(pinged.strip(_PHP_TRIM))


def get_to_ping(to_ping: str) -> list[str]:
    """get_to_ping() after sanitize_trackback_urls(): http(s) URLs only, no empty pieces."""
    urls = [u for u in re.split(r"[\r\n\t ]", to_ping.strip(_PHP_TRIM)) if u]
    kept = [u for u in urls if re.match(r"^https?://.", u, re.IGNORECASE)]
    return [u for u in _PCRE_SPACE.split("\n".join(kept)) if u]


def add_ping(blog: Blog, post_id: int, url: str) -> None:
    """add_ping(): the post's pinged list plus ``url``, joined by newlines (after a
    pingback was accepted, or refused as already registered)."""
    p = blog.tables.posts
    with write_txn(blog) as conn:
        current = conn.execute(
            select(p.c.pinged).where(p.c.ID == post_id).with_for_update()
        ).scalar_one_or_none()
        if current is None:
            return
        pung = [*get_pung(current), url]
        conn.execute(update(p).where(p.c.ID == post_id).values(pinged="\n".join(pung)))


def record_trackback(blog: Blog, post_id: int, url: str) -> None:
    """The end of trackback() once any HTTP answer came back: the URL appended to pinged
    and cut out of to_ping, as WordPress's two UPDATEs do it (in one transaction here)."""
    p = blog.tables.posts
    with write_txn(blog) as conn:
        conn.execute(update(p).where(p.c.ID == post_id).values(pinged=p.c.pinged + "\n" + url))
        conn.execute(
            update(p)
            .where(p.c.ID == post_id)
            .values(to_ping=func.trim(func.replace(p.c.to_ping, url, "")))
        )


def drop_to_ping(blog: Blog, post_id: int, url: str) -> None:
    """do_trackbacks() for a to_ping URL that was already pinged: cut it out, send nothing."""
    p = blog.tables.posts
    with write_txn(blog) as conn:
        conn.execute(
            update(p)
            .where(p.c.ID == post_id)
            .values(to_ping=func.trim(func.replace(p.c.to_ping, url, "")))
        )


def clear_to_ping(blog: Blog, post_id: int) -> None:
    """do_trackbacks() with nothing to send: to_ping = '' (it may hold non-URLs)."""
    p = blog.tables.posts
    with write_txn(blog) as conn:
        conn.execute(update(p).where(p.c.ID == post_id).values(to_ping=""))


# --------------------------------------------------------------------------- links

# wp_extract_urls()'s pattern. PHP runs it without /u, on bytes: the quotes in the last
# class are UTF-8 byte sequences there, so each of their bytes ends a URL. Run on bytes
# here too, so that a URL ends exactly where WordPress's does.
_EXCLUDED = "`!()[]{}:'\".,<>«»“”‘’"
_EXCLUDED_BYTES = b"".join(re.escape(bytes([b])) for b in dict.fromkeys(_EXCLUDED.encode("utf-8")))
_URL_RE = re.compile(
    rb"([\"']?)("
    rb"(?:([\w-]+:)?//?)"
    rb"[^\s()<>]+"
    rb"[.]"
    rb"(?:"
    rb"\([\w\d]+\)|"
    rb"(?:"
    rb"[^" + _EXCLUDED_BYTES + rb"\s]|"
    rb"(?:[:]\d+)?/?"
    rb")+"
    rb")"
    rb")\1"
)
# html_entity_decode() with PHP 8's defaults (ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML401):
# HTML 4.01's named entities and numeric ones, always with their semicolon.
_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] == "#":
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code) if 0 < code < 0x110000 else "\ufffd"
        except ValueError:
            return m.group(0)
    if name in name2codepoint:
        return chr(name2codepoint[name])
    return m.group(0)


def html_entity_decode(text: str) -> str:
    return _ENTITY_RE.sub(_entity, text)


def extract_urls(content: str) -> list[str]:
    """wp_extract_urls(): the URLs in a post's content, entities decoded, semicolons
    dropped, duplicates removed (first one kept), in order."""
    found = [
        m.group(2).decode("utf-8", "replace")
        for m in _URL_RE.finditer(content.encode("utf-8", "surrogatepass"))
    ]
    return list(dict.fromkeys(html_entity_decode(u).replace(";", "") for u in found))


def pingback_links(post: OutgoingPost) -> list[str]:
    """pingback() steps 1 and 2: the links of the content not yet pinged, not to this
    post itself nor to a local attachment, and pointing to a page (a path other than
    '/', or a query) rather than to a site's front page."""
    pung = set(post.pinged)
    out: list[str] = []
    for link in extract_urls(post.content):
        if link in pung or _is_self(link, post) or _is_local_attachment(link, post):
            continue
        try:
            parts = urlsplit(link)
        except ValueError:
            continue  # PHP's parse_url() returns false for these
        if parts.query or (parts.path and parts.path != "/"):
            out.append(link)
    return list(dict.fromkeys(out))


def _is_self(link: str, post: OutgoingPost) -> bool:
    # url_to_postid( $link ) == $post->ID, for the forms pingdesk can resolve statically.
    bare = link.split("#", 1)[0]
    return bare in post.own_urls or bare.rstrip("/") in {u.rstrip("/") for u in post.own_urls}


def _is_local_attachment(link: str, post: OutgoingPost) -> bool:
    if not post.home or not link.startswith(post.home.rstrip("/")):
        return False
    return "attachment_id=" in link or "/wp-content/uploads/" in link


# --------------------------------------------------------------------------- the excerpt

_SCRIPT_STYLE = re.compile(r"<(script|style)[^>]*?>.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_BREAKS = re.compile(r"[\r\n\t ]+")
_ENTITY_TAIL = re.compile(r"&[^;\s]{0,6}$")


def strip_all_tags(text: str, *, remove_breaks: bool = False) -> str:
    """wp_strip_all_tags(): scripts and styles with their content, then every tag."""
    text = _TAG.sub("", _SCRIPT_STYLE.sub("", text))
    if remove_breaks:
        text = _BREAKS.sub(" ", text)
    return text.strip(_PHP_TRIM)


def html_excerpt(text: str, count: int, more: str = "") -> str:
    """wp_html_excerpt(): tags stripped, ``count`` characters, no half entity at the end,
    ``more`` appended when something was cut."""
    stripped = strip_all_tags(text, remove_breaks=True)
    excerpt = _ENTITY_TAIL.sub("", stripped[:count])
    if stripped != excerpt:
        excerpt = excerpt.strip(_PHP_TRIM) + more
    return excerpt


def trackback_excerpt(post: OutgoingPost) -> str:
    """The excerpt do_trackbacks() sends: the hand-written excerpt if there is one, else
    the content; ']]>' escaped; 252 characters and '&#8230;'."""
    text = post.excerpt or post.content
    return html_excerpt(text.replace("]]>", "]]&gt;"), EXCERPT_LENGTH, EXCERPT_MORE)


def trackback_title(post: OutgoingPost) -> str:
    """strip_tags( the_title ), without the texturizing filters."""
    return _TAG.sub("", post.title).strip(_PHP_TRIM)
