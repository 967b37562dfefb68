"""Database writes run one after another in a single worker thread.

Moderation must happen in the order the moderator pressed the keys (approve,
then undo), so writes queue up in one thread worker instead of racing in many.
Reads (rows, counts, details) use their own workers and never wait for writes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.worker import get_current_worker

from pingdesk.tui.messages import JobFinished, JobProgress, JobStarted


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
    _app: App[Any] | None = None

    def progress(self, done: int, total: int) -> None:
        """Called by the engine in the writer thread."""
        if self._app is not None:
            self._app.post_message(JobProgress(self, done, total))

    def should_stop(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self) -> None:
        self.cancel_event.set()


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

    def submit(self, job: Job) -> Job:
        job._app = self.app
        self.pending += 1
        with self._lock:
            self._queue.put(job)
            if not self._running:
                self._running = True
                self.app.run_worker(self._loop, thread=True, group="writer", name="writer")
        return job

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
            self.app.post_message(JobStarted(job))
            try:
                result = job.fn(job)
            except Exception as exc:  # reported on the UI thread
                self.app.post_message(JobFinished(job, error=exc))
            else:
                self.app.post_message(JobFinished(job, result=result))
            finally:
                self.current = None
