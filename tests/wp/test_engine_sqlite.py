"""The engine on SQLite: semantics, conflicts, journal, undo, restore, close-pings,
settings. The blog is made by WordPress itself (wp_install and wp_new_comment on
MariaDB, seeded once per module) and copied into a SQLite file for each test. The
MariaDB proof against WordPress's own PHP is tests/wp/test_differential.py."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pingdesk.errors import NotFound
from pingdesk.services.desk import Desk
from pingdesk.services.words import parse_age
from pingdesk.store.journal import Journal
from pingdesk.wp.connect import connect, target_from_db
from pingdesk.wp.pings import PingFilter
from pingdesk.wp.posts import PostFilter
from tests.support.wpbed import Bed, seed_pings
from tests.support.wpbed.seed import SOURCE_HOSTS

pytestmark = [pytest.mark.mariadb, pytest.mark.wordpress]


@pytest.fixture(scope="module")
def wordpress_sqlite(wp_bed: Bed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blog WordPress made (posts, pings of every kind and status, replies), as SQLite."""
    site = wp_bed.site()
    seed_pings(site, 6, 80, random.Random(5))
    path = tmp_path_factory.mktemp("engine") / "wordpress.sqlite"
    site.to_sqlite(path).dispose()
    wp_bed.release([site.db])
    return path


@pytest.fixture
def desk(wordpress_sqlite: Path, tmp_path: Path) -> Iterator[Desk]:
    path = tmp_path / "blog.sqlite"
    shutil.copyfile(wordpress_sqlite, path)
    blog = connect(target_from_db(f"sqlite:///{path}", tmp_path, "test"))
    d = Desk(blog, Journal(tmp_path / "journal.sqlite3"))
    yield d
    d.journal.close()
    blog.engine.dispose()


def _row(desk: Desk, cid: int) -> tuple[str, int, int] | None:
    c, p = desk.blog.tables.comments, desk.blog.tables.posts
    with desk.blog.engine.connect() as conn:
        r = conn.execute(
            select(c.c.comment_approved, c.c.comment_post_ID).where(c.c.comment_ID == cid)
        ).first()
        if r is None:
            return None
        count = conn.execute(select(p.c.comment_count).where(p.c.ID == r[1])).scalar_one()
    return r[0], r[1], count


def _meta(desk: Desk, cid: int) -> dict[str, list[str]]:
    m = desk.blog.tables.commentmeta
    out: dict[str, list[str]] = {}
    with desk.blog.engine.connect() as conn:
        for k, v in conn.execute(
            select(m.c.meta_key, m.c.meta_value).where(m.c.comment_id == cid).order_by(m.c.meta_id)
        ):
            out.setdefault(k, []).append(v)
    return out


def _approved_on(desk: Desk, post_id: int) -> int:
    c = desk.blog.tables.comments
    with desk.blog.engine.connect() as conn:
        return len(
            conn.execute(
                select(c.c.comment_ID).where(
                    c.c.comment_post_ID == post_id, c.c.comment_approved == "1"
                )
            ).all()
        )


def _pending(desk: Desk, n: int = 3) -> list[int]:
    return [p.id for p in desk.page(PingFilter(status="pending", kind="pingback"), limit=n).pings]


def test_approve_recounts_the_post(desk: Desk) -> None:
    ids = _pending(desk)
    res = desk.act("approve", ids)
    assert sorted(res.changed) == sorted(ids) and res.ok
    for i in ids:
        status, post, count = _row(desk, i)  # type: ignore[misc]
        assert status == "1"
        assert count == _approved_on(desk, post)


def test_spam_then_unspam_round_trips_meta_like_wordpress(desk: Desk) -> None:
    (i,) = _pending(desk, 1)
    desk.act("approve", [i])
    desk.act("spam", [i])
    assert _row(desk, i)[0] == "spam"  # type: ignore[index]
    meta = _meta(desk, i)
    assert meta["_wp_trash_meta_status"] == ["1"]
    assert len(meta["_wp_trash_meta_time"]) == 1 and meta["_wp_trash_meta_time"][0].isdigit()
    desk.act("unspam", [i])
    assert _row(desk, i)[0] == "1"
    assert "_wp_trash_meta_status" not in _meta(desk, i)


def test_untrash_without_meta_goes_to_pending(desk: Desk) -> None:
    # A ping caught by disallowed_keys arrives as 'trash' with no trash meta.
    c = desk.blog.tables.comments
    (i,) = _pending(desk, 1)
    with desk.blog.engine.begin() as conn:
        conn.execute(c.update().where(c.c.comment_ID == i).values(comment_approved="trash"))
    desk.act("untrash", [i])
    assert _row(desk, i)[0] == "0"


def test_conflict_when_the_row_changed_since_it_was_seen(desk: Desk) -> None:
    a, b = _pending(desk, 2)
    c = desk.blog.tables.comments
    # Someone approves b in wp-admin after the moderator saw it pending.
    with desk.blog.engine.begin() as conn:
        conn.execute(c.update().where(c.c.comment_ID == b).values(comment_approved="1"))
    res = desk.act("trash", {a: "0", b: "0"})
    assert res.changed == [a]
    assert [(x.id, x.expected, x.actual) for x in res.conflicts] == [(b, "0", "1")]
    assert _row(desk, b)[0] == "1"  # left alone


def test_not_applicable_rows_are_skipped(desk: Desk) -> None:
    (i,) = _pending(desk, 1)
    res = desk.act("unspam", [i])
    assert res.changed == [] and res.skipped and _row(desk, i)[0] == "0"


def test_delete_reparents_children_and_restore_brings_all_back(desk: Desk) -> None:
    c = desk.blog.tables.comments
    (ping,) = _pending(desk, 1)
    before_meta = {"a": ["1"], "protocol": ["x"]}
    with desk.blog.engine.begin() as conn:
        post = conn.execute(select(c.c.comment_post_ID).where(c.c.comment_ID == ping)).scalar()
        reply = conn.execute(
            c.insert().values(
                comment_post_ID=post,
                comment_author="me",
                comment_content="reply",
                comment_approved="1",
                comment_type="comment",
                comment_parent=ping,
            )
        ).inserted_primary_key[0]
        m = desk.blog.tables.commentmeta
        for k, vs in before_meta.items():
            for v in vs:
                conn.execute(m.insert().values(comment_id=ping, meta_key=k, meta_value=v))
    res = desk.act("delete", [ping])
    assert res.changed == [ping] and _row(desk, ping) is None
    assert _meta(desk, ping) == {}
    with desk.blog.engine.connect() as conn:
        assert conn.execute(select(c.c.comment_parent).where(c.c.comment_ID == reply)).scalar() == 0
    desk.restore(ping)
    assert _row(desk, ping)[0] == "0"  # type: ignore[index]
    assert _meta(desk, ping) == before_meta
    with desk.blog.engine.connect() as conn:
        assert (
            conn.execute(select(c.c.comment_parent).where(c.c.comment_ID == reply)).scalar() == ping
        )
    with pytest.raises(NotFound):
        desk.restore(ping)


def test_undo_reverses_the_last_action_and_checks_conflicts(desk: Desk) -> None:
    a, b = _pending(desk, 2)
    desk.act("spam", [a, b])
    c = desk.blog.tables.comments
    with desk.blog.engine.begin() as conn:  # WordPress un-spams b meanwhile
        conn.execute(c.update().where(c.c.comment_ID == b).values(comment_approved="0"))
    res = desk.undo()
    assert res.restored == [a] and [x.id for x in res.conflicts] == [b]
    assert _row(desk, a)[0] == "0" and "_wp_trash_meta_status" not in _meta(desk, a)
    with pytest.raises(NotFound):
        desk.undo()


def test_chunked_bulk_action_reports_progress(desk: Desk) -> None:
    ids = desk.ids(PingFilter(status="pending"))
    seen_progress: list[tuple[int, int]] = []
    res = desk.act("trash", ids, progress=lambda d, t: seen_progress.append((d, t)), chunk_size=7)
    assert len(res.changed) == len(ids)
    assert seen_progress[-1] == (len(ids), len(ids)) and len(seen_progress) > 3
    assert desk.counts().total("pending") == 0


def test_counts_and_filters(desk: Desk) -> None:
    counts = desk.counts()
    assert counts.total("pending") == len(desk.ids(PingFilter(status="pending")))
    wm = desk.page(PingFilter(status="all", kind="webmention"), limit=100).pings
    # A webmention's source is its webmention_source_url meta, not the author's URL.
    assert wm and all(p.kind == "webmention" and p.source_url != p.author_url for p in wm)
    selfs = desk.page(PingFilter(status="all", self_only=True), limit=100).pings
    assert selfs and all(p.is_self for p in selfs)
    domain = "linkfarm.example"
    assert domain in SOURCE_HOSTS
    dom = desk.page(PingFilter(status="all", domain=domain), limit=100).pings
    assert dom and all(p.domain == domain for p in dom)


def test_keyset_pages_cover_everything_once(desk: Desk) -> None:
    flt = PingFilter(status="all")
    seen: list[int] = []
    page = desk.page(flt, limit=7)
    while True:
        seen.extend(p.id for p in page.pings)
        if page.next_cursor is None:
            break
        page = desk.page(flt, limit=7, after=page.next_cursor)
    assert seen == desk.ids(flt) and len(seen) == len(set(seen))


def test_close_pings_changes_only_ping_status_and_undo_reopens(desk: Desk) -> None:
    p = desk.blog.tables.posts
    with desk.blog.engine.connect() as conn:
        before = {r.ID: r for r in conn.execute(select(p))}
    flt = PostFilter(older_than=parse_age("30d"), post_types=("post",))
    dry = desk.set_ping_status(flt, close=True, dry_run=True)
    assert dry.matched > 0 and dry.changed == 0
    res = desk.set_ping_status(flt, close=True)
    assert res.changed == dry.matched
    with desk.blog.engine.connect() as conn:
        after = {r.ID: r for r in conn.execute(select(p))}
    changed = {i for i in before if before[i].ping_status != after[i].ping_status}
    assert len(changed) == res.changed
    for i in changed:
        assert after[i].post_modified == before[i].post_modified
        assert dict(after[i]._mapping) | {"ping_status": "open"} == dict(before[i]._mapping)
    desk.undo()
    with desk.blog.engine.connect() as conn:
        assert {r.ID: r.ping_status for r in conn.execute(select(p))} == {
            i: r.ping_status for i, r in before.items()
        }


def test_settings_written_as_wp_admin_writes_them(desk: Desk) -> None:
    desk.set_settings(new_posts_pings="closed", send_pingbacks=False)
    o = desk.blog.options(["default_ping_status", "default_pingback_flag"], fresh=True)
    assert o == {"default_ping_status": "", "default_pingback_flag": ""}
    assert desk.settings().new_posts_pings == "closed" and not desk.settings().send_pingbacks
    desk.undo()
    o = desk.blog.options(["default_ping_status", "default_pingback_flag"], fresh=True)
    assert o == {"default_ping_status": "open", "default_pingback_flag": "1"}
