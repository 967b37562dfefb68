"""The help screen is the bindings: every key of the main screen in it, nothing else."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.widgets import Static

from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.screens.help import HelpScreen, declared_bindings, key_label
from pingdesk.tui.screens.main import MainScreen
from pingdesk.tui.widgets.ping_table import PingTable
from tests.support.blogdata import NOW, sqlite_desk


def _keys(binding: Binding) -> list[str]:
    return [k.strip() for k in binding.key.split(",")]


def test_every_main_screen_binding_has_prose() -> None:
    for cls in (MainScreen, PingTable, PingdeskApp):
        for binding in declared_bindings(cls):
            assert binding.tooltip, f"{cls.__name__}: {binding.key} has no tooltip"


async def test_help_lists_every_bound_key_and_no_other(tmp_path: Path) -> None:
    app = PingdeskApp(sqlite_desk(tmp_path), now=NOW, refresh_interval=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        main = app.main
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = [row for section in help_screen.sections() for row in section.rows]
        shown = {(key, row.text) for row in rows for key in row.keys}
        text = str(help_screen.query_one(Static).render())

        # Every binding the main screen and its table declare is in the help, with
        # its key and its prose, on the screen.
        declared = [*declared_bindings(MainScreen), *declared_bindings(PingTable)]
        for binding in declared:
            for key in _keys(binding):
                assert (key, binding.tooltip) in shown, binding
                assert key_label(key) in text
            assert binding.tooltip in text

        # And the help lists no key that is not bound: each is a live binding of the
        # main screen, its table or the app.
        live = {key for key, _ in main._bindings}
        live |= {key for key, _ in main.table._bindings}
        live |= {key for key, _ in app._bindings}
        for row in rows:
            for key in row.keys:
                assert key in live, f"help lists {key!r}, which nothing binds"
        # The keys help's own footnote names close it.
        assert "esc / q / ? closes this help" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main
