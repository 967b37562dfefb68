"""Reading the next page while the last one is being printed.

`pingdesk list` of 100k pings spends about as long waiting for MariaDB as it does in
Python (decoding rows, building pings, encoding JSON). Read in a thread one page ahead,
the waits overlap the work: the whole list takes about as long as the slower of the two
instead of their sum. At most ``depth`` pages wait in the queue, so memory stays flat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(pages: Iterable[T], *, depth: int = 1) -> Iterator[T]:
    """The items of ``pages``, produced in a background thread ``depth`` ahead of the
    reader. An exception in the thread is raised here; a reader that stops early (a
    closed pipe, ^C) stops the thread at its next page."""
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
        except BaseException as exc:  # handed to the reader, raised there
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="pingdesk-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield cast(T, item)
    finally:
        stop.set()
        # Not longer: ^C must not wait for a slow page; the thread is a daemon.
        thread.join(timeout=1)
