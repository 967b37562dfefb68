"""Source verification results, kept in the ping's commentmeta under ``_pingdesk_check``.

Why commentmeta:

* every moderator of the blog (TUI, CLI, another machine) sees the same
  evidence, with its age, without any extra table or file;
* WordPress deletes a comment's meta with the comment (wp_delete_comment), so
  results never outlive their ping; the leading underscore keeps the key out
  of WordPress's custom-field UIs;
* one row per ping: a re-check replaces it in one transaction.

The value is compact JSON whose first member is always the result, e.g.
``{"result":"gone","v":1,"checked_at":"2026-11-25T14:00:00Z",...}``, so
"which pings are gone" is an exact prefix match
(``meta_value LIKE '{"result":"gone",%'``) that list queries can add as an
EXISTS without parsing JSON in SQL (which SQLite and old MariaDB lack).
ASCII-only JSON (``\\uXXXX`` escapes) survives utf8mb3 tables.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from pingdesk.errors import UsageError
from pingdesk.wp.blog import Blog
from pingdesk.wp.txn import with_retry, write_txn

META_KEY = "_pingdesk_check"
FORMAT_VERSION = 1
RESULTS = (
    "linked",
    "mentioned",
    "no-link",
    "gone",
    "http-error",
    "unreachable",
    "refused",
    "not-html",
)
# Filter words besides the results themselves.
CHECKED, UNCHECKED = "checked", "unchecked"
_CHUNK = 500
_MAX_TEXT = 2000  # per field: a hostile page must not bloat the meta table


_now_cache: tuple[int, str] = (0, "")


def utc_now_iso() -> str:
    """The current UTC time to the second, ISO 8601 with Z (formatted once a second)."""
    global _now_cache
    second = int(time.time())
    if _now_cache[0] != second:
        when = datetime.fromtimestamp(second, UTC)
        _now_cache = (second, when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _now_cache[1]


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of verifying one ping's source. All text fields are plain text."""

    ping_id: int
    result: str
    http_status: int | None = None
    reason: str = ""
    final_url: str = ""
    title: str = ""
    excerpt: str = ""
    checked_at: str = field(default_factory=utc_now_iso)  # UTC, ISO 8601 with Z
    source_url: str = ""
    matched: str = ""  # the href (or text) that matched the post

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"unknown check result {self.result!r}")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; ``result`` first (the stored layout depends on it)."""
        data = {"result": self.result, "v": FORMAT_VERSION, "ping_id": self.ping_id}
        for f in fields(self):
            if f.name not in data:
                data[f.name] = getattr(self, f.name)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str, ping_id: int | None = None) -> VerifyResult:
        obj: Mapping[str, Any] = json.loads(data) if isinstance(data, str) else data
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in obj.items() if k in known}
        if ping_id is not None:
            values["ping_id"] = int(ping_id)
        status = values.get("http_status")
        values["http_status"] = int(status) if isinstance(status, int | str) and status else None
        for key in ("reason", "final_url", "title", "excerpt", "checked_at", "source_url",
                    "matched"):  # fmt: skip
            values[key] = str(values.get(key) or "")
        return cls(**values)

    def meta_value(self) -> str:
        data = self.to_json()
        del data["ping_id"]  # the row's comment_id says it
        for key, value in data.items():
            if isinstance(value, str) and len(value) > _MAX_TEXT:
                data[key] = value[:_MAX_TEXT]
        return json.dumps(data, separators=(",", ":"), ensure_ascii=True)

    @property
    def checked_datetime(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.checked_at.replace("Z", "+00:00"))
        except ValueError:
            return None

    def age(self, now: datetime | None = None) -> timedelta | None:
        when = self.checked_datetime
        if when is None:
            return None
        return (now or datetime.now(UTC)) - when

    def with_ping(self, ping_id: int) -> VerifyResult:
        data = asdict(self)
        data["ping_id"] = ping_id
        return VerifyResult(**data)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def store_results(blog: Blog, results: Iterable[VerifyResult]) -> int:
    """Replace the stored result of each ping; returns how many were stored.

    Pings deleted meanwhile are skipped (their meta would be an orphan).
    """
    latest: dict[int, VerifyResult] = {}
    for r in results:
        latest[int(r.ping_id)] = r
    if not latest:
        return 0
    c, cm = blog.tables.comments, blog.tables.commentmeta

    def run() -> int:
        stored = 0
        with write_txn(blog) as conn:
            for chunk in _chunks(sorted(latest)):
                alive = {
                    int(i)
                    for (i,) in conn.execute(
                        select(c.c.comment_ID).where(c.c.comment_ID.in_(chunk))
                    )
                }
                if not alive:
                    continue
                conn.execute(
                    delete(cm).where(and_(cm.c.comment_id.in_(alive), cm.c.meta_key == META_KEY))
                )
                conn.execute(
                    insert(cm),
                    [
                        {
                            "comment_id": i,
                            "meta_key": META_KEY,
                            "meta_value": latest[i].meta_value(),
                        }
                        for i in sorted(alive)
                    ],
                )
                stored += len(alive)
        return stored

    return with_retry(run)


def load_results(blog: Blog, ids: Iterable[int]) -> dict[int, VerifyResult]:
    """Stored results by ping id; pings never checked (or with unreadable meta) are absent."""
    wanted = sorted({int(i) for i in ids})
    cm = blog.tables.commentmeta
    out: dict[int, VerifyResult] = {}
    with blog.engine.connect() as conn:
        for chunk in _chunks(wanted):
            rows = conn.execute(
                select(cm.c.comment_id, cm.c.meta_value)
                .where(and_(cm.c.comment_id.in_(chunk), cm.c.meta_key == META_KEY))
                .order_by(cm.c.meta_id)
            )
            for comment_id, value in rows:
                try:
                    out[int(comment_id)] = VerifyResult.from_json(value or "", int(comment_id))
                except (ValueError, TypeError, KeyError):
                    continue  # written by a newer or broken writer: treat as unchecked
    return out


def parse_check_names(value: str) -> list[str]:
    """'gone,no-link' -> ['gone', 'no-link']; raises UsageError on unknown words."""
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    allowed = (*RESULTS, CHECKED, UNCHECKED)
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise UsageError(
            f"unknown check result {', '.join(bad) or value!r}; use one of: {', '.join(allowed)}"
        )
    return names


def check_filter(blog: Blog, result_kind: str) -> ColumnElement[bool]:
    """SQL condition on the comments table: the ping's stored result is one of ``result_kind``.

    ``result_kind`` is a result ('gone'), a comma-separated list ('gone,no-link'),
    'checked' (any stored result) or 'unchecked' (none).
    """
    names = parse_check_names(result_kind)
    c, cm = blog.tables.comments, blog.tables.commentmeta
    own = and_(cm.c.comment_id == c.c.comment_ID, cm.c.meta_key == META_KEY)
    conditions: list[ColumnElement[bool]] = []
    results = [n for n in names if n in RESULTS]
    if results:
        likes = [cm.c.meta_value.like(f'{{"result":"{n}",%') for n in results]
        conditions.append(exists(select(cm.c.meta_id).where(and_(own, or_(*likes)))))
    if CHECKED in names:
        conditions.append(exists(select(cm.c.meta_id).where(own)))
    if UNCHECKED in names:
        conditions.append(~exists(select(cm.c.meta_id).where(own)))
    return conditions[0] if len(conditions) == 1 else or_(*conditions)
