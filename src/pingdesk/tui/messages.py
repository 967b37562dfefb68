"""Messages that worker threads post back to the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from pingdesk.tui.jobs import Job


class JobStarted(Message):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job


class JobProgress(Message):
    def __init__(self, job: Job, done: int, total: int) -> None:
        super().__init__()
        self.job, self.done, self.total = job, done, total


class JobFinished(Message):
    def __init__(self, job: Job, result: Any = None, error: BaseException | None = None) -> None:
        super().__init__()
        self.job, self.result, self.error = job, result, error
