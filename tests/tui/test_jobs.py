"""Jobs report to the screen that submitted them; progress coalesces and is throttled."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from pingdesk.tui.jobs import PROGRESS_EVERY, Job, JobHost, JobRunner
from pingdesk.tui.messages import JobFinished, JobProgress, JobStarted

N = 20_000


def _job(label: str = "x") -> Job:
    return Job(label, lambda job: None)


def test_newer_progress_of_the_same_job_replaces_the_older() -> None:
    job, other = _job(), _job()
    older = JobProgress(job, 1, 10)
    assert older.can_replace(JobProgress(job, 2, 10))
    assert not older.can_replace(JobProgress(other, 2, 10))
    assert not older.can_replace(JobFinished(job, result=None))
    assert not JobStarted(job).can_replace(JobStarted(job))


class _Collect:
    """Stands in for a screen: keeps what is posted to it."""

    def __init__(self) -> None:
        self.posted: list[Any] = []

    def post_message(self, message: Any) -> bool:
        self.posted.append(message)
        return True


def test_progress_is_throttled_and_the_last_always_sent() -> None:
    job = _job()
    owner = _Collect()
    job.owner = owner  # type: ignore[assignment]
    for n in range(1, N + 1):  # far faster than ten a second
        job.progress(n, N)
    sent = [(m.done, m.total) for m in owner.posted]
    assert sent[0] == (1, N)
    assert sent[-1] == (N, N)  # the final one, though it came right after another
    assert len(sent) <= 3
    # A job that stops short: what the throttle held back is sent when it ends.
    job2, owner2 = _job(), _Collect()
    job2.owner = owner2  # type: ignore[assignment]
    job2.progress(1, 100)
    job2.progress(7, 100)
    assert [m.done for m in owner2.posted] == [1]
    job2.flush_progress()
    assert [m.done for m in owner2.posted] == [1, 7]
    job2.flush_progress()
    assert len(owner2.posted) == 2
    assert PROGRESS_EVERY == 0.1


class Host(JobHost, Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("host")

    def job_started(self, job: Job) -> None:
        self.seen.append("started")

    def job_progress(self, job: Job, done: int, total: int) -> None:
        self.seen.append((done, total))

    def job_finished(self, job: Job) -> None:
        self.seen.append("finished")


class JobsApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.runner = JobRunner(self)
        self.host = Host()
        self.app_saw: list[JobFinished] = []

    def on_mount(self) -> None:
        self.push_screen(self.host)

    def on_job_finished(self, message: JobFinished) -> None:
        self.app_saw.append(message)


async def test_the_submitting_screen_gets_the_messages_and_runs_the_callbacks() -> None:
    app = JobsApp()
    results: list[Any] = []

    def run(job: Job) -> int:
        for n in range(1, N + 1):
            job.progress(n, N)
        return 42

    async with app.run_test() as pilot:
        await pilot.pause()
        job = Job("count", run, on_done=results.append, long=True)
        app.runner.submit(job, owner=app.host)
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen = app.host.seen
        assert seen[0] == "started" and seen[-1] == "finished"
        progress = seen[1:-1]
        assert progress[-1] == (N, N)
        assert len(progress) <= 3
        assert results == [42]
        assert not app.runner.busy
        assert app.app_saw == []  # not routed through the app
