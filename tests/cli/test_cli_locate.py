"""Finding the blog from the command line: DSN schemes, --url, profiles (as a script runs them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pingdesk.cli.main import main
from pingdesk.wp import debian
from tests.support.wpbed import WPSite, mariadb
from tests.wp.test_bedrock import project


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "oracle", "mssql+pyodbc"])
def test_unsupported_database_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], scheme: str
) -> None:
    code, out, err = run(capsys, "counts", "--db", f"{scheme}://me:hunter2@db.example/blog")
    assert code == 2 and out == ""
    assert err == (
        "pingdesk: pingdesk supports MySQL/MariaDB and SQLite "
        f"(got {scheme}://me:***@db.example/blog)\n"
    )


# --------------------------------------------------------------------------- Debian


def debian_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A copy of the package's wp-config.php and an /etc/wordpress of the test's own."""
    root, etc = tmp_path / "usr-share-wordpress", tmp_path / "etc-wordpress"
    root.mkdir()
    etc.mkdir()
    shutil.copy("/usr/share/wordpress/wp-config.php", root / "wp-config.php")
    (root / "wp-settings.php").write_text("<?php\n")
    monkeypatch.setattr(debian, "CONFIG_DIR", etc)
    return root, etc


def debian_site(etc: Path, host: str, site: WPSite) -> None:
    (etc / f"config-{host}.php").write_text(
        f"<?php\ndefine('DB_NAME', '{site.db}');\ndefine('DB_USER', '{mariadb.USER}');\n"
        f"define('DB_PASSWORD', '{mariadb.PASSWORD}');\n"
        f"define('DB_HOST', '{mariadb.bridge_host()}');\n$table_prefix = '{site.prefix}';\n"
    )


@pytest.mark.mariadb
def test_debian_wordpress_from_its_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    wp_site: Callable[..., WPSite],
) -> None:
    """`cd /usr/share/wordpress && pingdesk counts`: the include is followed; with two
    sites --url (or PINGDESK_URL) picks one, and without it both are listed."""
    root, etc = debian_layout(tmp_path, monkeypatch)
    blog, shop = wp_site(prefix="blog_"), wp_site(prefix="shop_")
    debian_site(etc, "blog.example.com", blog)
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "index")
    assert (code, err) == (0, "") and " on blog_comments: " in out

    debian_site(etc, "shop.example.com", shop)
    code, out, err = run(capsys, "index")
    assert code == 2 and out == ""
    assert err == (
        f"pingdesk: {root}/wp-config.php is Debian's WordPress with several sites in {etc} "
        "(config-blog.example.com.php, config-shop.example.com.php): pass --url HOST to "
        "choose one, as with WP-CLI\n"
    )
    code, out, err = run(capsys, "index", "--url", "https://shop.example.com/")
    assert (code, err) == (0, "") and " on shop_comments: " in out
    code, out, err = run(capsys, "--url", "blog.example.com", "index")
    assert (code, err) == (0, "") and " on blog_comments: " in out
    monkeypatch.setenv("PINGDESK_URL", "nowhere.test")
    code, out, err = run(capsys, "counts")
    assert code == 2 and "config-nowhere.test.php for --url nowhere.test" in err


# --------------------------------------------------------------------------- Bedrock


@pytest.mark.mariadb
def test_bedrock_project_with_database_url(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    wp_site: Callable[..., WPSite],
) -> None:
    """`cd` into a Bedrock project: .env's DATABASE_URL and DB_PREFIX name the blog."""
    site = wp_site(prefix="bed_")
    root = tmp_path / "bedrock"
    project(root, f"DATABASE_URL='mysql://{mariadb.USER}:@{mariadb.bridge_host()}/{site.db}'\n")
    monkeypatch.chdir(root / "config")
    code, out, err = run(capsys, "index")
    assert code == 2 and f"no WordPress tables with prefix 'wp_' in db '{site.db}'" in err
    with (root / ".env").open("a") as f:
        f.write("DB_PREFIX=bed_\n")
    code, out, err = run(capsys, "index")
    assert (code, err) == (0, "") and " on bed_comments: " in out
