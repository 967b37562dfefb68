"""The test environment the UI tests get: a Desk on MariaDB or SQLite, and DB probes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pingdesk.services.desk import Desk
from pingdesk.wp.blog import Blog
from pingdesk.wp.pings import PingFilter
from pingdesk.wp.schema import Tables


@dataclass
class Env:
    backend: str
    desk: Desk
    site: Any  # wpbed.WPSite (the MariaDB original; for sqlite: the source site)

    @property
    def blog(self) -> Blog:
        return self.desk.blog

    @property
    def engine(self) -> Engine:
        return self.desk.blog.engine

    @property
    def tables(self) -> Tables:
        return self.desk.blog.tables

    def status(self, cid: int) -> str | None:
        c = self.tables.comments
        with self.engine.connect() as conn:
            return conn.execute(
                select(c.c.comment_approved).where(c.c.comment_ID == cid)
            ).scalar_one_or_none()

    def meta(self, cid: int) -> dict[str, str]:
        m = self.tables.commentmeta
        with self.engine.connect() as conn:
            return {
                k: v
                for k, v in conn.execute(
                    select(m.c.meta_key, m.c.meta_value).where(m.c.comment_id == cid)
                )
            }

    def comment_count(self, post_id: int) -> int:
        p = self.tables.posts
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(p.c.comment_count).where(p.c.ID == post_id)).scalar_one()
            )

    def post_of(self, cid: int) -> int:
        c = self.tables.comments
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(c.c.comment_post_ID).where(c.c.comment_ID == cid)).scalar_one()
            )

    def ids(self, status: str = "pending", **kw: Any) -> list[int]:
        return self.desk.ids(PingFilter(status=status, **kw))


async def until(pilot: Any, check: Any, rounds: int = 300, step: float = 0.02) -> None:
    """Let the app run until ``check()`` is true (at most ``rounds`` × ``step`` seconds)."""
    for _ in range(rounds):
        if check():
            return
        await pilot.pause(step)
    raise AssertionError(f"never true: {check}")
