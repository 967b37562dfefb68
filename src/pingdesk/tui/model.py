"""The terminal UI's pure logic: views, the filter language, safe text, ages.

Nothing here imports Textual, so it is cheap to test and reuse.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

from pingdesk.errors import ConfigError
from pingdesk.textsafe import clean
from pingdesk.wp.pings import KINDS, STATUSES, PingFilter

# The four status views, in WordPress's order; keys 1-4 select them.
VIEWS: tuple[str, ...] = ("pending", "approved", "spam", "trash")
VIEW_LABELS: dict[str, str] = {
    "pending": "Pending",
    "approved": "Approved",
    "spam": "Spam",
    "trash": "Trash",
}
KIND_BADGES: dict[str, str] = {"pingback": "PB", "trackback": "TB", "webmention": "WM"}

# Past-tense verbs for notifications.
DONE_VERBS: dict[str, str] = {
    "approve": "Approved",
    "unapprove": "Unapproved",
    "spam": "Marked as spam",
    "unspam": "Not spam",
    "trash": "Trashed",
    "untrash": "Restored",
    "delete": "Deleted permanently",
}

# Longest text we ever hand to a layout: a 10 MB comment must not be measured whole.
MAX_CELL = 512
MAX_DETAIL = 20_000


def view_code(view: str) -> str:
    return STATUSES[view]


_ZERO_WIDTH_OK = {"\u200d"}  # ZWJ inside emoji sequences is harmless


def _escape_format(ch: str) -> str:
    return f"\\u{ord(ch):04x}"


def safe(text: object, *, max_len: int = MAX_CELL, keep_newlines: bool = False) -> str:
    """Hostile text made printable: control and bidi characters escaped (textsafe.clean),
    and invisible format characters (zero-width space, BOM, word joiner...) shown as
    escapes too, since they can hide inside a domain name."""
    s = clean(text, keep_newlines=keep_newlines, max_len=max_len)
    if s.isascii():
        return s
    out = []
    for ch in s:
        if ch not in _ZERO_WIDTH_OK and unicodedata.category(ch) == "Cf":
            out.append(_escape_format(ch))
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: object, max_len: int = MAX_CELL) -> str:
    """A single line for a table cell, whitespace runs collapsed."""
    return " ".join(safe(text, max_len=max_len).split())


def fmt_age(when: datetime | None, now: datetime) -> str:
    """'now', '5m', '3h', '2d', '6w', '4mo', '2y' — fits in four cells."""
    if when is None:
        return "?"
    secs = (now - when).total_seconds()
    if secs < 60:
        return "now"
    mins = secs / 60
    if mins < 60:
        return f"{int(mins)}m"
    hours = mins / 60
    if hours < 24:
        return f"{int(hours)}h"
    days = hours / 24
    if days < 14:
        return f"{int(days)}d"
    if days < 61:
        return f"{int(days // 7)}w"
    if days < 365:
        return f"{int(days // 30)}mo"
    return f"{int(days // 365)}y"


@dataclass(frozen=True)
class Query:
    """What the moderator typed after '/': free text plus field terms."""

    text: str = ""
    search: str | None = None
    domain: str | None = None
    post_id: int | None = None
    kind: str = "all"
    self_only: bool = False
    check: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def apply(self, flt: PingFilter) -> PingFilter:
        return replace(
            flt,
            search=self.search,
            domain=self.domain,
            post_id=self.post_id,
            kind=self.kind,
            self_only=self.self_only,
            check=self.check,
        )


_TERM = re.compile(r'(\w+):("([^"]*)"|\S*)|"([^"]*)"|(\S+)')


def parse_query(text: str, *, allow_check: bool = True) -> Query:
    """Parse 'domain:example.com type:pingback post:12 self check:nolink free words'."""
    words: list[str] = []
    fields: dict[str, object] = {}
    for m in _TERM.finditer(text or ""):
        key, raw, quoted, phrase, word = m.groups()
        if key is not None:
            value = quoted if quoted is not None else raw
            key = key.lower()
            if key == "domain":
                if not value:
                    raise ConfigError("domain: needs a host, e.g. domain:example.com")
                fields["domain"] = value.lower()
            elif key == "post":
                if not value.isdigit():
                    raise ConfigError("post: needs a post ID, e.g. post:42")
                fields["post_id"] = int(value)
            elif key == "type":
                kind = {"pb": "pingback", "tb": "trackback", "wm": "webmention"}.get(
                    value.lower(), value.lower()
                )
                if kind not in (*KINDS, "all"):
                    raise ConfigError("type: is pingback, trackback or webmention")
                fields["kind"] = kind
            elif key == "check":
                if not allow_check:
                    raise ConfigError("check: needs source verification, which is not available")
                if not value:
                    raise ConfigError("check: needs a result, e.g. check:nolink")
                fields["check"] = value
            else:
                # Unknown 'x:y' is free text (URLs contain colons too).
                words.append(m.group(0))
        elif phrase is not None:
            words.append(phrase)
        elif word is not None:
            if word.lower() == "self":
                fields["self_only"] = True
            else:
                words.append(word)
    search = " ".join(words).strip() or None
    return Query(text=(text or "").strip(), search=search, **fields)  # type: ignore[arg-type]


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


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
