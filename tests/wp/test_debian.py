"""Debian's and Ubuntu's packaged WordPress: the real /usr/share/wordpress/wp-config.php,
copied, with an /etc/wordpress-like folder of its own (the real /etc is never written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pingdesk.errors import ConfigError
from pingdesk.wp import debian
from pingdesk.wp.wpconfig import find_wp_config, parse_wp_config

DEBIAN_MASTER = Path("/usr/share/wordpress/wp-config.php")

SITE = """<?php
define('DB_NAME', '{name}');
define('DB_USER', 'wp_{name}');
define('DB_PASSWORD', 'pw-{name}');
define('DB_HOST', 'db.internal:3307');
$table_prefix = '{name}_';
"""


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "etc-wordpress"
    folder.mkdir()
    monkeypatch.setattr(debian, "CONFIG_DIR", folder)
    return folder


@pytest.fixture
def master(tmp_path: Path) -> Path:
    assert DEBIAN_MASTER.is_file(), "Debian's wordpress package is needed (bash .ci/test)"
    root = tmp_path / "usr-share-wordpress"
    root.mkdir()
    shutil.copy(DEBIAN_MASTER, root / "wp-config.php")
    (root / "wp-settings.php").write_text("<?php\n")
    return root / "wp-config.php"


def site(etc: Path, host: str, name: str) -> Path:
    path = etc / f"config-{host}.php"
    path.write_text(SITE.format(name=name))
    return path


def test_the_real_file_is_recognised() -> None:
    assert debian.is_debian_master(DEBIAN_MASTER.read_text())
    assert not debian.is_debian_master("<?php define('DB_NAME', '/etc/wordpress/config-x.php');")


def test_one_config_file_is_used_without_url(etc: Path, master: Path) -> None:
    chosen = site(etc, "blog.example.com", "blog")
    cfg = parse_wp_config(master, env={})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host, cfg.prefix) == (
        "blog",
        "wp_blog",
        "pw-blog",
        "db.internal:3307",
        "blog_",
    )
    assert cfg.debian_file == chosen and cfg.where("DB_NAME") == f"{chosen}:2"
    assert cfg.unresolved == []  # the master's own includes are the package's, not unknowns
    # The package's own defaults fill what the site's file leaves out.
    assert cfg.get_str("WP_CONTENT_DIR") == "/var/lib/wordpress/wp-content"


def test_defaults_of_the_master_do_not_override_the_site(etc: Path, master: Path) -> None:
    (etc / "config-only.php").write_text("<?php define('DB_PASSWORD', 'x');\n")
    cfg = parse_wp_config(master, env={})
    # DB_NAME/USER/HOST and $table_prefix come from the master's guarded defaults.
    assert (cfg.db_name, cfg.db_user, cfg.db_host, cfg.prefix) == (
        "wordpress",
        "wordpress",
        "localhost",
        "wp_",
    )


def test_url_chooses_among_several(etc: Path, master: Path) -> None:
    site(etc, "blog.example.com", "blog")
    site(etc, "shop.example.com", "shop")
    site(etc, "example.org", "org")
    for url, name in [
        ("blog.example.com", "blog"),
        ("https://shop.example.com:8443/wp/", "shop"),
        ("SHOP.Example.COM", "shop"),
        ("http://www.example.org/", "org"),  # the domain's file, as the package falls back
    ]:
        assert parse_wp_config(master, env={}, url=url).db_name == name, url


def test_default_file_for_an_unknown_host(etc: Path, master: Path) -> None:
    site(etc, "blog.example.com", "blog")
    site(etc, "default", "dflt")
    assert parse_wp_config(master, env={}, url="other.test").db_name == "dflt"


def test_wordpress_config_variable_names_the_file(etc: Path, master: Path) -> None:
    site(etc, "blog.example.com", "blog")
    site(etc, "shop", "shop")
    assert parse_wp_config(master, env={"WORDPRESS_CONFIG": "shop"}).db_name == "shop"
    with pytest.raises(ConfigError, match=r"WORDPRESS_CONFIG=nope names .*config-nope\.php"):
        parse_wp_config(master, env={"WORDPRESS_CONFIG": "nope"})


def test_several_without_url_are_listed(etc: Path, master: Path) -> None:
    site(etc, "blog.example.com", "blog")
    site(etc, "shop.example.com", "shop")
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(master, env={})
    assert exc.value.message == (
        f"{master} is Debian's WordPress with several sites in {etc} "
        "(config-blog.example.com.php, config-shop.example.com.php): "
        "pass --url HOST to choose one, as with WP-CLI"
    )


def test_none_at_all(etc: Path, master: Path) -> None:
    with pytest.raises(ConfigError, match=r"reads its settings from .*/config-HOST\.php.*none"):
        parse_wp_config(master, env={})


def test_url_without_its_file(etc: Path, master: Path) -> None:
    site(etc, "blog.example.com", "blog")
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(master, env={}, url="https://new.example.net/")
    msg = exc.value.message
    assert f"reads {etc}/config-new.example.net.php for --url https://new.example.net/" in msg
    assert "nor config-example.net.php, config-default.php" in msg
    assert msg.endswith("config files there: config-blog.example.com.php")


def test_missing_setting_names_the_site_file(etc: Path, master: Path) -> None:
    chosen = etc / "config-blog.php"
    chosen.write_text("<?php define('DB_NAME', 'b');\n")
    cfg = parse_wp_config(master, env={})
    with pytest.raises(ConfigError) as exc:
        _ = cfg.db_password
    assert exc.value.message == (
        f"{chosen} (Debian's settings file for {master}): DB_PASSWORD is not defined"
    )


def test_unreadable_site_file_is_an_error(etc: Path, master: Path) -> None:
    (etc / "config-blog.php").write_text("<?php define('DB_NAME', 'unterminated);\n")
    with pytest.raises(ConfigError, match=r"config-blog\.php:1: unterminated string"):
        parse_wp_config(master, env={})


def test_found_from_the_package_folder(etc: Path, master: Path) -> None:
    site(etc, "blog", "blog")
    assert find_wp_config(master.parent) == master


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("blog.example.com", "blog.example.com"),
        ("https://user@Blog.Example.com:8080/path?q", "blog.example.com"),
        ("//blog.example.com/", "blog.example.com"),
        ("blog_ex<a>mple.com", "blogexample.com"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert debian.host_of(url) == host


def test_unreadable_site_file_says_who_can_read_it(
    etc: Path, master: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = site(etc, "blog", "blog")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == chosen:  # root reads anything: refuse the way a 0640 file refuses others
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(master, env={})
    assert exc.value.message == (
        f"{chosen}: cannot read: permission denied (Debian's config files are for root and "
        "www-data: run pingdesk as a user who can read it, e.g. sudo -u www-data pingdesk …)"
    )


PHP_DUMP = r"""<?php
define('ABSPATH', getenv('PD_ABSPATH'));
require getenv('PD_CONFIG');
$out = array('table_prefix' => isset($table_prefix) ? $table_prefix : null);
foreach (array('DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_HOST', 'WP_CONTENT_DIR') as $n) {
    $out[$n] = defined($n) ? constant($n) : '<undefined>';
}
echo json_encode($out);
"""


@pytest.mark.wordpress
@pytest.mark.parametrize(
    ("url", "env"),
    [
        ("blog.example.com", {}),
        ("https://www.shop.example.com/", {}),  # the domain's file
        ("unknown.test", {}),  # config-default.php
        ("blog.example.com", {"WORDPRESS_CONFIG": "shop"}),  # the web server's choice
    ],
)
def test_php_agrees(tmp_path: Path, etc: Path, master: Path, url: str, env: dict[str, str]) -> None:
    """PHP running the package's file (pointed at the test's folder) defines what we read."""
    import json
    import subprocess

    php = shutil.which("php")
    assert php, "php-cli is needed for this test (bash .ci/test installs it)"
    site(etc, "blog.example.com", "blog")
    site(etc, "shop.example.com", "shopcom")
    site(etc, "shop", "shop")
    (etc / "config-default.php").write_text("<?php\ndefine('DB_NAME', 'dflt');\n")
    for_php = tmp_path / "for-php.php"
    for_php.write_text(master.read_text().replace("/etc/wordpress/", f"{etc}/"))
    core = tmp_path / "core"
    core.mkdir()
    (core / "wp-settings.php").write_text("<?php\n")
    (tmp_path / "dump.php").write_text(PHP_DUMP)
    done = subprocess.run(
        [php, str(tmp_path / "dump.php")],
        env={
            "PATH": "/usr/bin:/bin",
            "PD_ABSPATH": f"{core}/",
            "PD_CONFIG": str(for_php),
            "HTTP_HOST": url.split("//")[-1].rstrip("/"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    from_php = json.loads(done.stdout[done.stdout.index("{") :])
    cfg = parse_wp_config(master, env=env, url=url)
    ours = {"table_prefix": cfg.prefix} | {
        n: cfg.constants.get(n, "<undefined>") for n in list(from_php)[1:]
    }
    assert ours == from_php
