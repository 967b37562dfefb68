"""`pingdesk self-pings stop | allow | status` with real WordPress sending its pings.

A blog served by `php -S` on 127.0.0.1 with a WP_CONTENT_DIR of its own, and another blog
it links to. A post links to a post of the same blog and to the other blog; WordPress's
own do_all_pings() sends its pings. With `stop` no self-ping arrives and the other blog
still gets its pingback; after `allow` the self-ping arrives again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingdesk.cli.main import main
from pingdesk.wp.self_pings import MARKER, PLUGIN_FILE
from tests.support.wpbed import WPSite, mariadb, php
from tests.support.wpbed.server import WordPressServer


def _wp_config(path: Path, site: WPSite, content: Path) -> Path:
    path.write_text(
        "<?php\n"
        f"define( 'DB_NAME', '{site.db}' );\n"
        f"define( 'DB_USER', '{mariadb.USER}' );\n"
        f"define( 'DB_PASSWORD', '{mariadb.PASSWORD}' );\n"
        f"define( 'DB_HOST', '{mariadb.HOST}:{mariadb.PORT}' );\n"
        f"define( 'WP_CONTENT_DIR', '{content}' );\n"
        f"$table_prefix = '{site.prefix}';\n"
        "require_once ABSPATH . 'wp-settings.php';\n"
    )
    return path


def _pingbacks_on(site: WPSite, post: int) -> list[dict[str, Any]]:
    snap = site.snapshot()
    rows = [dict(zip(snap.comment_columns, r, strict=True)) for r in snap.comments]
    return [r for r in rows if r["comment_post_ID"] == post and r["comment_type"] == "pingback"]


def test_stop_and_allow_with_wordpress_sending(
    wp_site: Callable[..., WPSite], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = php.make_content_dir(tmp_path / "blog")
    neighbour = content / "mu-plugins" / "site-tweaks.php"
    neighbour.write_text("<?php // a plugin the site already had\n")
    os.chmod(neighbour, 0o640)
    with WordPressServer.reserve() as blog_server, WordPressServer.reserve() as other_server:
        blog = dataclasses.replace(wp_site(home=blog_server.home), content_dir=content)
        other = wp_site(home=other_server.home)
        other.php1({"cmd": "create_posts", "n": 8})  # IDs apart from the blog's
        blog_server.start(blog, tmp_path / "s1")
        other_server.start(other, tmp_path / "s2")
        config = _wp_config(tmp_path / "wp-config.php", blog, content)
        cli = ["--wp-config", str(config)]

        assert main([*cli, "self-pings", "status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["stopped"] is False

        assert main([*cli, "self-pings", "stop"]) == 0
        assert "stopped by pingdesk" in capsys.readouterr().out
        plugin = content / "mu-plugins" / PLUGIN_FILE
        assert MARKER in plugin.read_text()
        assert stat.S_IMODE(plugin.stat().st_mode) == 0o640  # as its neighbour

        (own,) = blog.php1({"cmd": "create_posts", "n": 1, "title": "Linked from within"})
        away = other.php1({"cmd": "create_posts", "n": 2, "title": "Elsewhere %d"})
        own_url = blog.php1({"cmd": "permalinks", "ids": [own]})[str(own)]
        away_url = other.php1({"cmd": "permalinks", "ids": away})

        def linking_post(n: int) -> int:
            body = (
                f'<p>See <a href="{own_url}">our own post</a> and '
                f'<a href="{away_url[str(away[n])]}">theirs</a>.</p>'
            )
            (post,) = blog.php1({"cmd": "create_posts", "n": 1, "content": body})
            return post

        first = linking_post(0)
        blog.php1({"cmd": "do_all_pings", "ids": [first]})
        assert _pingbacks_on(blog, own) == []  # no self-ping
        assert len(_pingbacks_on(other, away[0])) == 1  # the other blog still pinged

        assert main([*cli, "self-pings", "allow"]) == 0
        assert "allowed" in capsys.readouterr().out
        assert not plugin.exists() and neighbour.exists()

        second = linking_post(1)
        blog.php1({"cmd": "do_all_pings", "ids": [second]})
        (self_ping,) = _pingbacks_on(blog, own)
        assert self_ping["comment_author_url"].endswith(f"?p={second}")
        assert len(_pingbacks_on(other, away[1])) == 1


def test_without_files_it_says_what_to_install(
    wp_site: Callable[..., WPSite], capsys: pytest.CaptureFixture[str]
) -> None:
    site = wp_site()
    db = ["--db", site.url, "--prefix", site.prefix]
    assert main([*db, "self-pings"]) == 0
    out = capsys.readouterr().out
    assert "allowed" in out and "No Self Ping plugin" in out
    assert main([*db, "self-pings", "stop"]) == 2
    assert "--wp-config" in capsys.readouterr().err

    # The No Self Ping plugin, active in wp-admin, counts.
    site.php1(
        {
            "cmd": "set_option",
            "name": "active_plugins",
            "value": ["akismet/akismet.php", "no-self-ping/no-self-pings.php"],
        }
    )
    assert main([*db, "self-pings", "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["stopped"] and state["other_plugin"] == "no-self-ping/no-self-pings.php"


def test_a_file_pingdesk_did_not_write_is_left_alone(
    wp_site: Callable[..., WPSite], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = wp_site()
    content = php.make_content_dir(tmp_path / "blog")
    theirs = content / "mu-plugins" / PLUGIN_FILE
    theirs.write_text("<?php // someone else's file of that name\n")
    cli = ["--wp-config", str(_wp_config(tmp_path / "wp-config.php", site, content))]
    for action in ("allow", "stop"):
        assert main([*cli, "self-pings", action]) == 2
        assert "not written by pingdesk" in capsys.readouterr().err
    assert main([*cli, "self-pings"]) == 0
    assert "not written by pingdesk" in capsys.readouterr().out
    assert theirs.read_text().startswith("<?php // someone else's")
