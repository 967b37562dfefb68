"""The SOURCE column and the v / V keys: stored verification results, and verifying
the selection (pingdesk.services.verify)."""

from __future__ import annotations

from collections.abc import Sequence

from pingdesk.progress import Progress, ShouldStop
from pingdesk.services import evidence, verify
from pingdesk.services.desk import Desk
from pingdesk.services.verify import VerifySettings
from pingdesk.wp.pings import Ping


class VerifyColumn:
    key = "check"
    header = "SOURCE"
    width = 11
    values_word = "check"

    def __init__(self, settings: VerifySettings) -> None:
        self.settings = settings

    def _settings_for(self, desk: Desk) -> VerifySettings:
        if self.settings.home is None:
            # Named in the User-Agent, so a site owner can see who checks their page.
            self.settings.home = desk.blog.option("home")
        return self.settings

    def values(self, desk: Desk, pings: Sequence[Ping]) -> dict[int, str]:
        return {
            i: r.result for i, r in evidence.verify_results(desk, [p.id for p in pings]).items()
        }

    def details(self, desk: Desk, ping: Ping) -> list[str]:
        return evidence.verify_lines(evidence.verify_results(desk, [ping.id]).get(ping.id))

    def run(
        self,
        desk: Desk,
        ids: Sequence[int],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> str:
        pings = desk.pings(ids)
        results = verify.verify(
            desk,
            pings,
            self._settings_for(desk),
            progress=progress,
            should_stop=should_stop,
        )
        text = evidence.summarize(results)
        if len(results) < len(pings):
            text += f" (stopped; {len(pings) - len(results):,} not verified)"
        return text
