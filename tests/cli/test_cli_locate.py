"""Finding the blog from the command line: DSN schemes, --url, profiles (as a script runs them)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pingdesk.demo import blog as demo
from pingdesk.wp import debian
from tests.support.cli import run
from tests.support.wpbed import WPSite, mariadb
from tests.wp.test_bedrock import project


@pytest.fixture(autouse=True)
def _own_home(home: Path) -> Path:
    return home


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


# --------------------------------------------------------------------------- profiles

CONFIG_WITH_COMMENTS = """\
# Written by hand: pingdesk must keep this comment.
[verify]
concurrency = 4  # our server is small
"""


def test_profile_round_trip_keeps_the_comments(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blog = demo.build(home / "blogs" / "demo.sqlite")
    config = home / "config/pingdesk/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG_WITH_COMMENTS)
    (home / "blogs/sub").mkdir()
    monkeypatch.chdir(home / "blogs/sub")

    code, out, err = run(capsys, "profile", "add", "demo", "--db", "../demo.sqlite", "--default")
    assert (code, err) == (0, "")
    assert out == (
        f"saved profile 'demo': sqlite:///{blog} → {blog} (prefix wp_)\n"
        "'demo' is the default profile\n"
    )
    text = config.read_text()
    assert text.startswith('default_profile = "demo"\n' + CONFIG_WITH_COMMENTS)
    assert "concurrency = 4  # our server is small\n" in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600

    # The default profile now finds the blog from anywhere (the path was made absolute).
    monkeypatch.chdir(home)
    code, out, _ = run(capsys, "counts", "--json")
    assert code == 0 and json.loads(out)["pending"]

    code, out, _ = run(capsys, "profile", "list", "--json")
    assert json.loads(out) == [
        {
            "name": "demo",
            "default": True,
            "wp_config": None,
            "db": f"sqlite:///{blog}",
            "prefix": None,
            "site": None,
            "url": None,
            "password_env": None,
            "password_saved": False,
        }
    ]
    monkeypatch.setenv("COLUMNS", "500")  # the table fits the terminal; make it wide
    code, out, _ = run(capsys, "profile", "list")
    assert out.splitlines()[0].split() == ["NAME", "DEFAULT", "BLOG", "PREFIX", "SITE", "PASSWORD"]
    assert out.splitlines()[1].split() == ["demo", "*", f"sqlite:///{blog}"]

    code, out, err = run(capsys, "profile", "add", "demo", "--db", str(blog))
    assert code == 2 and err == "pingdesk: profile 'demo' exists; pass --force to replace it\n"

    code, out, err = run(capsys, "profile", "remove", "demo")
    assert (code, out) == (
        0,
        "removed profile 'demo'\nit was the default; there is no default profile now\n",
    )
    assert config.read_text() == CONFIG_WITH_COMMENTS
    code, out, err = run(capsys, "profile", "remove", "demo")
    assert code == 2 and err == f"pingdesk: no profile 'demo' in {config} (profiles: none saved)\n"


def test_profile_add_checks_the_connection(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "profile", "add", "gone", "--db", "missing.sqlite")
    assert code == 2 and out == ""
    assert err.startswith("pingdesk: invalid database URL 'missing.sqlite'")
    empty = home / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    code, out, err = run(capsys, "profile", "add", "empty", "--db", str(empty))
    assert code == 2 and out == ""
    assert err == (
        "pingdesk: profile 'empty' not saved: not a WordPress database: no *options/*comments "
        f"tables in {empty} (--no-check saves it anyway)\n"
    )
    assert not (home / "config/pingdesk/config.toml").exists()
    # A server that does not answer is worth retrying: exit 3, still not saved.
    code, _, err = run(capsys, "profile", "add", "down", "--db", "mysql://u:p@127.0.0.1:9/wp")
    assert code == 3 and "not saved" in err and "p@" not in err
    code, out, err = run(capsys, "profile", "add", "empty", "--db", str(empty), "--no-check")
    assert code == 0 and out == f"saved profile 'empty': sqlite:///{empty}\n"


def test_profile_add_needs_one_blog(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["profile", "add", "x"], ["profile", "add", "x", "--db", "a", "--wp-config", "b"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        assert err.startswith("pingdesk: ") and err.count("\n") == 1
    code, _, err = run(capsys, "profile", "add", "../x", "--db", "sqlite:///x", "--no-check")
    assert code == 2 and "invalid profile name '../x'" in err


@pytest.mark.mariadb
def test_profile_passwords(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    wp_site: Callable[..., WPSite],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A password in --db is saved with a warning; with --password-env it is left out of
    the file, and the variable supplies it when the profile is checked and used."""
    site = wp_site()
    config = home / "config/pingdesk/config.toml"
    inline = f"mysql://{mariadb.USER}:hunter2@{mariadb.bridge_host()}/{site.db}"
    code, out, err = run(capsys, "profile", "add", "inline", "--db", inline, "--no-check")
    assert code == 0 and err == (
        f"pingdesk: warning: the URL's password is saved in {config} (readable only by you); "
        "--password-env VAR keeps it out of the file\n"
    )
    assert "hunter2" not in out

    add_viaenv = ("profile", "add", "viaenv", "--db", inline, "--password-env", "BLOG_PW")
    code, out, err = run(capsys, *add_viaenv)
    assert code == 2 and "takes its password from $BLOG_PW, which is not set" in err
    monkeypatch.setenv("BLOG_PW", mariadb.PASSWORD)
    code, out, err = run(capsys, *add_viaenv)
    assert (code, err) == (0, "")
    saved = config.read_text()
    assert f'[profiles.viaenv]\ndb = "mysql://{mariadb.USER}@{mariadb.bridge_host()}/' in saved
    assert 'password_env = "BLOG_PW"' in saved and saved.count("hunter2") == 1
    code, out, err = run(capsys, "index", "--profile", "viaenv")
    assert (code, err) == (0, "") and " on wp_comments: " in out
    monkeypatch.delenv("BLOG_PW")
    code, out, err = run(capsys, "--profile", "viaenv", "index")
    assert code == 2 and "takes its password from $BLOG_PW, which is not set" in err


def test_profile_list_loads_no_database_library(home: Path) -> None:
    """Scripts call it often: it reads config.toml and nothing else heavy."""
    config = home / "config/pingdesk/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[profiles.a]\ndb = "mysql://u:secret@h/db"\n')
    probe = (
        "import json, sys\nfrom pingdesk.cli.main import main\ncode = main(sys.argv[1:])\n"
        "print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules})]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "profile", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "PYTHONPATH": ":".join(p for p in sys.path if p),
            "COLUMNS": "200",
        },
    )
    lines = done.stdout.strip().splitlines()
    code, modules = json.loads(lines[-1])
    assert code == 0, done.stderr
    assert lines[1].split() == ["a", "mysql://u@h/db", "in", "config.toml"]
    heavy = {"sqlalchemy", "pymysql", "textual", "httpx", "tomlkit", "dotenv"}
    assert heavy.isdisjoint(modules), heavy & set(modules)
