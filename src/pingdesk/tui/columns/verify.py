"""The SOURCE column and the v / V keys: stored verification results, and verifying
the selection (pingdesk.services.verify)."""

from __future__ import annotations

from collections.abc import Sequence

from pingdesk.progress import Progress, ShouldStop
from pingdesk.services import evidence, verify
from pingdesk.services.desk import Desk
from pingdesk.services.verify import VerifySettings
from pingdesk.wp.pings import Ping
from pingdesk.wp.verify_meta import VerifyResult


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
        # Across blogs (a network, several profiles) each blog's pings are verified
        # and recorded on that blog, one blog after the other.
        todo = [(d, d.pings(list(keys))) for d, keys in desk.by_blog(ids)]
        total = sum(len(p) for _, p in todo)
        results: list[VerifyResult] = []
        for blog_desk, pings in todo:
            base = len(results)

            def step(done: int, _: int, base: int = base) -> None:
                if progress is not None:
                    progress(base + done, total)

            results += verify.verify(
                blog_desk,
                pings,
                self._settings_for(blog_desk),
                progress=step,
                should_stop=should_stop,
            )
            if should_stop is not None and should_stop():
                break
        text = evidence.summarize(results)
        if len(results) < total:
            text += f" (stopped; {total - len(results):,} not verified)"
        return text
