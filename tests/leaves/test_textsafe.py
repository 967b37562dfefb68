"""Hostile text never reaches the terminal as control sequences."""

from __future__ import annotations

import pytest

from pingdesk.textsafe import clean, html_text


@pytest.mark.parametrize(
    "raw",
    [
        "\x1b]52;c;ZWNobyBoaQ==\x07",  # OSC 52: set the clipboard
        "\x1b[2J\x1b[H",  # clear screen, home
        "a\x9bb",  # C1 CSI
        "evil\u202etxt.exe",  # bidi override
        "x\u2066y\u2069",  # bidi isolate
        "\x00\x08\x7f",
    ],
)
def test_control_and_bidi_characters_become_visible_escapes(raw: str) -> None:
    out = clean(raw)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in out)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in out)
    assert "\\" in out


def test_markup_like_text_is_left_literal() -> None:
    assert clean("[/bold][link=x]y") == "[/bold][link=x]y"


def test_newlines_and_length() -> None:
    assert clean("a\nb") == "a b"
    assert clean("a\nb", keep_newlines=True) == "a\nb"
    assert clean("x" * 100, max_len=10) == "x" * 10 + "…"


def test_html_text_decodes_entities_after_stripping_tags() -> None:
    assert html_text("<strong>Title</strong>\n\n[&#8230;] text") == "Title\n\n[…] text"
    # An entity that decodes to ESC is still neutralised.
    assert "\x1b" not in html_text("&#27;[31mred")
    assert html_text("&lt;script&gt;") == "<script>"
