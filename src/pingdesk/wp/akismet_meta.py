"""The Akismet trail in commentmeta, written exactly as the WordPress Akismet plugin writes it.

wp-admin's "Comment History" box and the "Flagged as spam by ..." row notes read
these rows, so pingdesk must leave the same ones the plugin (class.akismet.php,
5.x) leaves when a moderator clicks Spam / Not Spam or "Check for Spam":

* ``akismet_history``: one meta row per event (``add_comment_meta`` with
  ``$unique = false``), a PHP-serialized array ``{time: float microtime,
  event: ..., user: login}``; ``user`` only when someone is logged in, ``meta``
  only when not empty (``recheck-error`` carries ``{response: ...}``).
* after a report: ``akismet_user_result`` ('true' for spam, 'false' for ham)
  and ``akismet_user`` (the reporter's login), written whatever Akismet answered.
* after a re-check ("Check for Spam"): ``akismet_result`` 'true' / 'false' /
  'error'; on 'true' / 'false' the plugin also deletes ``akismet_error`` and
  ``akismet_delayed_moderation_email``; the history event is
  ``recheck-spam`` / ``recheck-ham`` / ``recheck-error``.

Pure data layer: SQLAlchemy only, no network (import-linter enforces it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import phpserialize
from sqlalchemy import and_, delete, exists, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from pingdesk.errors import UsageError
from pingdesk.wp.blog import Blog

HISTORY_KEY = "akismet_history"
RESULT_KEY = "akismet_result"
USER_RESULT_KEY = "akismet_user_result"
USER_KEY = "akismet_user"
AS_SUBMITTED_KEY = "akismet_as_submitted"
PRO_TIP_KEY = "akismet_pro_tip"
GUID_KEY = "akismet_guid"
ERROR_KEY = "akismet_error"
DELAYED_EMAIL_KEY = "akismet_delayed_moderation_email"

AKISMET_KEYS = (
    HISTORY_KEY,
    RESULT_KEY,
    USER_RESULT_KEY,
    USER_KEY,
    AS_SUBMITTED_KEY,
    PRO_TIP_KEY,
    GUID_KEY,
    ERROR_KEY,
)

# Akismet::$comment_as_submitted_allowed_keys: sanitize_comment_as_submitted()
# drops every other key (and every non-scalar value) before a report uses it.
AS_SUBMITTED_ALLOWED = frozenset(
    {
        "blog",
        "blog_charset",
        "blog_lang",
        "blog_ua",
        "comment_agent",
        "comment_author",
        "comment_author_IP",
        "comment_author_email",
        "comment_author_url",
        "comment_content",
        "comment_date_gmt",
        "comment_tags",
        "comment_type",
        "guid",
        "is_test",
        "permalink",
        "reporter",
        "site_domain",
        "submit_referer",
        "submit_uri",
        "user_ID",
        "user_agent",
        "user_id",
        "user_ip",
    }
)

# The messages wp-admin's comment_status_meta_box() shows for each event.
_EVENT_TEXT = {
    "recheck-spam": "Akismet re-checked and caught this comment as spam.",
    "check-spam": "Akismet caught this comment as spam.",
    "recheck-ham": "Akismet re-checked and cleared this comment.",
    "check-ham": "Akismet cleared this comment.",
    "wp-blacklisted": "Comment was caught by the disallowed list.",
    "wp-disallowed": "Comment was caught by the disallowed list.",
    "cron-retry-spam": "Akismet caught this comment as spam during an automatic retry.",
    "cron-retry-ham": "Akismet cleared this comment during an automatic retry.",
    "webhook-spam": "Akismet caught this comment as spam and updated its status via webhook.",
    "webhook-ham": "Akismet cleared this comment and updated its status via webhook.",
    "akismet-skipped": "This comment was not sent to Akismet when it was submitted.",
    "akismet-skipped-disallowed": "Not sent to Akismet: caught by the comment disallowed list.",
}


def microtime() -> float:
    """PHP's ``$mtime[1] + $mtime[0]`` from microtime(): seconds with microseconds."""
    return round(time.time(), 6)


def history_entry(
    event: str,
    user: str | None,
    *,
    at: float | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The array update_comment_history() stores, keys in the plugin's order."""
    entry: dict[str, Any] = {"time": microtime() if at is None else float(at), "event": event}
    if user:  # the plugin adds 'user' only when $current_user has a login
        entry["user"] = user
    if meta:  # ! empty( $meta )
        entry["meta"] = dict(meta)
    return entry


def php_serialize(value: Any) -> str:
    """maybe_serialize(): PHP serialize() text, as WordPress stores it in meta_value."""
    return bytes(phpserialize.dumps(value)).decode("utf-8")


def php_unserialize(text: str | bytes | None) -> Any:
    """maybe_unserialize() for arrays/scalars; None when the text is not serialized PHP."""
    if text is None:
        return None
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if not raw or raw[:2] not in (b"a:", b"s:", b"i:", b"d:", b"b:", b"N;", b"O:"):
        return None
    try:
        return phpserialize.loads(
            raw, decode_strings=True, object_hook=phpserialize.phpobject, array_hook=dict
        )
    except (ValueError, TypeError, EOFError, UnicodeDecodeError):
        return None


def sanitize_as_submitted(value: Any) -> dict[str, str] | None:
    """Akismet::sanitize_comment_as_submitted(): scalar values of the allowed keys only."""
    if not isinstance(value, dict) or not value:
        return None
    clean: dict[str, str] = {}
    for key, item in value.items():
        key = str(key)
        if (
            isinstance(item, dict | list)
            or item is None
            or isinstance(item, phpserialize.phpobject)
        ):
            continue
        if key.startswith("POST_ak_") or key in AS_SUBMITTED_ALLOWED:
            if isinstance(item, bool):  # PHP casts true to '1' and false to '' in a query
                clean[key] = "1" if item else ""
            else:
                clean[key] = str(item)
    return clean


@dataclass(frozen=True)
class HistoryEntry:
    time: float
    event: str
    user: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    message: str | None = None  # very old plugin versions stored a literal text

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.time).astimezone()

    def describe(self) -> str:
        """The line wp-admin's Comment History box would show (without the time)."""
        if self.message:
            return self.message
        ev = self.event
        if ev in ("report-spam", "report-ham"):
            what = "spam" if ev == "report-spam" else "not spam"
            who = self.user or "Someone"
            return f"{who} reported this comment as {what}."
        if ev in ("check-error", "recheck-error"):
            verb = "check" if ev == "check-error" else "recheck"
            resp = self.meta.get("response")
            tail = f" (response: {resp})" if resp not in (None, "") else ""
            return f"Akismet was unable to {verb} this comment{tail}."
        if ev in _EVENT_TEXT:
            return _EVENT_TEXT[ev]
        if ev.startswith("status-changed"):
            status = ev.removeprefix("status-changed").lstrip("-")
            return f"Comment status was changed to {status}"
        if ev.startswith("status-"):
            status = ev.removeprefix("status-")
            who = self.user or "Someone"
            return f"{who} changed the comment status to {status}."
        return ev


def parse_history_value(text: str | None) -> HistoryEntry | None:
    data = php_unserialize(text)
    if not isinstance(data, dict):
        return None
    try:
        at = float(data.get("time") or 0)
    except (TypeError, ValueError):
        at = 0.0
    meta = data.get("meta")
    user = data.get("user")
    message = data.get("message")
    return HistoryEntry(
        time=at,
        event=str(data.get("event") or ""),
        user=str(user) if user not in (None, "") else None,
        meta=dict(meta) if isinstance(meta, dict) else {},
        message=str(message) if message else None,
    )


@dataclass
class CommentRow:
    """What a report or a check needs of one comment row (plus its post and meta)."""

    comment_id: int
    post_id: int
    status: str
    comment_type: str
    author: str
    author_email: str
    author_url: str
    author_ip: str
    agent: str
    content: str
    date_gmt: datetime | None
    post_modified_gmt: datetime | None
    as_submitted: dict[str, str] | None = None


def read_rows(blog: Blog, ids: Iterable[int]) -> dict[int, CommentRow]:
    """Comment rows by ID with the post's modified date and akismet_as_submitted."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    with blog.engine.connect() as conn:
        return read_rows_in(conn, blog, wanted)


def read_rows_in(conn: Connection, blog: Blog, ids: Iterable[int]) -> dict[int, CommentRow]:
    """read_rows() inside a transaction that already holds the rows."""
    wanted = sorted({int(i) for i in ids})
    c, p, m = blog.tables.comments, blog.tables.posts, blog.tables.commentmeta
    rows: dict[int, CommentRow] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = (
            select(
                c.c.comment_ID,
                c.c.comment_post_ID,
                c.c.comment_approved,
                c.c.comment_type,
                c.c.comment_author,
                c.c.comment_author_email,
                c.c.comment_author_url,
                c.c.comment_author_IP,
                c.c.comment_agent,
                c.c.comment_content,
                c.c.comment_date_gmt,
                p.c.post_modified_gmt,
            )
            .select_from(c.outerjoin(p, p.c.ID == c.c.comment_post_ID))
            .where(c.c.comment_ID.in_(chunk))
        )
        for r in conn.execute(query):
            rows[int(r[0])] = CommentRow(
                comment_id=int(r[0]),
                post_id=int(r[1]),
                status=str(r[2]),
                comment_type=str(r[3] or ""),
                author=str(r[4] or ""),
                author_email=str(r[5] or ""),
                author_url=str(r[6] or ""),
                author_ip=str(r[7] or ""),
                agent=str(r[8] or ""),
                content=str(r[9] or ""),
                date_gmt=r[10],
                post_modified_gmt=r[11],
            )
        # get_comment_meta( $id, 'akismet_as_submitted', true ): the first row wins.
        meta_q = (
            select(m.c.comment_id, m.c.meta_value)
            .where(m.c.comment_id.in_(chunk), m.c.meta_key == AS_SUBMITTED_KEY)
            .order_by(m.c.meta_id)
        )
        for cid, value in conn.execute(meta_q):
            row = rows.get(int(cid))
            if row is not None and row.as_submitted is None:
                row.as_submitted = sanitize_as_submitted(php_unserialize(value))
    return rows


# --- low-level meta writes, with WordPress's semantics -------------------------------


def _add_meta(conn: Connection, blog: Blog, comment_id: int, key: str, value: str) -> None:
    m = blog.tables.commentmeta
    conn.execute(insert(m).values(comment_id=comment_id, meta_key=key, meta_value=value))


def _update_meta(conn: Connection, blog: Blog, comment_id: int, key: str, value: str) -> None:
    """update_comment_meta(): update every row of that key, or add one if there is none."""
    m = blog.tables.commentmeta
    found = conn.execute(
        select(m.c.meta_id).where(m.c.comment_id == comment_id, m.c.meta_key == key).limit(1)
    ).first()
    if found is None:
        _add_meta(conn, blog, comment_id, key, value)
    else:
        conn.execute(
            update(m)
            .where(m.c.comment_id == comment_id, m.c.meta_key == key)
            .values(meta_value=value)
        )


def _delete_meta(conn: Connection, blog: Blog, comment_id: int, key: str) -> None:
    m = blog.tables.commentmeta
    conn.execute(delete(m).where(m.c.comment_id == comment_id, m.c.meta_key == key))


# --- what the plugin records ------------------------------------------------------------


@dataclass(frozen=True)
class CheckRecord:
    """One "Check for Spam" answer: 'true' (spam), 'false' (ham) or 'error'."""

    comment_id: int
    result: str
    at: float = field(default_factory=microtime)  # when the answer came
    response: str | None = None  # for 'error': what came back (first 50 chars kept)


def _write_check(conn: Connection, blog: Blog, rec: CheckRecord, user: str | None) -> None:
    cid = rec.comment_id
    if rec.result in ("true", "false"):
        _update_meta(conn, blog, cid, RESULT_KEY, rec.result)
        _delete_meta(conn, blog, cid, ERROR_KEY)
        _delete_meta(conn, blog, cid, DELAYED_EMAIL_KEY)
        event = "recheck-spam" if rec.result == "true" else "recheck-ham"
        entry = history_entry(event, user, at=rec.at)
    elif rec.result == "error":
        _update_meta(conn, blog, cid, RESULT_KEY, "error")
        entry = history_entry(
            "recheck-error", user, at=rec.at, meta={"response": (rec.response or "")[:50]}
        )
    else:
        raise ValueError(f"result must be 'true', 'false' or 'error', not {rec.result!r}")
    _add_meta(conn, blog, cid, HISTORY_KEY, php_serialize(entry))


def record_checks(blog: Blog, records: Iterable[CheckRecord], user: str | None) -> None:
    """Akismet::recheck_comment()'s meta writes for many answers, in one transaction.

    Per comment: akismet_result; on true/false the plugin also deletes
    akismet_error and akismet_delayed_moderation_email; then one history row
    (recheck-spam / recheck-ham, or recheck-error with {response}).
    """
    records = list(records)
    if not records:
        return
    with blog.engine.begin() as conn:
        for rec in records:
            _write_check(conn, blog, rec, user)


# wp_transition_comment_status() names statuses this way in its hooks.
TRANSITION_NAMES = {"1": "approved", "0": "unapproved", "spam": "spam", "trash": "trash"}


def plugin_active(blog: Blog) -> bool:
    """Is the Akismet plugin active on this site (its hooks would be writing history)?"""
    plugins = php_unserialize(blog.option("active_plugins"))
    names = plugins.values() if isinstance(plugins, dict) else []
    return any(str(n).endswith("akismet.php") and "akismet" in str(n) for n in names)


def classify_transitions(
    transitions: Mapping[int, tuple[str, str]],
) -> tuple[list[int], list[int], list[tuple[int, str]]]:
    """Akismet::transition_comment_status(): which changes are reports.

    Spam from pending/approved is a spam report; pending/approved from spam is a
    ham report; any other change (not a delete) is a ``status-<new>`` history row.
    """
    spam: list[int] = []
    ham: list[int] = []
    other: list[tuple[int, str]] = []
    for cid, (old, new) in sorted(transitions.items()):
        if old == new:
            continue
        if new == "spam" and old in ("0", "1"):
            spam.append(cid)
        elif old == "spam" and new in ("0", "1"):
            ham.append(cid)
        elif new in TRANSITION_NAMES:
            other.append((cid, TRANSITION_NAMES[new]))
    return spam, ham, other


@dataclass(frozen=True)
class Trail:
    """What the plugin's hooks would write beside a moderator's status changes.

    ``reports``: an API key is configured, so spam / ham reports are made (and
    akismet_user_result / akismet_user written); ``status_history``: the plugin
    is active, so other changes get a ``status-<new>`` history row.
    """

    user: str | None
    reports: bool
    status_history: bool


def _update_meta_many(conn: Connection, blog: Blog, values: Mapping[int, str], key: str) -> None:
    """update_comment_meta() for many comments: update every row of the key, else add one."""
    if not values:
        return
    m = blog.tables.commentmeta
    ids = sorted(values)
    have = {
        int(i)
        for (i,) in conn.execute(
            select(m.c.comment_id).where(m.c.comment_id.in_(ids), m.c.meta_key == key).distinct()
        )
    }
    by_value: dict[str, list[int]] = {}
    for i in sorted(have):
        by_value.setdefault(values[i], []).append(i)
    for value, group in by_value.items():
        conn.execute(
            update(m).where(m.c.comment_id.in_(group), m.c.meta_key == key).values(meta_value=value)
        )
    missing = [i for i in ids if i not in have]
    if missing:
        conn.execute(
            insert(m),
            [{"comment_id": i, "meta_key": key, "meta_value": values[i]} for i in missing],
        )


def write_trail(
    conn: Connection,
    blog: Blog,
    transitions: Mapping[int, tuple[str, str]],
    trail: Trail,
    *,
    at: float | None = None,
) -> tuple[list[int], list[int]]:
    """The plugin's meta for a chunk of status changes, a few statements for the lot.

    For a report (submit_spam_comment / submit_nonspam_comment) the history row
    comes first, then, only with a key configured, akismet_user_result and
    akismet_user — whatever Akismet will answer, so the trail never depends on
    Akismet being reachable. Returns the (spam, ham) ids to report.
    """
    spam, ham, other = classify_transitions(transitions)
    when = microtime() if at is None else at
    m = blog.tables.commentmeta
    history = [(i, "report-spam") for i in spam] + [(i, "report-ham") for i in ham]
    if trail.status_history:
        history += [(i, f"status-{name}") for i, name in other]
    if history:
        conn.execute(
            insert(m),
            [
                {
                    "comment_id": i,
                    "meta_key": HISTORY_KEY,
                    "meta_value": php_serialize(history_entry(event, trail.user, at=when)),
                }
                for i, event in sorted(history)
            ],
        )
    if trail.reports and (spam or ham):
        verdicts = {i: "true" for i in spam} | {i: "false" for i in ham}
        _update_meta_many(conn, blog, verdicts, USER_RESULT_KEY)
        if trail.user:  # if ( $comment['reporter'] )
            _update_meta_many(conn, blog, dict.fromkeys(verdicts, trail.user), USER_KEY)
    return spam, ham


# --- reading for display ----------------------------------------------------------------


@dataclass
class AkismetInfo:
    """The plugin's meta for one comment, for the detail pane and the table."""

    comment_id: int
    result: str | None = None
    user_result: str | None = None
    user: str | None = None
    pro_tip: str | None = None
    guid: str | None = None
    error: str | None = None
    as_submitted: dict[str, str] | None = None
    history: list[HistoryEntry] = field(default_factory=list)

    def row_note(self, status: str) -> str | None:
        """Akismet_Admin::comment_row_action(): the note under a row in wp-admin."""
        if self.error:
            return "Awaiting spam check"
        if not self.user_result or self.user_result == self.result:
            if self.result == "true" and status not in ("spam", "trash"):
                return "Flagged as spam by Akismet"
            if self.result == "false" and status == "spam":
                return "Cleared by Akismet"
            return None
        who = self.user or ""
        if self.user_result == "true":
            return f"Flagged as spam by {who}"
        return f"Un-spammed by {who}"


def read_akismet_info(blog: Blog, ids: Iterable[int]) -> dict[int, AkismetInfo]:
    """Every akismet_* meta of the given comments; history newest first, as wp-admin."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, AkismetInfo] = {i: AkismetInfo(i) for i in wanted}
    if not wanted:
        return out
    m = blog.tables.commentmeta
    with blog.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            q = (
                select(m.c.comment_id, m.c.meta_key, m.c.meta_value)
                .where(m.c.comment_id.in_(chunk), m.c.meta_key.in_(AKISMET_KEYS))
                .order_by(m.c.meta_id)
            )
            for cid, key, value in conn.execute(q):
                info = out[int(cid)]
                text = None if value is None else str(value)
                if key == HISTORY_KEY:
                    entry = parse_history_value(text)
                    if entry is not None:
                        info.history.append(entry)
                elif key == AS_SUBMITTED_KEY:
                    if info.as_submitted is None:
                        info.as_submitted = sanitize_as_submitted(php_unserialize(text))
                else:
                    attr = {
                        RESULT_KEY: "result",
                        USER_RESULT_KEY: "user_result",
                        USER_KEY: "user",
                        PRO_TIP_KEY: "pro_tip",
                        GUID_KEY: "guid",
                        ERROR_KEY: "error",
                    }[key]
                    if getattr(info, attr) is None:  # get_comment_meta(..., true): first row
                        setattr(info, attr, text)
    for info in out.values():
        # Akismet::_cmp_time: newest first.
        info.history.sort(key=lambda e: e.time, reverse=True)
    return out


def read_history(blog: Blog, comment_id: int) -> list[HistoryEntry]:
    return read_akismet_info(blog, [comment_id])[int(comment_id)].history


# --- filtering by Akismet's verdict ------------------------------------------------------

# What `akismet:WORD` in a filter (and the TUI's AKISMET column) means.
VERDICT_WORDS = ("spam", "ham", "error", "unchecked")


def parse_verdict_names(value: str) -> list[str]:
    """'spam,error' -> ['spam', 'error']; UsageError on unknown words."""
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in VERDICT_WORDS]
    if bad or not names:
        raise UsageError(
            f"unknown Akismet verdict {', '.join(bad) or value!r}; "
            f"use one of: {', '.join(VERDICT_WORDS)}"
        )
    return names


def verdict_filter(blog: Blog, value: str) -> ColumnElement[bool]:
    """SQL condition on the comments table: Akismet's stored verdict (akismet_result
    'true' is spam, 'false' ham, 'error' a failed re-check; akismet_error a failed check
    on arrival; unchecked: none of these)."""
    c, m = blog.tables.comments, blog.tables.commentmeta

    def has(key: str, *values: str) -> ColumnElement[bool]:
        cond = and_(m.c.comment_id == c.c.comment_ID, m.c.meta_key == key)
        if values:
            cond = and_(cond, m.c.meta_value.in_(values))
        return exists(select(m.c.meta_id).where(cond))

    conditions: list[ColumnElement[bool]] = []
    for name in parse_verdict_names(value):
        if name == "spam":
            conditions.append(has(RESULT_KEY, "true"))
        elif name == "ham":
            conditions.append(has(RESULT_KEY, "false"))
        elif name == "error":
            conditions.append(has(RESULT_KEY, "error") | has(ERROR_KEY))
        else:
            conditions.append(~has(RESULT_KEY) & ~has(ERROR_KEY))
    return conditions[0] if len(conditions) == 1 else or_(*conditions)
