"""The status views and how a ping's row reads: badges, titles, excerpts."""

from __future__ import annotations

import html
import re

from pingdesk.wp.pings import STATUSES

# The four status views, in WordPress's order; keys 1-4 select them.
VIEWS: tuple[str, ...] = ("pending", "approved", "spam", "trash")
VIEW_LABELS: dict[str, str] = {
    "pending": "Pending",
    "approved": "Approved",
    "spam": "Spam",
    "trash": "Trash",
}
KIND_BADGES: dict[str, str] = {"pingback": "PB", "trackback": "TB", "webmention": "WM"}
MAX_DETAIL = 20_000  # characters of a comment the full detail shows


def view_code(view: str) -> str:
    """The comment_approved value a view shows ('pending' -> '0')."""
    return STATUSES[view]


_STRONG = re.compile(r"^\s*<strong>(.*?)</strong>", re.S)
_TAGS = re.compile(r"<[^>]{0,200}>")


def display_title(kind: str, author: str, content: str) -> str:
    """'title (author)': a trackback's title is the <strong> head of its content and its
    author the sending blog's name; a pingback's author is the source page's title."""
    author = html.unescape(author or "")
    if kind == "trackback":
        m = _STRONG.match((content or "")[:2000])
        if m:
            title = html.unescape(_TAGS.sub("", m.group(1)))
            return f"{title} ({author})" if author and author != title else title
    return author


def excerpt(content: str, max_len: int = MAX_DETAIL) -> str:
    """The comment's text without tags, entities decoded, bounded before any work."""
    text = (content or "")[: max_len * 2]
    return html.unescape(_TAGS.sub("", text))[:max_len]
