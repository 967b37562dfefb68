"""Comparable dumps of what moderation touches, and SQLite copies of a site."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, inspect, select
from sqlalchemy.engine import Engine

from pingdesk.wp.schema import Tables

# Values that legitimately differ between two correct runs (they hold the clock).
TIME_META_KEYS = frozenset({"_wp_trash_meta_time"})
COPY_CHUNK = 2000


def _norm(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


@dataclass(frozen=True)
class Snapshot:
    """comments and posts (every column, by ID) and commentmeta as a sorted multiset of
    (comment_id, meta_key, meta_value) — meta_id ignored, clock values blanked."""

    comments: tuple[tuple[Any, ...], ...]
    commentmeta: tuple[tuple[Any, ...], ...]
    posts: tuple[tuple[Any, ...], ...]
    comment_columns: tuple[str, ...]
    post_columns: tuple[str, ...]

    def status(self) -> dict[int, str]:
        """comment_ID → comment_approved."""
        i = self.comment_columns.index("comment_approved")
        return {int(row[0]): row[i] for row in self.comments}

    def lines(self) -> list[str]:
        out = []
        for row in self.comments:
            out.append("comment " + repr(dict(zip(self.comment_columns, row, strict=True))))
        for meta in self.commentmeta:
            out.append(f"meta {meta!r}")
        for row in self.posts:
            out.append("post " + repr(dict(zip(self.post_columns, row, strict=True))))
        return out

    def diff(self, other: Snapshot, labels: Sequence[str] = ("left", "right")) -> str:
        """A unified diff, empty when equal."""
        return "\n".join(
            difflib.unified_diff(
                self.lines(), other.lines(), labels[0], labels[1], n=0, lineterm=""
            )
        )


def take(engine: Engine, tables: Tables) -> Snapshot:
    c, m, p = tables.comments, tables.commentmeta, tables.posts
    with engine.connect() as conn:
        comments = tuple(
            tuple(_norm(v) for v in row) for row in conn.execute(select(c).order_by(c.c.comment_ID))
        )
        metas = []
        for cid, key, value in conn.execute(select(m.c.comment_id, m.c.meta_key, m.c.meta_value)):
            metas.append((int(cid), key, "<time>" if key in TIME_META_KEYS else _norm(value)))
        posts = tuple(
            tuple(_norm(v) for v in row) for row in conn.execute(select(p).order_by(p.c.ID))
        )
    return Snapshot(
        comments=comments,
        commentmeta=tuple(sorted(metas, key=repr)),
        posts=posts,
        comment_columns=tuple(col.name for col in c.columns),
        post_columns=tuple(col.name for col in p.columns),
    )


def copy_to_sqlite(source: Engine, tables: Tables, path: Path) -> Engine:
    """A SQLite file with every row of the site's tables (those ``tables`` defines and the
    source has), created by ``tables.metadata.create_all``. Returns its engine."""
    path = Path(path)
    if path.exists():
        path.unlink()
    existing = set(inspect(source).get_table_names())
    wanted = [t for t in tables.metadata.sorted_tables if t.name in existing]
    target = create_engine(f"sqlite:///{path}")
    tables.metadata.create_all(target, tables=wanted)
    with source.connect() as src, target.begin() as dst:
        for table in wanted:
            result = src.execution_options(stream_results=True).execute(select(table))
            while chunk := result.fetchmany(COPY_CHUNK):
                dst.execute(insert(table), [row._asdict() for row in chunk])
    return target
