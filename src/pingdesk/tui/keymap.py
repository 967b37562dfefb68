"""Every key of the main screen, for the help screen ('?').

The bindings themselves are declared on the widget and screen classes; this
list is the moderator-facing description, in WordPress's shortcut vocabulary.
"""

from __future__ import annotations

HELP_KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Move",
        [
            ("j / ↓", "next ping"),
            ("k / ↑", "previous ping"),
            ("g / G", "first / last ping"),
            ("PgDn / PgUp", "a screen down / up"),
            ("enter", "full detail of the ping (esc returns)"),
        ],
    ),
    (
        "Moderate the ping under the cursor (then the cursor moves on)",
        [
            ("a", "approve"),
            ("u", "unapprove (back to pending)"),
            ("s", "spam"),
            ("d", "trash; in the Spam and Trash views: delete permanently (asks first)"),
            ("z", "undo the last action; in Spam: not spam; in Trash: restore"),
            ("ctrl+z", "undo the last action, in any view"),
        ],
    ),
    (
        "Mark and act on marked pings",
        [
            ("x / space", "mark / unmark the ping and move on"),
            ("X", "mark all in view (again: unmark all)"),
            ("m", "mark by pattern: this domain, self-pings, a verification result"),
            ("A S T U Z", "approve / spam / trash / unapprove / restore the marked pings"),
            ("D", "delete the marked pings permanently (Spam and Trash views)"),
            ("esc", "cancel a long action (or clear the marks)"),
        ],
    ),
    (
        "Views",
        [
            ("1 2 3 4", "Pending, Approved, Spam, Trash"),
            ("tab / shift+tab", "next / previous view"),
            ("/", "filter: words, domain:, post:, type:, self (check: with verification)"),
            ("ctrl+r", "refresh now (also every 30 s); the cursor stays on its row"),
        ],
    ),
    (
        "Checks (when available)",
        [
            ("v / V", "verify the sources of this ping (or the marked) / of the whole view"),
            ("K", "ask Akismet about the marked pings (or this one)"),
            ("/ check:gone", "filter by verification result (linked, no-link, gone, …)"),
            ("m c", "mark all with the verification result of this ping"),
        ],
    ),
    (
        "Elsewhere",
        [
            ("c", "close or open pings on posts"),
            (",", "Discussion settings for pings"),
            ("ctrl+p", "command palette: close pings, settings, switch site, theme"),
            ("?", "this help"),
            ("q", "quit"),
        ],
    ),
]
