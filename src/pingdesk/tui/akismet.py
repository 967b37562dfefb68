"""The Akismet column and the K key, over pingdesk.spam_service.

The column reads what the Akismet plugin (or pingdesk) stored in commentmeta —
no network. K asks Akismet about the marked pings (comment-check), which the
spam service records the way the plugin does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pingdesk.ops import Desk
from pingdesk.wp.pings import Ping


class AkismetColumn:
    key = "akismet"
    header = "AKISMET"
    width = 7

    def __init__(self, config: Any = None) -> None:
        self.config = config

    def values(self, desk: Desk, pings: Sequence[Ping]) -> dict[int, str]:
        from pingdesk.wp.akismet_meta import read_akismet_info

        out: dict[int, str] = {}
        for pid, info in read_akismet_info(desk.blog, [p.id for p in pings]).items():
            if info.error:
                out[pid] = "error"
            elif info.user_result in ("true", "false") and info.user_result != info.result:
                out[pid] = "ham*" if info.user_result == "false" else "spam*"
            elif info.result == "true":
                out[pid] = "spam"
            elif info.result == "false":
                out[pid] = "ham"
        return out

    def details(self, desk: Desk, ping: Ping) -> list[str]:
        from pingdesk.wp.akismet_meta import read_akismet_info

        info = read_akismet_info(desk.blog, [ping.id]).get(ping.id)
        if info is None:
            return []
        lines = []
        note = info.row_note(ping.status_name)
        if note:
            lines.append(f"Akismet: {note}")
        elif info.result is None:
            lines.append("Akismet: not checked (K checks)")
        if info.pro_tip:
            lines.append(f"Akismet pro tip: {info.pro_tip}")
        return lines

    def run(
        self,
        desk: Desk,
        ids: Sequence[int],
        *,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> str:
        from pingdesk import spam_service

        config = self.config
        if config is None:
            try:
                from pingdesk.config import load_config

                config = load_config()
            except Exception:  # a broken config file: no key from it
                config = None
        settings = spam_service.AkismetSettings.from_config(config)

        def on_result(_: object, done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)

        summary = spam_service.run_sync(
            spam_service.check(
                desk.blog,
                ids,
                settings=settings,
                moderator=desk.moderator or None,
                on_result=on_result,
                cancel=should_stop,
            )
        )
        text = (
            f"Akismet: {summary.count('spam') + summary.count('discard')} spam, "
            f"{summary.count('ham')} ham"
        )
        if summary.count("error"):
            text += f", {summary.count('error')} errors"
        if summary.stopped:
            text += f" (stopped: {summary.stopped})"
        elif summary.cancelled or summary.not_checked:
            text += f" ({summary.not_checked} not checked)"
        return text
