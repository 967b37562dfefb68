"""Make hostile text (from the database or the network) safe to show in a terminal.

Control characters (C0, C1, ESC) and bidirectional overrides/isolates could move
the cursor, set the clipboard (OSC 52) or reorder what the moderator reads, so
they are shown as visible escapes instead of being passed through.
"""

from __future__ import annotations

import html
import re
import unicodedata

# C0 except tab/newline handled separately, DEL, C1, bidi embeddings/overrides/isolates,
# and the line/paragraph separators that some terminals treat as newlines.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, *, keep_newlines: bool = False, max_len: int | None = None) -> str:
    """Return ``text`` as plain, printable text.

    Tabs become spaces; newlines become spaces unless ``keep_newlines``.
    ``max_len`` truncates *before* escaping work on huge values (10 MB contents).
    """
    s = "" if text is None else str(text)
    if max_len is not None and len(s) > max_len:
        s = s[:max_len] + "…"
    s = s.replace("\r\n", "\n").replace("\t", " ")
    if not keep_newlines:
        s = s.replace("\n", " ").replace("\r", " ")
    else:
        s = s.replace("\r", "\n")
    return _UNSAFE.sub(_escape, s)


# Longest text handed to a layout: a 10 MB comment must not be measured whole.
MAX_CELL = 512
_ZERO_WIDTH_OK = {"\u200d"}  # ZWJ inside emoji sequences is harmless


def safe(text: object, *, max_len: int = MAX_CELL, keep_newlines: bool = False) -> str:
    """``clean()``, and invisible format characters (zero-width space, BOM, word
    joiner...) shown as escapes too, since they can hide inside a domain name."""
    s = clean(text, keep_newlines=keep_newlines, max_len=max_len)
    if s.isascii():
        return s
    out = []
    for ch in s:
        if ch not in _ZERO_WIDTH_OK and unicodedata.category(ch) == "Cf":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: object, max_len: int = MAX_CELL) -> str:
    """A single line for a table cell, whitespace runs collapsed."""
    return " ".join(safe(text, max_len=max_len).split())


_TAG = re.compile(r"<[^>]{0,2000}>")


def html_text(text: object, *, max_len: int | None = None) -> str:
    """A comment's HTML as a moderator reads it: tags dropped, entities decoded
    ("[&#8230;]" -> "[…]"), then made safe like any other hostile text.

    For display only; nothing here decides what is safe to fetch or store.
    """
    s = "" if text is None else str(text)
    if max_len is not None and len(s) > max_len:
        s = s[:max_len]
    s = html.unescape(_TAG.sub("", s))
    return clean(s, keep_newlines=True, max_len=max_len)
