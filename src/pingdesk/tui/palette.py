"""ctrl+p: pingdesk's commands in Textual's command palette."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.theme import ThemeProvider

if TYPE_CHECKING:
    from pingdesk.tui.app import PingdeskApp


class PingdeskCommands(Provider):
    """Close pings, Discussion settings, switch site, theme, views."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: PingdeskApp = self.app  # type: ignore[assignment]
        cmds: list[tuple[str, Callable[[], object], str]] = [
            ("Close pings on posts", app.action_close_pings, "Close (or open) pings on many posts"),
            ("Discussion settings", app.action_settings, "Pings on new posts, sending pingbacks"),
            ("Domains", app.action_domains, "This view grouped by source domain"),
            ("Posts", app.action_posts, "Ping status, pings received, send pings"),
            ("Who links to you", app.action_links, "Approved pings by source domain"),
            ("Sites", app.action_sites, "Across blogs: pings per site (--network, profiles)"),
            ("Theme", app.action_change_theme, "Change the colour theme"),
            ("Help: every key", app.action_show_help, "What each key does"),
            ("Undo the last action", app.action_undo, "Undo, whatever the view"),
        ]
        for view in ("pending", "approved", "spam", "trash"):
            cmds.append((f"View: {view}", partial(app.action_view, view), f"Show {view} pings"))
        for site in app.columns.sites:
            cmds.append(
                (f"Switch site: {site.name}", partial(app.switch_site, site), "Open this blog")
            )
        return cmds

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class RememberedThemes(ThemeProvider):
    """Textual's theme list, where choosing one also saves it (PingdeskApp.choose_theme)."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        app: PingdeskApp = self.app  # type: ignore[assignment]
        return [(name, partial(app.choose_theme, name)) for name in sorted(app.available_themes)]
