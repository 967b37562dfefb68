"""DB_CHARSET and DB_COLLATE: the session pingdesk opens on MariaDB is the one WordPress opens
(wpdb::determine_charset() and set_charset()), checked on the server's own variables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from pingdesk.errors import ConfigError, ConnectError
from pingdesk.wp.connect import connect, target_from_db, target_from_wp_config, wordpress_charset
from tests.support.wpbed import WPSite, mariadb


@pytest.mark.parametrize(
    ("charset", "collate", "expected"),
    [
        ("utf8mb4", "", ("utf8mb4", "utf8mb4_unicode_ci")),
        ("utf8", "", ("utf8mb4", "utf8mb4_unicode_ci")),
        ("utf8", "utf8_general_ci", ("utf8mb4", "utf8mb4_unicode_ci")),
        ("utf8", "utf8_bin", ("utf8mb4", "utf8mb4_bin")),
        ("utf8mb4", "utf8mb4_bin", ("utf8mb4", "utf8mb4_bin")),
        ("latin1", "", ("latin1", None)),
        ("latin1", "latin1_german1_ci", ("latin1", "latin1_german1_ci")),
        ("", "", ("utf8mb4", "utf8mb4_unicode_ci")),
        (None, None, ("utf8mb4", "utf8mb4_unicode_ci")),
    ],
)
def test_wordpress_rule(
    charset: str | None, collate: str | None, expected: tuple[str, str | None]
) -> None:
    assert wordpress_charset(charset, collate) == expected


def config(tmp_path: Path, site: WPSite, charset: str | None, collate: str | None) -> Path:
    lines = [
        "<?php",
        f"define('DB_NAME', '{site.db}');",
        f"define('DB_USER', '{mariadb.USER}');",
        f"define('DB_PASSWORD', '{mariadb.PASSWORD}');",
        f"define('DB_HOST', '{mariadb.bridge_host()}');",
        f"$table_prefix = '{site.prefix}';",
    ]
    if charset is not None:
        lines.append(f"define('DB_CHARSET', '{charset}');")
    if collate is not None:
        lines.append(f"define('DB_COLLATE', '{collate}');")
    path = tmp_path / "wp-config.php"
    path.write_text("\n".join(lines) + "\n")
    return path


def session(target_path: Path) -> tuple[str, str, str]:
    blog = connect(target_from_wp_config(target_path, {}, "test"))
    try:
        with blog.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT @@character_set_client, @@character_set_results, @@collation_connection"
                )
            ).one()
        return (str(row[0]), str(row[1]), str(row[2]))
    finally:
        blog.engine.dispose()


@pytest.mark.mariadb
@pytest.mark.parametrize(
    ("charset", "collate", "expected"),
    [
        # WordPress takes 'utf8' up to utf8mb4, and its collation to _unicode_520_ on MariaDB.
        ("utf8", "", ("utf8mb4", "utf8mb4", "utf8mb4_unicode_520_ci")),
        ("utf8mb4", "", ("utf8mb4", "utf8mb4", "utf8mb4_unicode_520_ci")),
        (None, None, ("utf8mb4", "utf8mb4", "utf8mb4_unicode_520_ci")),
        ("utf8mb4", "utf8mb4_bin", ("utf8mb4", "utf8mb4", "utf8mb4_bin")),
        ("utf8", "utf8_general_ci", ("utf8mb4", "utf8mb4", "utf8mb4_unicode_520_ci")),
        ("latin1", "", ("latin1", "latin1", "latin1_swedish_ci")),
        ("latin1", "latin1_german1_ci", ("latin1", "latin1", "latin1_german1_ci")),
    ],
)
def test_session_on_mariadb(
    tmp_path: Path,
    wp_site: Callable[..., WPSite],
    charset: str | None,
    collate: str | None,
    expected: tuple[str, str, str],
) -> None:
    site = wp_site()
    assert session(config(tmp_path, site, charset, collate)) == expected


@pytest.mark.mariadb
def test_url_charset_and_collation(wp_site: Callable[..., WPSite], tmp_path: Path) -> None:
    site = wp_site()
    base = mariadb.url(site.db).split("?")[0]
    for query, expected in [
        ("", ("utf8mb4", "utf8mb4_unicode_520_ci")),
        ("?charset=latin1", ("latin1", "latin1_swedish_ci")),
        ("?charset=utf8mb4&collation=utf8mb4_bin", ("utf8mb4", "utf8mb4_bin")),
    ]:
        blog = connect(target_from_db(base + query, tmp_path, "--db"))
        try:
            with blog.engine.connect() as conn:
                row = conn.execute(text("SELECT @@character_set_client, @@collation_connection"))
                assert tuple(row.one()) == expected, query
        finally:
            blog.engine.dispose()


@pytest.mark.mariadb
def test_a_collation_of_another_charset_is_one_line(
    tmp_path: Path, wp_site: Callable[..., WPSite]
) -> None:
    site = wp_site()
    path = config(tmp_path, site, "utf8mb4", "latin1_german1_ci")
    with pytest.raises(ConnectError) as exc:
        session(path)
    assert "COLLATION 'latin1_german1_ci' is not valid for CHARACTER SET 'utf8mb4'" in str(
        exc.value
    )
    assert "\n" not in str(exc.value)


def test_unknown_charset_is_refused_before_connecting(tmp_path: Path) -> None:
    path = tmp_path / "wp-config.php"
    path.write_text(
        "<?php\ndefine('DB_NAME', 'd');\ndefine('DB_USER', 'u');\ndefine('DB_PASSWORD', '');\n"
        "define('DB_HOST', '127.0.0.1');\ndefine('DB_CHARSET', 'klingon');\n"
    )
    with pytest.raises(ConfigError) as exc:
        target_from_wp_config(path, {}, "test")
    assert exc.value.message == (f"{path}:6: 'klingon' is not a MySQL character set pingdesk knows")


def test_tls_is_not_tried_on_this_machine_but_kept_for_remote_servers() -> None:
    from sqlalchemy.engine import make_url

    from pingdesk.wp.connect import mysql_connect_args

    for local in (
        "mysql+pymysql://u@127.0.0.1/db",
        "mysql+pymysql://u@localhost/db?unix_socket=/run/mysqld/mysqld.sock",
        "mysql+pymysql://u@[::1]/db",
    ):
        assert mysql_connect_args(make_url(local))["ssl_disabled"] is True, local
    assert "ssl_disabled" not in mysql_connect_args(make_url("mysql+pymysql://u@db.example/db"))
    # TLS asked for in the URL is never switched off.
    asked = make_url("mysql+pymysql://u@127.0.0.1/db?ssl_ca=/etc/ca.pem")
    assert "ssl_disabled" not in mysql_connect_args(asked)
