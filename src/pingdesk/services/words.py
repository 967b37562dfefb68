"""One vocabulary for both front ends: what actions did, ages, counts, durations.

Statuses are named by ``pingdesk.wp.pings.STATUS_NAMES`` (WordPress's codes to the
view names the CLI and the TUI both use: pending, approved, spam, trash).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pingdesk.errors import UsageError
from pingdesk.store.journal import Entry, Item
from pingdesk.wp.pings import STATUS_NAMES

# What each action did, to be followed by what it did it to: "approved 3 pings".
PAST: dict[str, str] = {
    "approve": "approved",
    "unapprove": "unapproved",
    "spam": "marked as spam",
    "unspam": "marked as not spam",
    "trash": "trashed",
    "untrash": "restored from the trash",
    "delete": "deleted permanently",
    "restore": "restored",
    "close-pings": "closed pings on",
    "open-pings": "opened pings on",
    "settings": "changed",
}

# The Discussion settings that govern pings, each with its effect in one line.
SETTING_HELP: dict[str, str] = {
    "default_ping_status": "Allow pings on NEW posts (existing posts keep their own setting).",
    "default_pingback_flag": "Send pingbacks to blogs this site links to; links between "
    "your own posts then make self-pings.",
}


def past(action: str) -> str:
    """'approve' -> 'approved'; an undo names what it undid ('undo spam' -> 'undid spam')."""
    if action.startswith("undo "):
        return "undid " + action.removeprefix("undo ")
    return PAST.get(action, action)


def plural(n: int, word: str) -> str:
    """'1 ping', '10,050 pings': every count is written with thousands separators."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def format_age(when: datetime | None, now: datetime) -> str:
    """'now', '5m', '3h', '2d', '6w', '4mo', '2y' — fits in four cells.

    ``when`` and ``now`` are both naive UTC (WordPress's *_gmt columns) or both aware.
    """
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


def format_ago(when: datetime | None, now: datetime) -> str:
    """'5m ago', 'just now', 'never'."""
    if when is None:
        return "never"
    age = format_age(when, now)
    return "just now" if age == "now" else f"{age} ago"


_AGE = re.compile(r"^\s*(\d{1,6})\s*([hdwmy]?)\s*$")


def parse_age(text: str) -> timedelta:
    """'90d', '12w', '6m', '1y', '48h'; a bare number is days."""
    m = _AGE.match(text or "")
    if not m:
        raise UsageError(f"cannot read age {text!r}: use e.g. 90d, 12w, 6m, 1y or 48h")
    n, unit = int(m.group(1)), m.group(2) or "d"
    days = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}[unit]
    age = timedelta(days=n * days)
    try:
        # The cutoff is now - age; Python's dates end at year 1 (999999d would overflow).
        datetime.now() - age
    except OverflowError:
        raise UsageError(
            f"age {text!r} reaches back before the year 1: no post is that old "
            "(use e.g. 90d, 12w, 6m, 1y or 48h)"
        ) from None
    return age


def journal_lines(entries: Sequence[tuple[Entry, Item]]) -> list[str]:
    """pingdesk's journal history of one ping, a line per action, oldest first."""
    out = []
    for entry, item in entries:
        before = item.before.get("status")
        after = item.after.get("status")
        old = STATUS_NAMES.get(str(before), str(before))
        new = "deleted" if after is None else STATUS_NAMES.get(str(after), str(after))
        at = entry.at.replace("T", " ").replace("Z", "")
        tail = " (undone)" if entry.state == "undone" else ""
        out.append(f"{at}  pingdesk {entry.action}: {old} → {new}{tail}")
    return out


def tally(values: Mapping[str, int]) -> str:
    """'spam:12 ham:3', largest first; '-' for none (table cells of counted things)."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    return " ".join(f"{k}:{n}" for k, n in ordered) or "-"
