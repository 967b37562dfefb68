"""The Akismet outbox from the terminal UI: reports go out in the background, their
progress at the right of the status line; Akismet down never blocks moderation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from pingdesk.config import AkismetConfig, Config
from pingdesk.services.akismet import AkismetSettings
from pingdesk.services.reporting import reporting_for
from pingdesk.store.outbox import Outbox
from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.columns.akismet import AkismetColumn
from pingdesk.tui.columns.base import Columns
from pingdesk.tui.widgets.status import StatusLine
from tests.support.akismet_fake import FakeAkismet
from tests.support.tuienv import Env
from tests.tui.test_pilot import SIZE, messages, settle

KEY = "tui-test-key"


@pytest.fixture
def fake() -> Iterator[FakeAkismet]:
    with FakeAkismet(valid_keys=(KEY,)) as server:
        yield server


def app_with_akismet(env: Env, fake: FakeAkismet, make_app: Any) -> PingdeskApp:
    config = Config(akismet=AkismetConfig(key=KEY, endpoint=fake.url))
    env.desk.reporting = reporting_for(env.desk.blog, config, "admin")
    settings = AkismetSettings(key=KEY, endpoint=fake.url, timeout=1.0)
    return make_app(env.desk, columns=Columns(akismet=AkismetColumn(settings)))


def waiting(env: Env) -> int:
    outbox = Outbox(env.desk.journal.path)
    try:
        return outbox.count(env.desk.blog.key)
    finally:
        outbox.close()


async def wait_for(pilot: Any, what: Any, seconds: float = 15.0, say: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, f"timed out: {say() if say else ''}"
        await pilot.pause(0.05)


async def test_spam_is_reported_in_the_background(
    env: Env, fake: FakeAkismet, make_app: Any
) -> None:
    ids = env.ids()
    app = app_with_akismet(env, fake, make_app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("s", "s")
        await settle(pilot, app)
        assert [env.status(i) for i in ids[:2]] == ["spam", "spam"]
        await wait_for(pilot, lambda: len(fake.calls("submit-spam")) == 2)
        await wait_for(pilot, lambda: waiting(env) == 0)
        status = app.main.query_one(StatusLine)
        await wait_for(
            pilot, lambda: "Akismet: 2 reported" in status.aside, say=lambda: status.aside
        )
        # z: not spam goes back to pending and is reported as ham, also in the background.
        await pilot.press("z")
        await settle(pilot, app)
        await wait_for(pilot, lambda: len(fake.calls("submit-ham")) == 1)
    authors = {c.params["comment_author"] for c in fake.calls("submit-spam")}
    assert len(authors) == 2


async def test_akismet_down_never_blocks_moderation(
    env: Env, fake: FakeAkismet, make_app: Any
) -> None:
    ids = env.ids()
    fake.mode = "hang"
    app = app_with_akismet(env, fake, make_app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        started = time.monotonic()
        await pilot.press("s", "a", "s")
        await settle(pilot, app)
        # The statuses are final at once, whatever Akismet does.
        assert time.monotonic() - started < 3
        assert [env.status(i) for i in ids[:3]] == ["spam", "1", "spam"]
        status = app.main.query_one(StatusLine)
        await wait_for(pilot, lambda: "waiting" in status.aside)
        assert "2 report(s) waiting" in status.aside
        await wait_for(pilot, lambda: any("stay queued" in m for m in messages(app)))
    fake.release()
    assert waiting(env) == 2  # kept for the next start or `pingdesk akismet retry`
