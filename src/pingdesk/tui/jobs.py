"""Database writes run one after another in a single worker thread.

Moderation must happen in the order the moderator pressed the keys (approve,
then undo), so writes queue up in one thread worker instead of racing in many.
Reads (rows, counts, details) use their own workers and never wait for writes.

A job's messages (started, progress, finished) go to the screen that submitted
it, a ``JobHost``: that screen shows the progress and runs the job's callbacks.
Progress is sent at most ten times a second, and the last one always.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from pingdesk.tui.messages import JobFinished, JobProgress, JobStarted

# Seconds between two progress messages of a job: at most ten updates a second.
PROGRESS_EVERY = 0.1


@dataclass(eq=False)
class Job:
    """One write. ``fn`` runs in the writer thread; the callbacks on the UI thread."""

    label: str
    fn: Callable[[Job], Any]
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    on_progress: Callable[[int, int], None] | None = None
    long: bool = False  # show a progress bar, allow cancelling
    cancel_event: threading.Event = field(default_factory=threading.Event)
    owner: MessagePump | None = None  # the screen that submitted it: gets its messages
    _runner: JobRunner | None = None
    _sent_at: float | None = None  # when the last progress message went
    _held: tuple[int, int] | None = None  # progress not sent yet (too soon)

    def progress(self, done: int, total: int) -> None:
        """Called by the engine in the writer thread; throttled, the final one always sent."""
        now = time.monotonic()
        final = done >= total
        if not final and self._sent_at is not None and now - self._sent_at < PROGRESS_EVERY:
            self._held = (done, total)
            return
        self._held = None
        self._sent_at = now
        self.post(JobProgress(self, done, total))

    def flush_progress(self) -> None:
        """Send the progress held back by the throttle (the job ended before the next)."""
        if self._held is not None:
            done, total = self._held
            self._held = None
            self.post(JobProgress(self, done, total))

    def post(self, message: Message) -> None:
        """To the screen that submitted the job; to the app if that screen is gone."""
        if self.owner is not None and self.owner.post_message(message):
            return
        if self._runner is not None:
            self._runner.app.post_message(message)

    def should_stop(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self) -> None:
        self.cancel_event.set()


class JobHost:
    """A screen that submits jobs: it gets their messages and runs their callbacks.

    Screens override the hooks (``job_started`` …) to show progress; the handlers
    below are found by Textual on the screen's class (and run once per message)."""

    def job_started(self, job: Job) -> None:
        """The writer began ``job``."""

    def job_progress(self, job: Job, done: int, total: int) -> None:
        """``done`` of ``total`` written."""

    def job_finished(self, job: Job) -> None:
        """``job`` ended; its callbacks run next."""

    def on_job_started(self, message: JobStarted) -> None:
        self.job_started(message.job)

    def on_job_progress(self, message: JobProgress) -> None:
        job = message.job
        self.job_progress(job, message.done, message.total)
        if job.on_progress is not None:
            job.on_progress(message.done, message.total)

    def on_job_finished(self, message: JobFinished) -> None:
        self.job_finished(message.job)
        if message.job._runner is not None:
            message.job._runner.finish(message)


class JobRunner:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self.current: Job | None = None
        self.pending = 0
        self._lock = threading.Lock()
        self._running = False

    def start(self) -> None:
        """Nothing to start: a writer worker runs only while jobs are queued, so
        ``app.workers.wait_for_complete()`` returns once the writes are done."""

    def stop(self) -> None:
        self._queue.put(None)

    def submit(self, job: Job, *, owner: MessagePump) -> Job:
        """Queue ``job``; its messages go to ``owner`` (a ``JobHost`` screen)."""
        job._runner = self
        job.owner = owner
        self.pending += 1
        with self._lock:
            self._queue.put(job)
            if not self._running:
                self._running = True
                self.app.run_worker(self._loop, thread=True, group="writer", name="writer")
        return job

    def finish(self, message: JobFinished, *, callbacks: bool = True) -> None:
        """On the UI thread, once per job: it no longer counts as pending; its
        callbacks run (not when the screen that submitted it is gone)."""
        job = message.job
        self.pending = max(0, self.pending - 1)
        if message.error is not None:
            if callbacks and job.on_error is not None:
                job.on_error(message.error)
            else:
                self.app.notify(f"{job.label}: {message.error}", severity="error")
        elif callbacks and job.on_done is not None:
            job.on_done(message.result)

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def cancel_current(self) -> bool:
        job = self.current
        if job is not None and job.long and not job.cancel_event.is_set():
            job.cancel()
            return True
        return False

    def _loop(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled:
            with self._lock:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    self._running = False
                    return
            if job is None:
                with self._lock:
                    self._running = False
                return
            self.current = job
            job.post(JobStarted(job))
            try:
                result = job.fn(job)
            except Exception as exc:  # reported on the UI thread
                job.flush_progress()
                job.post(JobFinished(job, error=exc))
            else:
                job.flush_progress()
                job.post(JobFinished(job, result=result))
            finally:
                self.current = None
