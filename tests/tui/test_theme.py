"""The theme chosen in the command palette is kept in config.toml and used at the next start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot

from pingdesk.cli.ui import theme_saver
from pingdesk.config import load_config
from pingdesk.demo import blog as demo
from pingdesk.services.desk import Desk
from pingdesk.store.journal import Journal
from pingdesk.tui.app import PingdeskApp
from pingdesk.wp.connect import connect, target_from_db

SIZE = (100, 30)
CONFIG = "# my settings, kept\n[verify]\nconcurrency = 4  # small server\n"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    path = demo.build(tmp_path / "blog.sqlite")
    desk = Desk(connect(target_from_db(str(path), tmp_path, "test")), Journal(tmp_path / "j"))
    yield desk
    desk.close()
    desk.journal.close()


async def pick_theme(pilot: Pilot[Any], app: PingdeskApp, name: str) -> None:
    """ctrl+p, the "Theme" command, then the theme typed and chosen, as a person would."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*"Theme")
    await wait_for_hit(pilot, app, "Theme")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)  # now the theme list
    await pilot.press(*name)
    await wait_for_hit(pilot, app, name)
    await pilot.press("enter")
    for _ in range(20):
        await pilot.pause(0.05)
        if not isinstance(app.screen, CommandPalette):
            break


async def wait_for_hit(pilot: Pilot[Any], app: PingdeskApp, text: str) -> None:
    from textual.command import CommandList

    for _ in range(40):
        await pilot.pause(0.05)
        options = app.screen.query_one(CommandList)
        if options.option_count and text in str(options.get_option_at_index(0).prompt):
            options.highlighted = 0
            return
    raise AssertionError(f"no {text!r} in the palette")


def messages(app: PingdeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_chosen_theme_is_saved_and_used_next_time(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text(CONFIG)
    config = load_config(path)
    app = PingdeskApp(desk, refresh_interval=None, save_theme=theme_saver(config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        await pick_theme(pilot, app, "gruvbox")
        assert app.theme == "gruvbox"
    assert path.read_text() == CONFIG + '\n[tui]\ntheme = "gruvbox"\n'
    assert load_config(path).tui.theme == "gruvbox"

    again = PingdeskApp(desk, refresh_interval=None, theme=load_config(path).tui.theme)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "gruvbox" and messages(again) == []


async def test_a_failed_save_is_a_warning_not_a_crash(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[verify\n")  # a file pingdesk will not rewrite
    config = load_config(tmp_path / "absent.toml")
    config.path = path
    app = PingdeskApp(desk, refresh_interval=None, save_theme=theme_saver(config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick_theme(pilot, app, "nord")
        assert app.theme == "nord" and app.is_running
        assert messages(app) == [
            f"theme nord applied, not saved: {path}:1: invalid TOML: Expected ']' at the end "
            "of a table declaration"
        ]
    assert path.read_text() == "[verify\n"


async def test_unwritable_folder(desk: Desk, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    config = load_config(tmp_path / "absent.toml")
    config.path = blocker / "config.toml"
    app = PingdeskApp(desk, refresh_interval=None, save_theme=theme_saver(config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick_theme(pilot, app, "nord")
        assert app.theme == "nord"
        assert messages(app) == [
            f"theme nord applied, not saved: cannot write {blocker}/config.toml: File exists "
            "(set XDG_CONFIG_HOME to move it)"
        ]


async def test_a_theme_that_is_gone_falls_back(desk: Desk) -> None:
    app = PingdeskApp(desk, refresh_interval=None, theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert messages(app) == [
            "theme 'no-such-theme' (config.toml) is not available; using textual-dark"
        ]
