"""The AKISMET column and the K key, over pingdesk.services.akismet.

The column reads what the Akismet plugin (or pingdesk) stored in commentmeta —
no network. K asks Akismet about the marked pings (comment-check), which the
service records the way the plugin does.
"""

from __future__ import annotations

from collections.abc import Sequence

from pingdesk.progress import Progress, ShouldStop
from pingdesk.services import akismet, evidence
from pingdesk.services.akismet import AkismetSettings, CheckOutcome
from pingdesk.services.desk import Desk
from pingdesk.wp.pings import Ping


class AkismetColumn:
    key = "akismet"
    header = "AKISMET"
    width = 7
    values_word = "akismet"

    def __init__(self, settings: AkismetSettings) -> None:
        self.settings = settings

    def values(self, desk: Desk, pings: Sequence[Ping]) -> dict[int, str]:
        return evidence.akismet_values(desk, [p.id for p in pings])

    def details(self, desk: Desk, ping: Ping) -> list[str]:
        return evidence.akismet_lines(desk, ping)

    def run(
        self,
        desk: Desk,
        ids: Sequence[int],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> str:
        # Across blogs each blog's pings are checked with that blog's own site data.
        parts = desk.by_blog(ids)
        total, base = len(ids), 0
        lines = []
        for blog_desk, keys in parts:

            def on_result(_: CheckOutcome, done: int, _total: int, base: int = base) -> None:
                if progress is not None:
                    progress(base + done, total)

            summary = akismet.run_sync(
                akismet.check(
                    blog_desk.blog,
                    list(keys),
                    settings=self.settings,
                    moderator=blog_desk.moderator or None,
                    on_result=on_result,
                    cancel=should_stop,
                    journal=blog_desk.journal,
                )
            )
            base += len(keys)
            lines.append(summary.line())
            if should_stop is not None and should_stop():
                break
        return "; ".join(lines)
