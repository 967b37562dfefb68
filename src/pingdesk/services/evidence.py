"""What is known about pings without asking the network: the stored results of
source verification (pingdesk.wp.verify_meta) and the Akismet plugin's trail
(pingdesk.wp.akismet_meta), as both front ends show them.

Kept apart from pingdesk.services.verify and .akismet so that read-only commands
(``list``, ``show``) never load the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pingdesk.services.desk import Desk
from pingdesk.services.words import format_ago
from pingdesk.wp.akismet_meta import (
    HISTORY_KEY,
    AkismetInfo,
    parse_history_value,
    read_akismet_info,
)
from pingdesk.wp.pings import Ping
from pingdesk.wp.verify_meta import RESULTS, VerifyResult, load_results

# --- source verification ---------------------------------------------------------------


def verify_results(desk: Desk, ids: Iterable[int]) -> dict[int, VerifyResult]:
    """The last stored result of each ping (absent: never verified); across blogs,
    each read from its own blog."""
    out: dict[int, VerifyResult] = {}
    for blog_desk, keys in desk.by_blog(ids):
        out.update((keys[i], r) for i, r in load_results(blog_desk.blog, list(keys)).items())
    return out


def summarize(results: Sequence[VerifyResult]) -> str:
    """'12 verified: 5 linked, 3 gone, 4 no-link'."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.result] = counts.get(r.result, 0) + 1
    parts = ", ".join(f"{counts[k]:,} {k}" for k in RESULTS if counts.get(k))
    return f"{len(results):,} verified" + (f": {parts}" if parts else "")


def verify_lines(result: VerifyResult | None, now: datetime | None = None) -> list[str]:
    """Plain-text lines for a detail pane (render as text, never as markup)."""
    if result is None:
        return ["Source: never verified (v in the UI, or pingdesk verify ID)"]
    status = f" (HTTP {result.http_status})" if result.http_status else ""
    when = result.checked_datetime
    ago = format_ago(when, now or datetime.now(UTC)) if when else "at an unknown time"
    lines = [f"Source: {result.result}{status}, verified {ago}"]
    if result.reason:
        lines.append(f"Reason: {result.reason}")
    if result.final_url and result.final_url != result.source_url:
        lines.append(f"Final URL: {result.final_url}")
    if result.title:
        lines.append(f"Page title: {result.title}")
    if result.excerpt:
        lines.append(f"Excerpt: {result.excerpt}")
    if result.checked_at:
        lines.append(f"Verified at: {result.checked_at}")
    return lines


# --- Akismet ---------------------------------------------------------------------------


def akismet_info(desk: Desk, ids: Iterable[int]) -> dict[int, AkismetInfo]:
    """The Akismet plugin's trail of each ping; across blogs, each from its own blog."""
    out: dict[int, AkismetInfo] = {}
    for blog_desk, keys in desk.by_blog(ids):
        got = read_akismet_info(blog_desk.blog, list(keys))
        out.update((keys[i], info) for i, info in got.items())
    return out


def akismet_values(desk: Desk, ids: Iterable[int]) -> dict[int, str]:
    """A short verdict per ping: spam, ham, spam* / ham* (the moderator overruled
    Akismet), error; pings Akismet never judged are absent."""
    out: dict[int, str] = {}
    for pid, info in akismet_info(desk, ids).items():
        word = verdict_word(info.result, info.user_result, info.error)
        if word:
            out[pid] = word
    return out


def verdict_word(result: str | None, user_result: str | None, error: str | None) -> str | None:
    """The short verdict of akismet_values from a ping's akismet_result,
    akismet_user_result and akismet_error meta (None: never judged)."""
    if error or result == "error":
        return "error"
    if user_result in ("true", "false") and user_result != result:
        return "ham*" if user_result == "false" else "spam*"
    if result == "true":
        return "spam"
    if result == "false":
        return "ham"
    return None


def akismet_lines(desk: Desk, ping: Ping) -> list[str]:
    """wp-admin's row note for this ping, or that Akismet never judged it."""
    info = akismet_info(desk, [ping.id]).get(ping.id)
    if info is None:
        return []
    lines = []
    note = info.row_note(ping.status_name)
    if note:
        lines.append(f"Akismet: {note}")
    elif info.result is None:
        lines.append("Akismet: not checked (K checks)")
    if info.pro_tip:
        lines.append(f"Akismet pro tip: {info.pro_tip}")
    return lines


def akismet_history_lines(ping: Ping) -> list[str]:
    """The plugin's history meta of a ping read with its meta, oldest first."""
    entries = [e for e in map(parse_history_value, ping.meta.get(HISTORY_KEY) or []) if e]
    entries.sort(key=lambda e: e.time)
    return [
        f"{datetime.fromtimestamp(e.time, UTC):%Y-%m-%d %H:%M:%S}  Akismet: {e.describe()}"
        for e in entries
    ]
