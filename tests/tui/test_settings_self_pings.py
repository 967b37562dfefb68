"""The Discussion settings screen says what stops self-pings (issue: self-pings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Label

from pingdesk.tui.app import PingdeskApp
from pingdesk.tui.screens.settings import SettingsScreen
from pingdesk.wp.self_pings import Files, write_plugin
from tests.support.blogdata import NOW, sqlite_desk


async def _label(app: PingdeskApp, pilot: Any) -> str:
    await pilot.press("comma")
    for _ in range(200):
        if isinstance(app.screen, SettingsScreen):
            text = str(app.screen.query_one("#set-self-pings", Label).render())
            if text:
                return text
        await pilot.pause(0.02)
    raise AssertionError("the settings screen never said anything about self-pings")


async def test_settings_show_self_pings_allowed_then_stopped(tmp_path: Path) -> None:
    desk = sqlite_desk(tmp_path)
    async with PingdeskApp(desk, now=NOW, refresh_interval=None).run_test(size=(80, 24)) as p:
        assert "Self-pings: self-pings allowed" in await _label(p.app, p)

    # The blog's files known (found by its wp-config.php), the plugin written.
    site = tmp_path / "site"
    (site / "wp-content" / "mu-plugins").mkdir(parents=True)
    (site / "wp-settings.php").write_text("<?php\n")
    config = site / "wp-config.php"
    config.write_text("<?php\ndefine( 'DB_NAME', 'x' );\n")
    write_plugin(Files(config, site / "wp-content" / "mu-plugins"))
    desk.blog.wp_config = config
    async with PingdeskApp(desk, now=NOW, refresh_interval=None).run_test(size=(80, 24)) as p:
        text = await _label(p.app, p)
        assert "stopped by pingdesk" in text and "self-pings allow" in text
