"""Akismet: reports, checks, the plugin's commentmeta trail, the queue, key handling.

Everything goes through pingdesk's real HTTP stack (httpx + the akismet library
+ our endpoint transport) to tests/akismet_fake.py, a real HTTP server on
127.0.0.1 started by the test. The WordPress data is a SQLite copy of the
schema (most tests) or a real WordPress on MariaDB with the real Akismet plugin
(the differential test at the end).

Fixture names avoid the akismet package's pytest plugin (akismet_sync_client,
akismet_async_client, ...).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import socket
import subprocess
import time
import traceback
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select

from pingdesk.net.akismet_client import AkismetFailure, redact, resolve_endpoint
from pingdesk.services.akismet import AkismetService, AkismetSettings
from pingdesk.services.reporting import resolve_key
from pingdesk.store.journal import Journal, NewItem, NewReport
from pingdesk.store.outbox import Outbox
from pingdesk.wp.akismet_meta import (
    Trail,
    classify_transitions,
    history_entry,
    parse_history_value,
    php_serialize,
    plugin_active,
    read_akismet_info,
    read_rows,
)
from pingdesk.wp.akismet_payload import Payload, build_payload, site_info
from pingdesk.wp.blog import Blog
from pingdesk.wp.moderation import ModerationResult, Reporting, moderate
from pingdesk.wp.schema import Tables
from tests.support.akismet_fake import THANKS, FakeAkismet

KEY = "a1b2c3d4e5f6"
HOME = "http://blog.test"
POST_MODIFIED = datetime(2024, 1, 2, 3, 4, 5)
DATE = datetime(2024, 1, 3, 10, 0, 0)

# (id, author, content, ip, status)
PINGS = [
    (1, "Spam source", "[&#8230;] buy viagra now [&#8230;]", "203.0.113.1", "0"),
    (2, "A friend", "[&#8230;] a thoughtful link [&#8230;]", "203.0.113.2", "0"),
    (3, "Blatant", "<strong>blatant-spam</strong>", "203.0.113.3", "0"),
    (4, "No IP", "[&#8230;] casino [&#8230;]", "", "0"),
    (5, "Approved spam", "[&#8230;] casino [&#8230;]", "203.0.113.5", "1"),
]


def make_blog(path: Path, *, key_option: str | None = KEY, n_extra: int = 0) -> Blog:
    engine = create_engine(f"sqlite:///{path}")
    tables = Tables("wp_", "wp_")
    tables.metadata.create_all(engine)
    options = [
        ("home", HOME),
        ("siteurl", HOME),
        ("blog_charset", "UTF-8"),
        ("WPLANG", "de_DE"),
        ("permalink_structure", ""),
    ]
    if key_option:
        options.append(("wordpress_api_key", key_option))
    rows = [
        dict(
            comment_ID=i,
            comment_post_ID=1,
            comment_author=author,
            comment_author_url=f"http://source{i}.example/post",
            comment_author_IP=ip,
            comment_content=content,
            comment_approved=status,
            comment_type="pingback",
            comment_agent="The Incutio XML-RPC PHP Library -- WordPress/6.1",
            comment_date=DATE,
            comment_date_gmt=DATE,
        )
        for i, author, content, ip, status in PINGS
    ]
    for n in range(n_extra):
        i = 100 + n
        rows.append(
            dict(
                comment_ID=i,
                comment_post_ID=1,
                comment_author=f"Source {i}",
                comment_author_url=f"http://s{i}.example/",
                comment_author_IP=f"198.51.100.{n % 250 + 1}",
                comment_content="casino" if n % 3 == 0 else "fine",
                comment_approved="0",
                comment_type="trackback",
                comment_agent="",
                comment_date=DATE,
                comment_date_gmt=DATE,
            )
        )
    with engine.begin() as conn:
        conn.execute(
            insert(tables.options), [dict(option_name=n, option_value=v) for n, v in options]
        )
        conn.execute(
            insert(tables.posts).values(
                ID=1,
                post_title="Hello",
                post_content="",
                post_excerpt="",
                to_ping="",
                pinged="",
                post_content_filtered="",
                post_modified=POST_MODIFIED,
                post_modified_gmt=POST_MODIFIED,
            )
        )
        conn.execute(insert(tables.comments), rows)
    return Blog(engine=engine, tables=tables, label=str(path))


def meta(blog: Blog, comment_id: int) -> list[tuple[str, str]]:
    m = blog.tables.commentmeta
    with blog.engine.connect() as conn:
        rows = conn.execute(
            select(m.c.meta_key, m.c.meta_value)
            .where(m.c.comment_id == comment_id)
            .order_by(m.c.meta_id)
        ).all()
    return [(str(k), str(v)) for k, v in rows]


def status_of(blog: Blog, comment_id: int) -> str:
    c = blog.tables.comments
    with blog.engine.connect() as conn:
        return str(
            conn.execute(
                select(c.c.comment_approved).where(c.c.comment_ID == comment_id)
            ).scalar_one()
        )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_akismet() -> Iterator[FakeAkismet]:
    with FakeAkismet(valid_keys=(KEY,)) as fake:
        yield fake


@pytest.fixture
def ak_blog(tmp_path: Path) -> Blog:
    return make_blog(tmp_path / "wp.sqlite")


@pytest.fixture
def ak_queue(tmp_path: Path) -> Iterator[Journal]:
    journal = Journal(tmp_path / "journal.sqlite3")
    yield journal
    journal.close()


def service(blog: Blog, fake_url: str, journal: Journal, **settings: Any) -> AkismetService:
    return AkismetService(
        blog,
        AkismetSettings(endpoint=fake_url, **settings),
        moderator="admin",
        journal=journal,
    )


def reporting(blog: Blog, user: str | None = "admin", *, key: bool | None = None) -> Reporting:
    """What the Desk passes to moderate(): as services.reporting.reporting_for builds it."""
    has_key = bool(resolve_key(None, blog)[0]) if key is None else key
    trail = Trail(user, reports=has_key, status_history=plugin_active(blog))
    return Reporting(trail, site_info(blog) if has_key else None)


def act(
    blog: Blog, journal: Journal, action: str, seen: dict[int, str], user: str | None = "admin"
) -> ModerationResult:
    """A moderator's action with Akismet beside it: trail written, reports queued."""
    return moderate(blog, action, seen, journal=journal, reporting=reporting(blog, user))


def waiting(journal: Journal, blog: Blog) -> int:
    outbox = Outbox(journal.path)
    try:
        return outbox.count(blog.key)
    finally:
        outbox.close()


# --- check ---------------------------------------------------------------------------


async def test_check_records_what_the_plugin_records(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    seen: list[tuple[int, str, int, int]] = []
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.check(
            [1, 2, 3, 4], on_result=lambda r, d, t: seen.append((r.ping_id, r.label(), d, t))
        )
    by_id = {r.ping_id: r for r in summary.results}
    assert by_id[1].verdict == "spam"
    assert by_id[2].verdict == "ham"
    assert by_id[3].verdict == "discard" and by_id[3].label() == "spam (discard)"
    assert by_id[4].state == "skipped" and "IP" in by_id[4].message
    assert sorted(s[0] for s in seen) == [1, 2, 3, 4] and {s[3] for s in seen} == {4}
    # A check changes no status unless asked.
    assert [status_of(ak_blog, i) for i in (1, 2, 3, 4)] == ["0", "0", "0", "0"]

    # recheck_comment(): akismet_result, then one recheck-* history row with the user.
    info = read_akismet_info(ak_blog, [1, 2, 3, 4])
    assert info[1].result == "true" and info[2].result == "false" and info[3].result == "true"
    assert [(h.event, h.user) for h in info[1].history] == [("recheck-spam", "admin")]
    assert [(h.event, h.user) for h in info[2].history] == [("recheck-ham", "admin")]
    assert meta(ak_blog, 4) == []  # not sent, nothing recorded
    keys = [k for k, _ in meta(ak_blog, 1)]
    assert keys == ["akismet_result", "akismet_history"]
    assert info[1].row_note("0") == "Flagged as spam by Akismet"

    # The request is check_db_comment()'s, through our HTTP stack.
    (call,) = [c for c in fake_akismet.calls("comment-check") if c.params["user_ip"].endswith(".1")]
    assert call.params == {
        "api_key": KEY,
        "blog": HOME,
        "user_ip": "203.0.113.1",
        "user_agent": "The Incutio XML-RPC PHP Library -- WordPress/6.1",
        "referrer": "",
        "comment_type": "pingback",
        "comment_author": "Spam source",
        "comment_author_email": "",
        "comment_author_url": "http://source1.example/post",
        "comment_content": "[&#8230;] buy viagra now [&#8230;]",
        "comment_date_gmt": "2024-01-03T10:00:00+00:00",
        "comment_post_modified_gmt": "2024-01-02T03:04:05+00:00",
        "permalink": f"{HOME}/?p=1",
        "blog_lang": "de_DE",
        "blog_charset": "UTF-8",
        "user_role": "",
        "recheck_reason": "recheck_queue",
    }
    assert call.headers["User-Agent"].startswith("pingdesk/")
    assert len(fake_akismet.calls("verify-key")) == 1  # verified once


async def test_check_can_move_spam_like_check_for_spam(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.check([1, 2, 3, 5], move_spam=True)
    # Pending spam moves; approved 5 is checked as spam but, like the plugin's
    # "Check for Spam" (pending only), stays where the moderator put it.
    assert summary.moved == [1, 3]
    assert [status_of(ak_blog, i) for i in (1, 2, 3, 5)] == ["spam", "0", "spam", "1"]
    assert ("_wp_trash_meta_status", "0") in meta(ak_blog, 1)
    assert read_akismet_info(ak_blog, [5])[5].result == "true"


async def test_check_runs_requests_concurrently_but_bounded(
    tmp_path: Path, ak_queue: Journal
) -> None:
    blog = make_blog(tmp_path / "many.sqlite", n_extra=60)
    with FakeAkismet(valid_keys=(KEY,), delay=0.05) as fake:
        async with service(blog, fake.url, ak_queue, concurrency=8) as svc:
            started = time.monotonic()
            summary = await svc.check(range(100, 160))
            elapsed = time.monotonic() - started
    assert summary.count("checked") == 60
    assert 2 <= fake.max_active <= 8
    assert elapsed < 60 * 0.05 / 2  # far from one at a time


async def test_check_can_be_cancelled(tmp_path: Path, ak_queue: Journal) -> None:
    blog = make_blog(tmp_path / "many.sqlite", n_extra=200)
    cancel = asyncio.Event()

    def on_result(_r: Any, done: int, _total: int) -> None:
        if done >= 10:
            cancel.set()

    with FakeAkismet(valid_keys=(KEY,), delay=0.01) as fake:
        async with service(blog, fake.url, ak_queue, concurrency=4) as svc:
            summary = await svc.check(range(100, 300), on_result=on_result, cancel=cancel.is_set)
    assert summary.cancelled
    assert 10 <= len(summary.results) < 30
    assert summary.not_checked == 200 - len(summary.results)


async def test_check_stops_when_rate_limited_and_records_errors(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    fake_akismet.modes["comment-check"] = "429"
    async with service(ak_blog, fake_akismet.url, ak_queue, concurrency=1) as svc:
        summary = await svc.check([1, 2, 3])
    assert summary.stopped is not None and "429" in summary.stopped
    assert "retry after 2 s" in summary.stopped
    assert summary.count("error") == 1 and summary.not_checked == 2
    # recheck_comment()'s error branch: akismet_result 'error' + recheck-error {response}.
    info = read_akismet_info(ak_blog, [1])[1]
    assert info.result == "error"
    (entry,) = info.history
    assert entry.event == "recheck-error" and entry.meta == {"response": "429"}
    assert "unable to recheck" in entry.describe()


async def test_check_with_an_error_body_marks_that_ping_only(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    fake_akismet.modes["comment-check"] = "error-body"
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.check([1, 2])
    assert summary.stopped is None and summary.count("error") == 2
    assert "Internal error" in summary.results[0].message
    assert "Something went wrong." in summary.results[0].message  # X-akismet-debug-help


# --- report -----------------------------------------------------------------------------


async def test_report_spam_leaves_the_plugins_trail_and_sends_as_submitted(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    # What auto_check_comment() stored when the ping arrived: the original request.
    stored = {
        "comment_post_ID": 1,  # not an allowed key: sanitize_comment_as_submitted drops it
        "comment_author": "Spam source (as sent)",
        "comment_author_url": "http://source1.example/post",
        "comment_content": "[&#8230;] buy viagra now [&#8230;]",
        "comment_type": "pingback",
        "user_ip": "192.0.2.77",
        "user_agent": "Original UA",
        "blog": HOME,
        "comment_context": ["not", "scalar"],
        "POST_ak_js": "123",
    }
    with ak_blog.engine.begin() as conn:
        conn.execute(
            insert(ak_blog.tables.commentmeta).values(
                comment_id=1, meta_key="akismet_as_submitted", meta_value=php_serialize(stored)
            )
        )
    act(ak_blog, ak_queue, "spam", {1: "0"})
    # Queued with the change, not sent yet; the trail is already written.
    assert waiting(ak_queue, ak_blog) == 1 and fake_akismet.calls("submit-spam") == []
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.deliver()
    assert (summary.sent, summary.remaining) == (1, 0), summary

    rows = [(k, v) for k, v in meta(ak_blog, 1) if k.startswith("akismet_")]
    assert [k for k, _ in rows] == [
        "akismet_as_submitted",
        "akismet_history",
        "akismet_user_result",
        "akismet_user",
    ]
    assert dict(rows)["akismet_user_result"] == "true"
    assert dict(rows)["akismet_user"] == "admin"
    entry = parse_history_value(dict(rows)["akismet_history"])
    assert entry is not None and (entry.event, entry.user) == ("report-spam", "admin")
    assert entry.describe() == "admin reported this comment as spam."
    assert read_akismet_info(ak_blog, [1])[1].row_note("spam") == "Flagged as spam by admin"

    (call,) = fake_akismet.calls("submit-spam")
    p = call.params
    assert p["user_ip"] == "192.0.2.77" and p["user_agent"] == "Original UA"
    assert p["comment_author"] == "Spam source (as sent)"
    # Overridden with today's values, as submit_spam_comment() does.
    assert p["blog"] == HOME and p["blog_lang"] == "de_DE" and p["permalink"] == f"{HOME}/?p=1"
    assert p["comment_post_modified_gmt"] == "2024-01-02T03:04:05+00:00"
    assert "recheck_reason" not in p and "comment_context" not in p
    assert waiting(ak_queue, ak_blog) == 0


async def test_report_ham_after_unspam(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    moderate(ak_blog, "spam", {2: "0"})  # spammed without Akismet: no report, no trail
    act(ak_blog, ak_queue, "unspam", {2: "spam"})
    # Approving a pending ping is no report, like the plugin.
    act(ak_blog, ak_queue, "approve", {3: "0"})
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.deliver()
    assert summary.sent == 1
    info = read_akismet_info(ak_blog, [2])[2]
    assert info.user_result == "false" and info.user == "admin"
    assert [h.event for h in info.history] == ["report-ham"]
    assert info.row_note("0") == "Un-spammed by admin"
    assert len(fake_akismet.calls("submit-ham")) == 1
    assert fake_akismet.calls("submit-spam") == []


async def test_ping_without_ip_is_not_sent_and_says_why(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    act(ak_blog, ak_queue, "spam", {4: "0"})
    assert waiting(ak_queue, ak_blog) == 0  # nothing Akismet could take is queued
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.deliver()
    assert summary.sent == 0
    assert fake_akismet.calls("submit-spam") == []
    # The moderator's decision is still in the history, as in wp-admin.
    assert [h.event for h in read_akismet_info(ak_blog, [4])[4].history] == ["report-spam"]


async def test_without_a_key_only_the_history_is_written(
    tmp_path: Path, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    blog = make_blog(tmp_path / "nokey.sqlite", key_option=None)
    act(blog, ak_queue, "spam", {1: "0"})
    async with service(blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.deliver()
        with pytest.raises(AkismetFailure) as err:
            await svc.check([2])
        st = await svc.status()
    assert (summary.sent, summary.remaining) == (0, 0)
    assert [k for k, _ in meta(blog, 1) if k.startswith("akismet")] == ["akismet_history"]
    assert err.value.kind == "missing-key"
    assert st.key_source == "none" and st.problem and "no Akismet API key" in st.problem
    assert fake_akismet.requests == []


FAILURES = ["unreachable", "hang", "429", "500", "error-body", "invalid"]


@pytest.mark.parametrize("failure", FAILURES)
async def test_failed_report_waits_in_the_queue_and_retry_sends_it(
    failure: str, ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    act(ak_blog, ak_queue, "spam", {1: "0", 2: "0"})
    url = f"http://127.0.0.1:{closed_port()}" if failure == "unreachable" else fake_akismet.url
    fake_akismet.mode = failure
    async with service(ak_blog, url, ak_queue, timeout=0.5) as svc:
        svc.client._verified = True  # verified earlier in this session
        started = time.monotonic()
        summary = await svc.deliver()
        assert time.monotonic() - started < 5
    fake_akismet.release()
    assert (summary.sent, summary.remaining) == (0, 2), summary
    assert summary.message and KEY not in summary.message
    # The status change stands and the trail is written, as the plugin writes it
    # whatever Akismet answers.
    assert status_of(ak_blog, 1) == "spam"
    assert read_akismet_info(ak_blog, [1])[1].user_result == "true"

    outbox = Outbox(ak_queue.path)
    (first, _second) = outbox.waiting(ak_blog.key)
    outbox.close()
    assert first.last_error and KEY not in first.last_error
    if failure == "429":
        assert first.not_before is not None and first.not_before > time.time()

    fake_akismet.reset()
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.retry()
        if failure == "429":  # Retry-After is honoured unless forced
            assert summary.sent == 0 and summary.not_due == 2
            summary = await svc.retry(force=True)
        st = await svc.status()
    assert summary.sent == 2 and summary.remaining == 0
    assert st.queued == 0
    sent = fake_akismet.calls("submit-spam")
    assert sorted(c.params["user_ip"] for c in sent) == ["203.0.113.1", "203.0.113.2"]
    # Retrying adds no second trail.
    assert [h.event for h in read_akismet_info(ak_blog, [1])[1].history] == ["report-spam"]


async def test_reports_for_one_ping_keep_their_order(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    act(ak_blog, ak_queue, "spam", {1: "0"})
    fake_akismet.modes["submit-spam"] = "500"
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        assert (await svc.deliver()).remaining == 1
        act(ak_blog, ak_queue, "unspam", {1: "spam"})
        # Akismet still fails the spam report: the ham report must wait behind it.
        again = await svc.deliver()
        assert (again.sent, again.remaining) == (0, 2)
        assert fake_akismet.calls("submit-ham") == []
        fake_akismet.modes.clear()
        summary = await svc.retry()
    assert summary.sent == 2
    order = [c.endpoint for c in fake_akismet.requests if c.endpoint.startswith("submit")]
    assert order[-2:] == ["submit-spam", "submit-ham"]


# --- key, endpoint, status, redaction ----------------------------------------------------


async def test_invalid_key_is_reported_clearly_and_never_shown(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    fake_akismet.valid_keys = {"somethingelse"}
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        with pytest.raises(AkismetFailure) as err:
            await svc.check([1])
        st = await svc.status()
    assert err.value.kind == "invalid-key"
    text = "".join(traceback.format_exception(err.value))
    assert KEY not in text and "not valid" in str(err.value)
    assert st.key_valid is False and st.problem and KEY not in st.problem
    assert KEY not in json.dumps(st.to_json())


async def test_library_messages_with_the_key_are_redacted(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    # The akismet library puts the key in APIKeyError ("Found API key: ...") and a
    # ProtocolError quotes the answer: an answer echoing the key must not show it.
    import akismet

    with pytest.raises(akismet.APIKeyError) as lib_err:
        akismet._common._configuration_error(akismet.Config(KEY, HOME))
    assert KEY in str(lib_err.value)  # why redaction is needed at all
    assert KEY not in redact(str(lib_err.value), KEY)

    fake_akismet.modes["comment-check"] = "echo-key"

    def echo(
        h: Any, endpoint: str, params: dict[str, str], orig: Any = fake_akismet._answer
    ) -> None:
        if endpoint == "comment-check":
            return fake_akismet._send(h, 200, f"bad key {params['api_key']}")
        return orig(h, endpoint, params)

    fake_akismet._answer = echo  # type: ignore[method-assign]
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        summary = await svc.check([1])
    (result,) = summary.results
    assert result.state == "error" and "[api key hidden]" in result.message
    assert KEY not in result.message
    history = read_akismet_info(ak_blog, [1])[1].history
    assert KEY not in history[0].meta["response"]


async def test_status_shows_usage_alerts_and_queue(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    fake_akismet.alert = ("10501", "Your site is over its limit")
    aid = ak_queue.begin(ak_blog.key, "spam")
    ids = ak_queue.stage(
        aid,
        ak_blog.key,
        [NewItem("comment", 1, {"status": "0"}, {"status": "spam"})],
        [NewReport(0, 1, "spam", HOME, "203.0.113.1", {})],
    )
    ak_queue.applied(ids)
    outbox = Outbox(ak_queue.path)
    outbox.failed(outbox.waiting(ak_blog.key)[0].id, "Akismet timed out")
    outbox.close()
    async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
        st = await svc.status()
    assert st.key_valid is True and st.key_source == "option"
    assert st.usage is not None and st.usage.limit == "1000" and st.usage.usage == "12"
    assert st.alert is not None and st.alert.code == "10501"
    assert st.queued == 1 and st.last_error == "Akismet timed out"
    assert st.endpoint == fake_akismet.url.removeprefix("http://")


def test_key_precedence(ak_blog: Blog) -> None:
    assert resolve_key("cfgkey", ak_blog) == ("cfgkey", "config")
    ak_blog.akismet_key = "wpconfigkey"
    assert resolve_key(None, ak_blog) == ("wpconfigkey", "wp-config")
    ak_blog.akismet_key = None
    assert resolve_key("", ak_blog) == (KEY, "option")


async def test_endpoint_from_environment_wins(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal, tmp_path: Path
) -> None:
    from pingdesk.config import load_config

    config_file = tmp_path / "config.toml"
    config_file.write_text(f'[akismet]\nendpoint = "http://127.0.0.1:{closed_port()}"\n')
    cfg = load_config(
        config_file, environ={"PINGDESK_AKISMET_ENDPOINT": fake_akismet.url + "/1.1/"}
    )
    settings = AkismetSettings.from_config(cfg)
    async with AkismetService(ak_blog, settings, journal=ak_queue) as svc:
        st = await svc.status()
    assert st.key_valid is True
    assert fake_akismet.calls("verify-key")[0].path == "/1.1/verify-key"
    assert resolve_endpoint("https://rest.akismet.com/1.1/") == "https://rest.akismet.com"
    assert resolve_endpoint(None) == "https://rest.akismet.com"


async def test_settings_from_pingdesk_config(
    ak_blog: Blog, fake_akismet: FakeAkismet, ak_queue: Journal
) -> None:
    from pingdesk.config import AkismetConfig, Config

    cfg = Config(akismet=AkismetConfig(key=KEY, endpoint=fake_akismet.url))
    settings = AkismetSettings.from_config(cfg)
    assert (settings.key, settings.endpoint) == (KEY, fake_akismet.url)
    async with AkismetService(ak_blog, settings, journal=ak_queue) as svc:
        assert svc.key_source == "config"
        assert (await svc.status()).key_valid is True


# --- the serialized trail is PHP's own ----------------------------------------------------


def test_history_row_is_byte_identical_to_php_serialize() -> None:
    entry = history_entry("report-spam", "admin", at=1732543210.123456)
    ours = php_serialize(entry)
    assert ours == (
        'a:3:{s:4:"time";d:1732543210.123456;s:5:"event";s:11:"report-spam";'
        's:4:"user";s:5:"admin";}'
    )
    assert php_serialize(history_entry("recheck-ham", None, at=1.5)) == (
        'a:2:{s:4:"time";d:1.5;s:5:"event";s:11:"recheck-ham";}'
    )
    if shutil.which("php") is None:
        pytest.fail("php-cli is needed to compare with PHP's serialize()")
    php = subprocess.run(
        [
            "php",
            "-r",
            'echo serialize(array("time" => 1732543210.123456, "event" => "report-spam",'
            ' "user" => "admin")), "\\n", json_encode(unserialize($argv[1]));',
            ours.replace("admin", "ädmin").replace('s:5:"ädmin"', 's:6:"ädmin"'),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    php_serialized, roundtrip = php.stdout.split("\n", 1)
    assert php_serialized == ours
    assert json.loads(roundtrip)["user"] == "ädmin"


def test_payload_prefers_as_submitted_only_for_reports(ak_blog: Blog) -> None:
    with ak_blog.engine.begin() as conn:
        conn.execute(
            insert(ak_blog.tables.commentmeta).values(
                comment_id=2,
                meta_key="akismet_as_submitted",
                meta_value=php_serialize(
                    {"comment_content": "as sent", "user_ip": "192.0.2.1", "reporter": "x"}
                ),
            )
        )
    row = read_rows(ak_blog, [2])[2]
    assert row.as_submitted == {
        "comment_content": "as sent",
        "user_ip": "192.0.2.1",
        "reporter": "x",
    }
    site = site_info(ak_blog)
    report = build_payload(row, site, "http://blog.test/hello/", purpose="report")
    check = build_payload(row, site, "http://blog.test/hello/", purpose="check")
    assert isinstance(report, Payload) and isinstance(check, Payload)
    assert report.user_ip == "192.0.2.1"
    assert report.fields["comment_content"] == "as sent"
    assert "reporter" not in report.fields  # the library refuses it
    assert check.user_ip == "203.0.113.2"
    assert check.fields["comment_content"] == "[&#8230;] a thoughtful link [&#8230;]"


async def test_fake_speaks_the_protocol_to_the_library_directly(
    fake_akismet: FakeAkismet,
) -> None:
    # Guard for the fake itself: the library's own parsing accepts every answer.
    from pingdesk.net.akismet_client import AkismetClient

    async with AkismetClient(KEY, HOME, endpoint=fake_akismet.url) as client:
        await client.verify()
        verdict, info = await client.comment_check("192.0.2.1", {"comment_content": "x"})
        assert verdict == "ham" and info.guid
        verdict, info = await client.comment_check("192.0.2.1", {"comment_content": "blatant-spam"})
        assert verdict == "discard" and info.pro_tip == "discard"
        await client.submit("ham", "192.0.2.1", {})
    assert THANKS


# --- against the real WordPress Akismet plugin ---------------------------------------------

PLUGIN = Path("/usr/share/wordpress/wp-content/plugins/akismet/akismet.php")

# The real plugin, running inside real WordPress: its HTTP requests are sent to the
# fake (pre_http_request), so the fake records exactly what the plugin sends.
PLUGIN_RUNNER = r"""<?php
ob_start();
ini_set( 'display_errors', 'stderr' );
$req  = json_decode( stream_get_contents( STDIN ), true );
$site = $req['site'];
$home = rtrim( $site['home'], '/' );
$u    = parse_url( $home );
$_SERVER['HTTP_HOST']       = $u['host'] . ( isset( $u['port'] ) ? ':' . $u['port'] : '' );
$_SERVER['SERVER_NAME']     = $u['host'];
$_SERVER['SERVER_PORT']     = '80';
$_SERVER['REQUEST_URI']     = '/xmlrpc.php';
$_SERVER['SCRIPT_NAME']     = '/xmlrpc.php';
$_SERVER['PHP_SELF']        = '/xmlrpc.php';
$_SERVER['REQUEST_METHOD']  = 'POST';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '203.0.113.9';
$_SERVER['HTTP_USER_AGENT'] = 'The Incutio XML-RPC PHP Library -- WordPress/6.1';
define( 'ABSPATH', '/usr/share/wordpress/' );
define( 'DB_NAME', $site['db_name'] );
define( 'DB_USER', $site['db_user'] );
define( 'DB_PASSWORD', $site['db_password'] );
define( 'DB_HOST', $site['db_host'] );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_CONTENT_DIR', rtrim( $site['content_dir'], '/' ) );
define( 'WP_DEBUG', false );
define( 'DISABLE_WP_CRON', true );
define( 'WP_HOME', $home );
define( 'WP_SITEURL', $home );
define( 'WPCOM_API_KEY', $req['key'] );
$table_prefix = $site['prefix'];
function wp_mail( $to, $subject, $message, $headers = '', $attachments = array() ) {
	return true;
}
require ABSPATH . 'wp-settings.php';
require_once $req['plugin'];
Akismet::init();
remove_action( 'check_comment_flood', 'check_comment_flood_db' );
add_filter(
	'pre_http_request',
	function ( $pre, $args, $url ) use ( $req ) {
		if ( false === strpos( $url, '://rest.akismet.com/' ) ) {
			return $pre;
		}
		$to = preg_replace( '#^https?://rest\.akismet\.com#', $req['fake'], $url );
		return wp_remote_post( $to, $args );
	},
	10,
	3
);
$out = array();
foreach ( $req['steps'] as $s ) {
	switch ( $s['do'] ) {
		case 'ping': // what xmlrpc.php's pingback.ping hands to wp_new_comment()
			$id    = wp_new_comment(
				wp_slash(
					array(
						'comment_post_ID'      => (int) $s['post'],
						'comment_author'       => $s['author'],
						'comment_author_email' => '',
						'comment_author_url'   => $s['url'],
						'comment_content'      => $s['content'],
						'comment_type'         => 'pingback',
					)
				),
				true
			);
			$out[] = is_wp_error( $id ) ? $id->get_error_message() : (int) $id;
			break;
		case 'spam': // wp-admin's "Spam" link: action=spamcomment
		case 'unspam':
			wp_set_current_user( (int) $s['user'] );
			$_GET['action'] = $s['do'] . 'comment';
			$id             = (int) $s['id'];
			$out[]          = 'spam' === $s['do']
				? wp_spam_comment( $id ) : wp_unspam_comment( $id );
			unset( $_GET['action'] );
			break;
		case 'recheck': // "Check for Spam": Akismet_Admin::recheck_queue_portion()
			wp_set_current_user( (int) $s['user'] );
			$out[] = Akismet::recheck_comment( (int) $s['id'], 'recheck_queue' );
			break;
	}
}
fwrite( STDERR, ob_get_clean() );
echo json_encode( $out );
"""


def run_plugin(site: Any, fake: FakeAkismet, steps: list[dict[str, Any]], tmp: Path) -> list[Any]:
    script = tmp / "akismet_plugin_runner.php"
    script.write_text(PLUGIN_RUNNER)
    request = {
        "site": site.config(),
        "key": KEY,
        "fake": fake.url,
        "plugin": str(PLUGIN),
        "steps": steps,
    }
    proc = subprocess.run(
        ["php", str(script)],
        input=json.dumps(request).encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    result: list[Any] = json.loads(proc.stdout)
    return result


def akismet_meta_rows(blog: Blog, comment_id: int) -> list[tuple[str, Any]]:
    """akismet_* meta in write order; history rows unserialized, their time left out."""
    out: list[tuple[str, Any]] = []
    for key, value in meta(blog, comment_id):
        if not key.startswith("akismet_"):
            continue
        if key == "akismet_history":
            entry = parse_history_value(value)
            assert entry is not None, value
            # PHP's own serialization, time aside: same keys, same order, same types.
            shape = re.sub(r'^a:(\d+):\{s:4:"time";d:[0-9.E+-]+;', r"a:\1:{TIME;", value)
            out.append((key, (entry.event, entry.user, entry.meta, shape)))
        elif key in ("akismet_guid", "akismet_as_submitted"):
            out.append((key, "..."))  # per request / per arrival; present on both sides
        else:
            out.append((key, value))
    return out


COMPARED = {
    "api_key",
    "blog",
    "user_ip",
    "user_agent",
    "referrer",
    "permalink",
    "comment_type",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_content",
    "comment_date_gmt",
    "comment_post_modified_gmt",
    "blog_lang",
    "blog_charset",
    "user_role",
    "recheck_reason",
    "is_test",
}


def comparable(params: dict[str, str]) -> dict[str, str]:
    """The fields the akismet library can send; dates in one notation."""
    out = {k: v for k, v in params.items() if k in COMPARED}
    for k in ("comment_date_gmt", "comment_post_modified_gmt"):
        if k in out:  # the plugin sends MySQL's 'Y-m-d H:i:s', we send ISO 8601 (the API's)
            out[k] = out[k].replace("T", " ").removesuffix("+00:00")
    return out


@pytest.mark.wordpress
@pytest.mark.mariadb
async def test_trail_and_requests_match_the_real_akismet_plugin(
    wp_site: Any, fake_akismet: FakeAkismet, ak_queue: Journal, tmp_path: Path
) -> None:
    if not PLUGIN.is_file():
        pytest.fail(f"the WordPress Akismet plugin is needed at {PLUGIN} (Debian's wordpress)")
    site = wp_site()
    (post,) = site.php1({"cmd": "create_posts", "n": 1})
    # Arrival: the plugin checks both pings (ham) and stores akismet_as_submitted etc.
    p1, p2 = run_plugin(
        site,
        fake_akismet,
        [
            {
                "do": "ping",
                "post": post,
                "author": "Source one",
                "url": "http://one.example/a",
                "content": "[&#8230;] a link to you [&#8230;]",
            },
            {
                "do": "ping",
                "post": post,
                "author": "Source two",
                "url": "http://two.example/b",
                "content": "[&#8230;] another link [&#8230;]",
            },
        ],
        tmp_path,
    )
    assert isinstance(p1, int) and isinstance(p2, int), (p1, p2)
    twin = site.clone()
    blog_a, blog_b = site.blog(), twin.blog()
    assert [status_of(blog_a, p1), status_of(blog_a, p2)] == ["0", "0"]
    u = blog_a.tables.users
    with blog_a.engine.connect() as conn:
        login = conn.execute(select(u.c.user_login).where(u.c.ID == 1)).scalar_one()

    # The plugin: moderator reports spam, then not spam; "Check for Spam" finds p2 spam.
    fake_akismet.verdict_for = lambda params: "spam"  # type: ignore[method-assign]
    fake_akismet.requests.clear()
    run_plugin(
        site,
        fake_akismet,
        [
            {"do": "spam", "id": p1, "user": 1},
            {"do": "unspam", "id": p1, "user": 1},
            {"do": "recheck", "id": p2, "user": 1},
        ],
        tmp_path,
    )
    plugin_calls = list(fake_akismet.requests)
    fake_akismet.requests.clear()

    # pingdesk on the twin: the engine changes the status, report()/check() do the rest.
    async with AkismetService(
        blog_b,
        AkismetSettings(key=KEY, endpoint=fake_akismet.url),
        moderator=login,
        journal=ak_queue,
    ) as svc:
        ours = reporting(blog_b, login, key=True)
        moderate(blog_b, "spam", {p1: "0"}, journal=ak_queue, reporting=ours)
        assert (await svc.deliver()).sent == 1
        moderate(blog_b, "unspam", {p1: "spam"}, journal=ak_queue, reporting=ours)
        assert (await svc.deliver()).sent == 1
        summary = await svc.check([p2], move_spam=True)
    assert summary.moved == [p2]
    ours_calls = [c for c in fake_akismet.requests if c.endpoint != "verify-key"]

    # The same meta rows, in the same order, with the same values.
    for cid in (p1, p2):
        assert akismet_meta_rows(blog_b, cid) == akismet_meta_rows(blog_a, cid), cid
    assert status_of(blog_b, p1) == status_of(blog_a, p1) == "0"
    assert status_of(blog_b, p2) == status_of(blog_a, p2) == "spam"

    # The same requests, field for field (as far as the library lets us send fields).
    assert [c.endpoint for c in plugin_calls] == ["submit-spam", "submit-ham", "comment-check"]
    assert [c.endpoint for c in ours_calls] == ["submit-spam", "submit-ham", "comment-check"]
    for theirs, ours in zip(plugin_calls, ours_calls, strict=True):
        expected = comparable(theirs.params)
        got = comparable(ours.params)
        if theirs.endpoint == "comment-check":
            # check_db_comment() omits the post's modified date; the API recommends it.
            assert got.pop("comment_post_modified_gmt")
        assert got == expected, theirs.endpoint


# --- the CLI ---------------------------------------------------------------------------


def test_cli_check_status_retry_and_spam_reporting(
    tmp_path: Path,
    fake_akismet: FakeAkismet,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pingdesk.cli.main import main

    blog = make_blog(tmp_path / "wp.sqlite")
    for var, sub in (("XDG_CONFIG_HOME", "cfg"), ("XDG_DATA_HOME", "data"), ("HOME", "home")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("PINGDESK_AKISMET_ENDPOINT", fake_akismet.url)
    db = ["--db", f"sqlite:///{tmp_path / 'wp.sqlite'}"]

    def pd(*argv: str) -> tuple[int, str]:
        code = main([*db, *argv])
        out, err = capsys.readouterr()
        assert KEY not in out + err
        return code, out + err

    code, out = pd("akismet", "status")
    assert code == 0 and "valid" in out and "12 of 1000" in out and "0 report(s)" in out

    code, out = pd("akismet", "check", "--all-matching", "--json")
    data = json.loads(out)
    assert code == 1  # ping 4 has no IP: not everything could be checked
    assert (data["spam"], data["discard"], data["ham"], data["skipped"]) == (1, 1, 1, 1)
    assert [status_of(blog, i) for i in (1, 2, 3)] == ["0", "0", "0"]

    code, out = pd("akismet", "check", "1", "2", "--move-spam")
    assert code == 0 and "moved 1 to spam" in out
    assert status_of(blog, 1) == "spam"

    # `pingdesk spam` reports through the hook; Akismet down: the report waits.
    fake_akismet.mode = "500"
    code, out = pd("spam", "2")
    assert code == 0 and status_of(blog, 2) == "spam"
    fake_akismet.mode = "ok"
    code, out = pd("akismet", "status")
    assert "1 report(s) waiting" in out
    code, out = pd("akismet", "retry")
    assert code == 0 and "sent 1" in out
    # One attempt answered 500, the retry went through; both carried the same request.
    sent = fake_akismet.calls("submit-spam")
    assert len(sent) == 2 and sent[0].params == sent[1].params

    code, out = pd("unspam", "2")
    assert code == 0 and len(fake_akismet.calls("submit-ham")) == 1
    events = [h.event for h in read_akismet_info(blog, [2])[2].history]
    assert events == ["report-ham", "report-spam", "recheck-ham", "recheck-ham"]
    # A record per ping in the other formats, and nothing else on stdout.
    code, out = pd("akismet", "check", "3", "4", "--format", "csv", "--fields", "id,state")
    assert out.splitlines() == ["id,state", "3,checked", "4,skipped"]


async def test_httpx_request_logs_do_not_show_the_key(
    ak_blog: Blog,
    fake_akismet: FakeAkismet,
    ak_queue: Journal,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # usage-limit is a GET with ?api_key=...; httpx logs each request URL at INFO.
    with caplog.at_level(logging.DEBUG):
        async with service(ak_blog, fake_akismet.url, ak_queue) as svc:
            st = await svc.status()
    assert st.usage is not None
    assert "usage-limit" in caplog.text
    assert KEY not in caplog.text
    assert "api_key=%5Bapi+key+hidden%5D" in caplog.text or "[api key hidden]" in caplog.text


def test_trail_follows_the_plugins_transition_rules(ak_blog: Blog, ak_queue: Journal) -> None:
    assert classify_transitions(
        {1: ("0", "spam"), 2: ("spam", "1"), 3: ("trash", "spam"), 4: ("0", "1"), 5: ("1", "1")}
    ) == ([1], [2], [(3, "spam"), (4, "approved")])

    act(ak_blog, ak_queue, "spam", {1: "0"}, user="editor")
    act(ak_blog, ak_queue, "approve", {2: "0"}, user="editor")
    assert waiting(ak_queue, ak_blog) == 1  # the spam report; approving is none
    assert [h.event for h in read_akismet_info(ak_blog, [2])[2].history] == []
    # With the Akismet plugin active, wp-admin logs other moderator changes too.
    with ak_blog.engine.begin() as conn:
        conn.execute(
            insert(ak_blog.tables.options).values(
                option_name="active_plugins", option_value=php_serialize(["akismet/akismet.php"])
            )
        )
    ak_blog.forget_options()
    act(ak_blog, ak_queue, "approve", {3: "0"}, user="editor")
    entries = read_akismet_info(ak_blog, [3])[3].history
    assert [(h.event, h.user) for h in entries] == [("status-approved", "editor")]
    assert entries[0].describe() == "editor changed the comment status to approved."


def test_filter_by_akismet_verdict(ak_blog: Blog) -> None:
    """akismet:spam / ham / error / unchecked in filters (the TUI's / and mark keys, the CLI's
    --akismet) select on the meta the plugin stores."""
    from pingdesk.errors import UsageError
    from pingdesk.wp.akismet_meta import CheckRecord, record_checks
    from pingdesk.wp.pings import PingFilter, ping_ids

    record_checks(
        ak_blog,
        [CheckRecord(1, "true"), CheckRecord(2, "false"), CheckRecord(3, "error", response="x")],
        "admin",
    )

    def ids(value: str) -> list[int]:
        return sorted(ping_ids(ak_blog, PingFilter(status="all", akismet=value)))

    assert ids("spam") == [1]
    assert ids("ham") == [2]
    assert ids("error") == [3]
    assert ids("unchecked") == [4, 5]
    assert ids("spam,ham") == [1, 2]
    with pytest.raises(UsageError):
        ids("maybe")


# --- the outbox under load: concurrent senders, a hanging Akismet, the background sender ---


def test_two_senders_deliver_each_report_once(tmp_path: Path, fake_akismet: FakeAkismet) -> None:
    import threading

    from pingdesk.services.akismet import deliver, run_sync

    blog = make_blog(tmp_path / "wp.sqlite", n_extra=60)
    journal = Journal(tmp_path / "journal.sqlite3")
    act(blog, journal, "spam", {100 + n: "0" for n in range(60)})
    assert waiting(journal, blog) == 60
    fake_akismet.delay = 0.02  # both senders are mid-run at the same time
    settings = AkismetSettings(endpoint=fake_akismet.url, concurrency=4)
    results: list[int] = []

    def sender() -> None:
        own = Journal(journal.path)  # another process would open its own
        results.append(run_sync(deliver(blog, own, settings=settings)).sent)
        own.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    authors = [c.params["comment_author"] for c in fake_akismet.calls("submit-spam")]
    assert sorted(authors) == sorted(f"Source {100 + n}" for n in range(60))  # each once
    assert sum(results) == 60 and all(results), results  # both took part
    assert waiting(journal, blog) == 0
    journal.close()


async def test_a_hanging_akismet_costs_one_timeout_per_run(
    tmp_path: Path, fake_akismet: FakeAkismet
) -> None:
    blog = make_blog(tmp_path / "wp.sqlite", n_extra=80)
    journal = Journal(tmp_path / "journal.sqlite3")
    act(blog, journal, "spam", {100 + n: "0" for n in range(80)})
    fake_akismet.mode = "hang"
    async with service(blog, fake_akismet.url, journal, timeout=0.5, concurrency=16) as svc:
        svc.client._verified = True
        started = time.monotonic()
        summary = await svc.deliver()
        took = time.monotonic() - started
    fake_akismet.release()
    # 80 reports, 16 at a time: without the stop it would be 5 timeouts.
    assert took < 1.4, took
    assert summary.sent == 0 and summary.remaining == 80
    assert summary.message and "in time" in summary.message
    journal.close()


def test_background_sender_delivers_and_backs_off(
    tmp_path: Path, fake_akismet: FakeAkismet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pingdesk.services.akismet import ReportSender, SenderState

    blog = make_blog(tmp_path / "wp.sqlite", n_extra=30)
    journal = Journal(tmp_path / "journal.sqlite3")
    states: list[SenderState] = []
    monkeypatch.setattr(ReportSender, "BACKOFF_FIRST", 0.4)
    sender = ReportSender(
        blog, journal, AkismetSettings(endpoint=fake_akismet.url), states.append, poll_s=0.05
    ).start()
    try:
        act(blog, journal, "spam", {100 + n: "0" for n in range(30)})
        deadline = time.monotonic() + 10
        while not (states and states[-1].waiting == 0 and states[-1].sent == 30):
            assert time.monotonic() < deadline, states[-3:]
            time.sleep(0.05)
        assert states[-1].line() == "Akismet: 30 reported"
        # Akismet goes down: the report waits, the line says why, then it is retried.
        fake_akismet.modes["submit-ham"] = "500"
        act(blog, journal, "unspam", {100: "spam"})
        while not (states[-1].problem and states[-1].waiting == 1):
            assert time.monotonic() < deadline + 10, states[-3:]
            time.sleep(0.05)
        line = states[-1].line() or ""
        assert "1 report(s) waiting" in line and "retrying in" in line
        fake_akismet.modes.clear()
        while waiting(journal, blog):
            assert time.monotonic() < deadline + 20
            time.sleep(0.05)
    finally:
        sender.stop()
        journal.close()
    assert len(fake_akismet.calls("submit-ham")) == 2  # one 500, one that went through
