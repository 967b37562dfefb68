"""wp-config.php read as text: every syntax real sites use, and every way it can be broken."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pingdesk.errors import ConfigError
from pingdesk.wp.wpconfig import (
    DbHost,
    WPConfig,
    find_wp_config,
    parse_db_host,
    parse_wp_config,
    parse_wp_config_text,
)

SAMPLE = Path("/usr/share/wordpress/wp-config-sample.php")

# WordPress's stock wp-config-sample.php layout (6.1), used when Debian's copy is absent.
STOCK_SAMPLE = """<?php
/**
 * The base configuration for WordPress
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'database_name_here' );

/** Database username */
define( 'DB_USER', 'username_here' );

/** Database password */
define( 'DB_PASSWORD', 'password_here' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8' );

/** The database collate type. Don't change this if in doubt. */
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 */
define( 'AUTH_KEY',         'put your unique phrase here' );
define( 'NONCE_SALT',       'put your unique phrase here' );

/**#@-*/

/**
 * WordPress database table prefix.
 */
$table_prefix = 'wp_';

define( 'WP_DEBUG', false );

/* Add any custom values between this line and the "stop editing" line. */

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
"""

# The official Docker image's wp-config-docker.php (docker-library/wordpress), abridged
# only in its comments.
DOCKER = r"""<?php
/**
 * This has been slightly modified (to read environment variables) for use in Docker.
 */

// a helper function to lookup "env_FILE", "env", then fallback
if (!function_exists('getenv_docker')) {
	// https://github.com/docker-library/wordpress/issues/588 (WP-CLI will load this file 2x)
	function getenv_docker($env, $default) {
		if ($fileEnv = getenv($env . '_FILE')) {
			return rtrim(file_get_contents($fileEnv), "\r\n");
		}
		else if (($val = getenv($env)) !== false) {
			return $val;
		}
		else {
			return $default;
		}
	}
}

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress') );

/** Database username */
define( 'DB_USER', getenv_docker('WORDPRESS_DB_USER', 'example username') );

/** Database password */
define( 'DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password') );

/** Database hostname */
define( 'DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql') );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', getenv_docker('WORDPRESS_DB_CHARSET', 'utf8') );

/** The database collate type. Don't change this if in doubt. */
define( 'DB_COLLATE', getenv_docker('WORDPRESS_DB_COLLATE', '') );

define( 'AUTH_KEY', getenv_docker('WORDPRESS_AUTH_KEY', 'put your unique phrase here') );
define( 'NONCE_SALT', getenv_docker('WORDPRESS_NONCE_SALT', 'put your unique phrase here') );
// (See also https://wordpress.stackexchange.com/a/152905/199287)

$table_prefix = getenv_docker('WORDPRESS_TABLE_PREFIX', 'wp_');

define( 'WP_DEBUG', !!getenv_docker('WORDPRESS_DEBUG', '') );

/* Add any custom values between this line and the "stop editing" line. */

// If we're behind a proxy server and using HTTPS, we need to alert WordPress of that fact
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO'])
	&& strpos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}

if ($configExtra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '')) {
	eval($configExtra);
}

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
"""

# Every syntax at once; what PHP itself makes of it is checked in test_php_agrees.
TRICKY = r"""<?php
// define('DB_NAME', 'from_a_line_comment');
# define('DB_NAME', 'from_a_hash_comment');
/* define('DB_NAME', 'from_a_block_comment');
   define('DB_USER', 'still commented'); */
define   (   "DB_NAME"  ,   "blog_\x41\u{e9}\$x\t!"   )   ;   // trailing comment
define('DB_USER', 'o\'brien\\');
define( 'DB_PASSWORD', 'p#ss//w*rd /* not a comment */ ?> still a string' );
define('DB_HOST', '127.0.0.1' . ':' . 3307);
define('DB_NAME', 'second_define_is_ignored');
define('DB_CHARSET', getenv('PD_NOT_SET') ?: 'utf8mb4');
define('WPCOM_API_KEY', $_ENV['PD_AKISMET'] ?? 'abc123def456');
define('MULTISITE', true);
define('SUBDOMAIN_INSTALL', FALSE);
define('DOMAIN_CURRENT_SITE', 'blog.example');
define('PATH_CURRENT_SITE', '/');
define('SITE_ID_CURRENT_SITE', 1);
define('BLOG_ID_CURRENT_SITE', 0x1);
define('WP_MEMORY_LIMIT', '256M');
define('NUMBERS', 1_000 + 2.5 * 2);
define('NOWDOC', <<<'TXT'
    raw $text \n
    TXT);
define('WP_HOME', 'https://' . DOMAIN_CURRENT_SITE);
$table_prefix  = "blog7_";
if ( ! isset( $table_prefix ) ) {
	$table_prefix = 'wp_';
}
"""


def one_line(exc: pytest.ExceptionInfo[BaseException], *needles: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg.strip() == msg and msg, msg
    for needle in needles:
        assert needle in msg, (needle, msg)
    return msg


def write(tmp_path: Path, text: str, name: str = "wp-config.php") -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------- good files


def test_stock_sample(tmp_path: Path) -> None:
    text = SAMPLE.read_text() if SAMPLE.exists() else STOCK_SAMPLE
    cfg = parse_wp_config(write(tmp_path, text), env={})
    assert (cfg.db_name, cfg.db_user, cfg.db_password) == (
        "database_name_here",
        "username_here",
        "password_here",
    )
    assert cfg.db_host == "localhost"
    assert cfg.db_host_parts.uses_socket
    assert cfg.db_charset == "utf8"
    assert cfg.prefix == "wp_"
    assert cfg.constants["WP_DEBUG"] is False
    assert cfg.constants["ABSPATH"] == f"{tmp_path}/"
    assert not cfg.multisite and not cfg.is_sqlite
    assert cfg.wpcom_api_key is None
    assert (
        cfg.lines["DB_NAME"]
        == text.splitlines().index("define( 'DB_NAME', 'database_name_here' );") + 1
    )


def test_docker_defaults_without_environment(tmp_path: Path) -> None:
    cfg = parse_wp_config(write(tmp_path, DOCKER), env={})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host) == (
        "wordpress",
        "example username",
        "example password",
        "mysql",
    )
    assert cfg.prefix == "wp_"
    assert cfg.constants["WP_DEBUG"] is False


def test_docker_reads_environment_secrets_and_config_extra(tmp_path: Path) -> None:
    secret = tmp_path / "db_password.txt"
    secret.write_text("s3cret from a file\n")
    env = {
        "WORDPRESS_DB_NAME": "shop",
        "WORDPRESS_DB_USER": "shopuser",
        "WORDPRESS_DB_PASSWORD_FILE": str(secret),
        "WORDPRESS_DB_PASSWORD": "ignored because _FILE wins",
        "WORDPRESS_DB_HOST": "db:3307",
        "WORDPRESS_TABLE_PREFIX": "shop_",
        "WORDPRESS_DEBUG": "1",
        "WORDPRESS_CONFIG_EXTRA": "define('WPCOM_API_KEY', 'k3y');\ndefine('MULTISITE', true);",
    }
    cfg = parse_wp_config(write(tmp_path, DOCKER), env=env)
    assert (cfg.db_name, cfg.db_user, cfg.db_password) == ("shop", "shopuser", "s3cret from a file")
    assert cfg.db_host_parts == DbHost("db", 3307, None)
    assert cfg.prefix == "shop_"
    assert cfg.constants["WP_DEBUG"] is True
    assert cfg.wpcom_api_key == "k3y"
    assert cfg.multisite


def test_docker_empty_variable_is_used_as_is(tmp_path: Path) -> None:
    # getenv_docker() returns a set-but-empty variable (only unset ones fall back).
    cfg = parse_wp_config(write(tmp_path, DOCKER), env={"WORDPRESS_DB_PASSWORD": ""})
    assert cfg.db_password == ""


def test_docker_unreadable_secret_file(tmp_path: Path) -> None:
    env = {"WORDPRESS_DB_PASSWORD_FILE": str(tmp_path / "missing")}
    cfg = parse_wp_config(write(tmp_path, DOCKER), env=env)
    with pytest.raises(ConfigError) as exc:
        _ = cfg.db_password
    one_line(exc, "DB_PASSWORD", "WORDPRESS_DB_PASSWORD_FILE", "wp-config.php:")


def test_newer_docker_host_and_port(tmp_path: Path) -> None:
    text = DOCKER.replace(
        "getenv_docker('WORDPRESS_DB_HOST', 'mysql') )",
        "getenv_docker('WORDPRESS_DB_HOST', 'mysql') . ':'"
        " . getenv_docker('WORDPRESS_DB_PORT', '3306'))",
    )
    cfg = parse_wp_config(write(tmp_path, text), env={"WORDPRESS_DB_PORT": "3310"})
    assert cfg.db_host == "mysql:3310"


def test_every_syntax(tmp_path: Path) -> None:
    cfg = parse_wp_config(write(tmp_path, TRICKY), env={})
    assert cfg.db_name == "blog_Aé$x\t!"
    assert cfg.db_user == "o'brien\\"
    assert cfg.db_password == "p#ss//w*rd /* not a comment */ ?> still a string"
    assert cfg.db_host_parts == DbHost("127.0.0.1", 3307, None)
    assert cfg.db_charset == "utf8mb4"
    assert cfg.wpcom_api_key == "abc123def456"
    assert cfg.multisite and not cfg.subdomain_install
    assert cfg.domain_current_site == "blog.example"
    assert cfg.path_current_site == "/"
    assert cfg.blog_id_current_site == 1
    assert cfg.site_id_current_site == 1
    assert cfg.constants["NUMBERS"] == 1005.0
    assert cfg.constants["NOWDOC"] == "raw $text \\n"
    assert cfg.constants["WP_HOME"] == "https://blog.example"
    assert cfg.prefix == "blog7_"
    assert cfg.lines["DB_NAME"] == 6


def test_environment_lookups(tmp_path: Path) -> None:
    text = """<?php
define('DB_NAME', getenv('BLOG_DB') ?: 'fallback');
define('DB_USER', $_SERVER['BLOG_USER'] ?? 'nobody');
define('DB_PASSWORD', getenv('BLOG_PW'));
define('DB_HOST', getenv("BLOG_HOST") ? getenv("BLOG_HOST") : 'localhost');
$table_prefix = getenv('BLOG_PREFIX') ?: 'wp_';
"""
    path = write(tmp_path, text)
    cfg = parse_wp_config(path, env={})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host) == (
        "fallback",
        "nobody",
        "",  # getenv() gives false, which PHP turns into ''
        "localhost",
    )
    env = {
        "BLOG_DB": "b",
        "BLOG_USER": "u",
        "BLOG_PW": "p",
        "BLOG_HOST": "h:1",
        "BLOG_PREFIX": "x_",
    }
    cfg = parse_wp_config(path, env=env)
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host, cfg.prefix) == (
        "b",
        "u",
        "p",
        "h:1",
        "x_",
    )


def test_uses_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORDPRESS_DB_NAME", "from_os_environ")
    assert parse_wp_config(write(tmp_path, DOCKER)).db_name == "from_os_environ"


def test_debian_style_conditional_defaults(tmp_path: Path) -> None:
    # Debian's /etc/wordpress/config-*.php pattern: the first define() wins, and an
    # isset()-guarded default does not override the real prefix.
    text = """<?php
define('DB_NAME', 'real');
$table_prefix = 'site_';
if (!defined('DB_NAME'))
    define('DB_NAME', 'wordpress');
if (!defined('DB_USER'))
    define('DB_USER', 'wordpress');
if (!isset($table_prefix)) {
    $table_prefix = 'wp_';
}
"""
    cfg = parse_wp_config(write(tmp_path, text), env={})
    assert (cfg.db_name, cfg.db_user, cfg.prefix) == ("real", "wordpress", "site_")


def test_last_prefix_assignment_wins(tmp_path: Path) -> None:
    cfg = parse_wp_config(write(tmp_path, "<?php $table_prefix = 'a_';\n$table_prefix = 'b_';"))
    assert cfg.prefix == "b_"


def test_missing_prefix_is_none(tmp_path: Path) -> None:
    assert parse_wp_config(write(tmp_path, "<?php define('DB_NAME', 'x');")).prefix is None


def test_follows_included_config_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "<?php\ndefine('DB_PASSWORD', 'from-local');\n$table_prefix = 'loc_';\n",
        "wp-config-local.php",
    )
    write(tmp_path, "<?php\ndefine('DB_USER', 'shared');\n", "conf/shared.php")
    text = """<?php
if ( file_exists( __DIR__ . '/wp-config-local.php' ) ) {
    include __DIR__ . '/wp-config-local.php';
}
require_once( dirname( __FILE__ ) . '/conf/shared.php' );
include 'missing-file-is-ignored.php';
define('DB_NAME', 'main');
define('DB_HOST', 'localhost');
require_once ABSPATH . 'wp-settings.php';
"""
    cfg = parse_wp_config(write(tmp_path, text), env={})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.prefix) == (
        "main",
        "shared",
        "from-local",
        "loc_",
    )
    assert cfg.where("DB_PASSWORD") == f"{tmp_path}/wp-config-local.php:2"


def test_includes_through_variables_and_parent_folders(tmp_path: Path) -> None:
    write(tmp_path / "shared", "<?php define('DB_PASSWORD', 'shared-pw');", "db.php")
    write(tmp_path / "secrets", "<?php define('DB_USER', 'secret-user');", "user.php")
    text = """<?php
$secrets = dirname(__DIR__) . '/secrets';
require_once dirname(__FILE__) . '/../shared/db.php';
require_once "$secrets/user.php";
require_once $secrets . '/user.php';
"""
    cfg = parse_wp_config(write(tmp_path / "site", text), env={})
    assert (cfg.db_password, cfg.db_user) == ("shared-pw", "secret-user")
    # "$secrets/user.php" (interpolation) is not read, but the second spelling was.
    assert [(u.what, u.why) for u in cfg.unresolved] == [
        ('"$secrets/user.php"', 'a "..." string with a $variable in it')
    ]


def test_a_missing_setting_names_the_include_that_was_not_followed(tmp_path: Path) -> None:
    text = """<?php
define('DB_NAME', 'x');
require_once get_secrets_dir() . '/db.php';
include __DIR__ . '/gone.php';
require_once ABSPATH . 'wp-settings.php';
require_once __DIR__ . '/vendor/autoload.php';
"""
    p = write(tmp_path, text)
    cfg = parse_wp_config(p, env={})
    assert cfg.db_name == "x"
    with pytest.raises(ConfigError) as exc:
        _ = cfg.db_password
    assert exc.value.message == (
        f"DB_PASSWORD is not defined in {p}; it includes get_secrets_dir() . '/db.php' "
        f"({p}:3) which pingdesk cannot resolve: get_secrets_dir() is not something "
        "pingdesk can evaluate without PHP"
    )
    # A missing file is no unknown (PHP would stop at it unless file_exists() guards it).
    assert [u.where for u in cfg.unresolved] == [f"{p}:3"]


def test_several_unknown_includes_are_counted(tmp_path: Path) -> None:
    p = write(tmp_path, "<?php\ninclude $a;\ninclude $b;\ninclude secrets_path();\n")
    with pytest.raises(ConfigError) as exc:
        _ = parse_wp_config(p, env={}).db_name
    assert exc.value.message == (
        f"DB_NAME is not defined in {p}; it includes $a ({p}:2) which pingdesk cannot "
        "resolve: $a is not set in the file (and 2 more includes)"
    )


def test_an_unreadable_include_says_why(tmp_path: Path) -> None:
    write(tmp_path, "<?php define('DB_PASSWORD', 'unterminated);", "db.php")
    p = write(tmp_path, "<?php\ninclude __DIR__ . '/db.php';\n")
    with pytest.raises(ConfigError) as exc:
        _ = parse_wp_config(p, env={}).db_password
    assert exc.value.message == (
        f"DB_PASSWORD is not defined in {p}; it includes {tmp_path}/db.php ({p}:2) "
        "which pingdesk cannot resolve: line 1: unterminated string"
    )


def test_broken_or_binary_includes_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "<?php define('A', 'unterminated);", "broken.php")
    (tmp_path / "blob.php").write_bytes(b"\x00\x01binary")
    text = """<?php
include __DIR__ . '/broken.php';
include __DIR__ . '/blob.php';
define('DB_NAME', 'still read');
"""
    cfg = parse_wp_config(write(tmp_path, text), env={})
    assert cfg.db_name == "still read" and "A" not in cfg.constants


def test_include_cycle_terminates(tmp_path: Path) -> None:
    write(tmp_path, "<?php include __DIR__ . '/b.php'; define('A', 1);", "a.php")
    write(tmp_path, "<?php include __DIR__ . '/a.php'; define('B', 2);", "b.php")
    cfg = parse_wp_config(tmp_path / "a.php")
    assert cfg.constants["A"] == 1 and cfg.constants["B"] == 2


def test_closing_tag_and_html(tmp_path: Path) -> None:
    text = "<html><?php define('DB_NAME', 'a'); ?>\n<?php define('DB_USER', 'b') ?>define('X', 1);"
    cfg = parse_wp_config(write(tmp_path, text))
    assert cfg.db_name == "a" and cfg.db_user == "b" and "X" not in cfg.constants


def test_crlf_bom_and_latin1(tmp_path: Path) -> None:
    p = tmp_path / "wp-config.php"
    p.write_bytes(b"\xef\xbb\xbf<?php\r\ndefine('DB_NAME', 'crlf');\r\n$table_prefix = 'c_';\r\n")
    cfg = parse_wp_config(p)
    assert cfg.db_name == "crlf" and cfg.prefix == "c_"
    p.write_bytes(b"<?php define('DB_PASSWORD', 'caf\xe9');")
    assert parse_wp_config(p).db_password == "café"


def test_relative_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, STOCK_SAMPLE)
    monkeypatch.chdir(tmp_path)
    cfg = parse_wp_config("wp-config.php")
    assert cfg.path == tmp_path / "wp-config.php"


# --------------------------------------------------------------------------- DB_HOST


@pytest.mark.parametrize(
    ("value", "expected", "socket"),
    [
        ("localhost", DbHost("localhost", None, None), True),
        ("localhost:3307", DbHost("localhost", 3307, None), True),
        ("", DbHost("", None, None), True),
        ("db.example.com", DbHost("db.example.com", None, None), False),
        ("127.0.0.1:3306", DbHost("127.0.0.1", 3306, None), False),
        ("db:0", DbHost("db", None, None), False),
        (
            "localhost:/var/run/mysqld/mysqld.sock",
            DbHost("localhost", None, "/var/run/mysqld/mysqld.sock"),
            True,
        ),
        (":/tmp/mysql.sock", DbHost("", None, "/tmp/mysql.sock"), True),
        ("127.0.0.1:3307:/tmp/x.sock", DbHost("127.0.0.1", 3307, "/tmp/x.sock"), True),
        ("[::1]:3307", DbHost("::1", 3307, None, True), False),
        ("::1", DbHost("::1", None, None, True), False),
        ("[2001:db8::5]", DbHost("2001:db8::5", None, None, True), False),
        ("2001:db8::5", DbHost("2001:db8::5", None, None, True), False),
    ],
)
def test_parse_db_host(value: str, expected: DbHost, socket: bool) -> None:
    got = parse_db_host(value)
    assert got == expected
    assert got.uses_socket is socket


# --------------------------------------------------------------------------- SQLite


def sqlite_cfg(tmp_path: Path, extra: str, env: dict[str, str] | None = None) -> WPConfig:
    return parse_wp_config(
        write(tmp_path / "site", f"<?php\n{extra}\n$table_prefix = 'wp_';"), env=env
    )


def test_sqlite_default_path(tmp_path: Path) -> None:
    cfg = sqlite_cfg(tmp_path, "define('DB_ENGINE', 'sqlite');")
    assert cfg.is_sqlite
    assert cfg.sqlite_path == tmp_path / "site/wp-content/database/.ht.sqlite"


def test_sqlite_db_dir_and_file(tmp_path: Path) -> None:
    cfg = sqlite_cfg(
        tmp_path,
        "define('DB_ENGINE', 'sqlite');\n"
        "define('DB_DIR', '/srv/db/');\n"
        "define('DB_FILE', 'blog.db');",
    )
    assert cfg.sqlite_path == Path("/srv/db/blog.db")
    cfg = sqlite_cfg(tmp_path, "define('DB_ENGINE', 'sqlite'); define('DB_FILE', 'x.sqlite');")
    assert cfg.sqlite_path == tmp_path / "site/wp-content/database/x.sqlite"


def test_sqlite_under_wp_content_dir(tmp_path: Path) -> None:
    cfg = sqlite_cfg(
        tmp_path, "define('DB_ENGINE', 'sqlite');\ndefine('WP_CONTENT_DIR', __DIR__ . '/content');"
    )
    assert cfg.sqlite_path == tmp_path / "site/content/database/.ht.sqlite"


def test_sqlite_fqdb(tmp_path: Path) -> None:
    cfg = sqlite_cfg(tmp_path, "define('DB_ENGINE', 'sqlite'); define('FQDB', '/data/wp.sqlite');")
    assert cfg.sqlite_path == Path("/data/wp.sqlite")


def test_sqlite_dropin_without_db_engine(tmp_path: Path) -> None:
    # Playground: the sample config (MySQL settings left in) plus the drop-in.
    dropin = tmp_path / "site/wp-content/db.php"
    dropin.parent.mkdir(parents=True)
    dropin.write_text("<?php\ndefine( 'SQLITE_DB_DROPIN_VERSION', '2.1.16' );\n")
    cfg = parse_wp_config(write(tmp_path / "site", STOCK_SAMPLE), env={})
    assert cfg.is_sqlite
    dropin.write_text("<?php // some other db.php drop-in, e.g. for query logging\n")
    assert not parse_wp_config(tmp_path / "site/wp-config.php", env={}).is_sqlite


def test_mysql_engine_explicitly(tmp_path: Path) -> None:
    assert not sqlite_cfg(tmp_path, "define('DB_ENGINE', 'mysql');").is_sqlite


# --------------------------------------------------------------------------- bad files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(tmp_path / "nope.php")
    one_line(exc, str(tmp_path / "nope.php"), "no such file")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    # Tests run as root, which reads any file: a folder is the unreadable stand-in.
    (tmp_path / "wp-config.php").mkdir()
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(tmp_path / "wp-config.php")
    one_line(exc, "wp-config.php", "is a directory")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path, STOCK_SAMPLE)

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(p)
    one_line(exc, str(p), "permission denied")


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("", ["the file is empty"]),
        ("   \n\n", ["the file is empty"]),
        ("define('DB_NAME', 'x');", ["not a PHP file", "<?php"]),
        ("<?php\n\ndefine('DB_NAME', 'x);\n", ["wp-config.php:3", "unterminated string"]),
        ('<?php\ndefine("DB_NAME", "x);\n', ["wp-config.php:2", "unterminated string"]),
        ("<?php\n/* define('DB_NAME', 'x');\n", ["wp-config.php:2", "unterminated /* comment"]),
        ("<?php\n\n\ndefine(DB_NAME 'x');\n", ["wp-config.php:4", "define()"]),
        ("<?php\n$x = <<<EOT\nabc\n", ["wp-config.php:2", "heredoc"]),
    ],
)
def test_malformed(tmp_path: Path, text: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(write(tmp_path, text))
    one_line(exc, str(tmp_path), *needles)


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "wp-config.php"
    p.write_bytes(b"SQLite format 3\x00" + bytes(100))
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(p)
    one_line(exc, str(p), "not a PHP file")


@pytest.mark.parametrize("name", ["DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST"])
def test_setting_not_defined(tmp_path: Path, name: str) -> None:
    text = STOCK_SAMPLE.replace(f"define( '{name}',", "// removed (")
    cfg = parse_wp_config(write(tmp_path, text), env={})
    with pytest.raises(ConfigError) as exc:
        getattr(cfg, name.lower())
    one_line(exc, str(tmp_path / "wp-config.php"), f"{name} is not defined")


def test_setting_needs_php(tmp_path: Path) -> None:
    text = """<?php
define('DB_NAME', 'blog');
define('DB_USER', 'u');
define('DB_PASSWORD', decrypt_secret('abc'));
define('DB_HOST', "db-$region.example");
define('WP_CACHE_KEY_SALT', some_function());  // unreadable but never needed
$table_prefix = 'wp_';
"""
    cfg = parse_wp_config(write(tmp_path, text), env={})
    assert cfg.db_name == "blog"
    with pytest.raises(ConfigError) as exc:
        _ = cfg.db_password
    one_line(exc, "wp-config.php:4", "DB_PASSWORD", "without running PHP", "decrypt_secret()")
    with pytest.raises(ConfigError) as exc:
        _ = cfg.db_host
    one_line(exc, "wp-config.php:5", "DB_HOST", "$variable")


def test_prefix_needs_php(tmp_path: Path) -> None:
    text = "<?php\ndefine('DB_NAME', 'x');\n\n$table_prefix = prefix_for(php_uname('n'));\n"
    with pytest.raises(ConfigError) as exc:
        parse_wp_config(write(tmp_path, text), env={})
    one_line(exc, "wp-config.php:4", "$table_prefix", "without running PHP")


def test_bad_number_constant(tmp_path: Path) -> None:
    cfg = parse_wp_config(write(tmp_path, "<?php define('BLOG_ID_CURRENT_SITE', 'main');"))
    with pytest.raises(ConfigError) as exc:
        _ = cfg.blog_id_current_site
    one_line(exc, "wp-config.php:1", "BLOG_ID_CURRENT_SITE must be a number")


def test_text_api_needs_no_file(tmp_path: Path) -> None:
    cfg = parse_wp_config_text("<?php define('DB_HOST', __DIR__);", tmp_path / "wp-config.php")
    assert cfg.db_host == str(tmp_path)


# --------------------------------------------------------------------------- finding


def make_wp_root(d: Path, *, config: bool = True) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "wp-load.php").write_text("<?php\n")
    (d / "wp-settings.php").write_text("<?php\n")
    (d / "wp-content/plugins/akismet").mkdir(parents=True, exist_ok=True)
    if config:
        (d / "wp-config.php").write_text(STOCK_SAMPLE)
    return d


def test_find_in_root_and_from_below(tmp_path: Path) -> None:
    root = make_wp_root(tmp_path / "www/blog")
    assert find_wp_config(root) == root / "wp-config.php"
    assert find_wp_config(root / "wp-content/plugins/akismet") == root / "wp-config.php"
    assert find_wp_config(root / "wp-load.php") == root / "wp-config.php"


def test_find_one_level_above_root(tmp_path: Path) -> None:
    # wp-load.php also accepts ../wp-config.php when that folder is not a WordPress root.
    root = make_wp_root(tmp_path / "site/public", config=False)
    (tmp_path / "site/wp-config.php").write_text(STOCK_SAMPLE)
    assert find_wp_config(root / "wp-content") == tmp_path / "site/wp-config.php"


def test_config_above_another_wordpress_root_is_not_used(tmp_path: Path) -> None:
    outer = make_wp_root(tmp_path / "outer")
    inner = make_wp_root(outer / "inner", config=False)
    assert find_wp_config(inner / "wp-content") is None
    # ... but the outer site is found from its own folders.
    assert find_wp_config(outer / "wp-content") == outer / "wp-config.php"


def test_nested_site_does_not_see_the_outer_config_further_up(tmp_path: Path) -> None:
    (tmp_path / "wp-config.php").write_text(STOCK_SAMPLE)
    parent = tmp_path / "a"
    make_wp_root(parent, config=False)
    (parent / "wp-settings.php").write_text("<?php\n")
    inner = make_wp_root(parent / "b", config=False)
    # inner's parent is a WordPress root, so neither rule applies; the walk stops there.
    assert find_wp_config(inner) is None


def test_find_wordpress_in_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "index.php").write_text(
        "<?php\ndefine( 'WP_USE_THEMES', true );\n"
        "require( dirname( __FILE__ ) . '/wordpress/wp-blog-header.php' );\n"
    )
    core = make_wp_root(tmp_path / "wordpress", config=False)
    (tmp_path / "wp-config.php").write_text(STOCK_SAMPLE)
    assert find_wp_config(tmp_path) == tmp_path / "wp-config.php"
    (tmp_path / "wp-config.php").unlink()
    (core / "wp-config.php").write_text(STOCK_SAMPLE)
    assert find_wp_config(tmp_path) == core / "wp-config.php"


def test_find_plain_folder_with_config(tmp_path: Path) -> None:
    (tmp_path / "wp-config.php").write_text(STOCK_SAMPLE)
    (tmp_path / "deep/er").mkdir(parents=True)
    assert find_wp_config(tmp_path / "deep/er") == tmp_path / "wp-config.php"


def test_find_nothing(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    assert find_wp_config(tmp_path / "x") is None
    # A folder named wp-config.php is not a config.
    (tmp_path / "y/wp-config.php").mkdir(parents=True)
    assert find_wp_config(tmp_path / "y") is None


# --------------------------------------------------------------------------- PHP agrees


PHP_DUMP = r"""<?php
define('ABSPATH', getenv('PD_ABSPATH'));
require getenv('PD_CONFIG');
$out = array('table_prefix' => isset($table_prefix) ? $table_prefix : null);
foreach (json_decode(getenv('PD_NAMES')) as $n) {
    $out[$n] = defined($n) ? constant($n) : '<undefined>';
}
echo json_encode($out);
"""


@pytest.mark.wordpress
@pytest.mark.parametrize("which", ["sample", "docker", "docker_env", "tricky"])
def test_php_agrees(tmp_path: Path, which: str) -> None:
    """What PHP itself defines from the same file (needs php-cli)."""
    php = shutil.which("php")
    assert php, "php-cli is needed for this test (bash .ci/test installs it)"
    text = {"sample": STOCK_SAMPLE, "docker": DOCKER, "docker_env": DOCKER, "tricky": TRICKY}[which]
    # The config requires ABSPATH . 'wp-settings.php': give it an empty one.
    abspath = tmp_path / "core"
    abspath.mkdir()
    (abspath / "wp-settings.php").write_text("<?php\n")
    config = write(tmp_path / "site", text)
    env = {"PATH": "/usr/bin:/bin"}
    if which == "docker_env":
        env |= {
            "WORDPRESS_DB_HOST": "[::1]:3307",
            "WORDPRESS_DB_PASSWORD": "pä$$'\"",
            "WORDPRESS_TABLE_PREFIX": "d_",
            "WORDPRESS_CONFIG_EXTRA": "define('WPCOM_API_KEY', 'k');",
        }
    names = [
        "DB_NAME",
        "DB_USER",
        "DB_PASSWORD",
        "DB_HOST",
        "DB_CHARSET",
        "WPCOM_API_KEY",
        "MULTISITE",
        "SUBDOMAIN_INSTALL",
        "DOMAIN_CURRENT_SITE",
        "BLOG_ID_CURRENT_SITE",
        "WP_HOME",
        "NOWDOC",
    ]
    (tmp_path / "dump.php").write_text(PHP_DUMP)
    run_env = env | {
        "PD_ABSPATH": f"{abspath}/",
        "PD_CONFIG": str(config),
        "PD_NAMES": json.dumps(names),
    }
    res = subprocess.run(
        [php, str(tmp_path / "dump.php")], env=run_env, capture_output=True, text=True, timeout=30
    )
    assert res.returncode == 0, res.stderr + res.stdout
    from_php = json.loads(res.stdout[res.stdout.index("{") :])
    cfg = parse_wp_config(config, env=env)
    ours: dict[str, object] = {"table_prefix": cfg.prefix}
    for n in names:
        ours[n] = cfg.constants.get(n, "<undefined>")
    assert ours == from_php
