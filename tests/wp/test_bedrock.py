"""Bedrock projects: settings in .env (or DATABASE_URL), the layout found from anywhere in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingdesk.errors import ConfigError
from pingdesk.wp.wpconfig import find_wp_config, parse_wp_config

# Bedrock's web/wp-config.php and a config/application.php laid out as Bedrock's is:
# Config::define() from env(), DATABASE_URL taking over, the prefix as plain PHP.
WP_CONFIG = """<?php
require_once dirname(__DIR__) . '/vendor/autoload.php';
require_once dirname(__DIR__) . '/config/application.php';
require_once ABSPATH . 'wp-settings.php';
"""
APPLICATION = """<?php
use Roots\\WPConfig\\Config;
use function Env\\env;

Env\\Env::$options = Env\\Env::CONVERT_BOOL | Env\\Env::CONVERT_NULL | Env\\Env::LOCAL_FIRST;
$root_dir = dirname(__DIR__);
$webroot_dir = $root_dir . '/web';
if (file_exists($root_dir . '/.env')) {
    $dotenv = Dotenv\\Dotenv::create($repository, $root_dir, ['.env'], false);
    $dotenv->load();
}
define('WP_ENV', env('WP_ENV') ?: 'production');
Config::define('DB_NAME', env('DB_NAME'));
Config::define('DB_USER', env('DB_USER'));
Config::define('DB_PASSWORD', env('DB_PASSWORD'));
Config::define('DB_HOST', env('DB_HOST') ?: 'localhost');
Config::define('DB_CHARSET', 'utf8mb4');
$table_prefix = env('DB_PREFIX') ?: 'wp_';
if (env('DATABASE_URL')) {
    $dsn = (object) parse_url(env('DATABASE_URL'));
    Config::define('DB_NAME', substr($dsn->path, 1));
}
$env_config = __DIR__ . '/environments/' . WP_ENV . '.php';
if (file_exists($env_config)) {
    require_once $env_config;
}
Config::apply();
if (!defined('ABSPATH')) {
    define('ABSPATH', $webroot_dir . '/wp/');
}
"""

ENV = """# Bedrock's .env: quotes, comments, export and ${VAR} as phpdotenv reads them
DB_NAME='bedrock_db'
DB_USER=deploy   # a comment after a value
export DB_PASSWORD="p@ss \\"word\\" $HOME"
DB_HOST="${DB_SERVER}:3307"
DB_SERVER=ignored-because-it-comes-later
DB_PREFIX=br_
WP_ENV=staging
WP_HOME='http://example.test'
WP_SITEURL="${WP_HOME}/wp"
LITERAL='${WP_HOME} stays'
"""


def project(root: Path, env: str | None = ENV) -> Path:
    (root / "web/wp").mkdir(parents=True)
    (root / "web/app/themes/theme").mkdir(parents=True)
    (root / "config/environments").mkdir(parents=True)
    (root / "web/wp-config.php").write_text(WP_CONFIG)
    (root / "web/wp/wp-settings.php").write_text("<?php\n")
    (root / "web/wp/wp-load.php").write_text("<?php\n")
    (root / "config/application.php").write_text(APPLICATION)
    (root / "config/environments/staging.php").write_text(
        "<?php\nuse Roots\\WPConfig\\Config;\nConfig::define('WP_DEBUG', true);\n"
        "define('STAGING_FILE_READ', true);\n"
    )
    if env is not None:
        (root / ".env").write_text(env)
    return root / "web/wp-config.php"


def test_settings_come_from_dotenv(tmp_path: Path) -> None:
    cfg = parse_wp_config(project(tmp_path), env={"DB_SERVER": "db.internal"})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host) == (
        "bedrock_db",
        "deploy",
        'p@ss "word" $HOME',
        "db.internal:3307",
    )
    assert (cfg.prefix, cfg.db_charset, cfg.bedrock_root) == ("br_", "utf8mb4", tmp_path)
    assert cfg.where("DB_USER") == f"{tmp_path}/.env:3"
    assert cfg.where("DB_PASSWORD") == f"{tmp_path}/.env:4"
    # WP_ENV from .env picked config/environments/staging.php, which was read.
    assert cfg.constants["WP_ENV"] == "staging" and cfg.constants["STAGING_FILE_READ"] is True
    assert cfg.unresolved == []


def test_interpolation_follows_phpdotenv(tmp_path: Path) -> None:
    from pingdesk.wp.bedrock import read_dotenv

    project(tmp_path)
    env = read_dotenv(tmp_path, {})
    assert env.values["WP_SITEURL"] == "http://example.test/wp"
    assert env.values["LITERAL"] == "${WP_HOME} stays"  # single quotes: no expansion
    assert env.values["DB_HOST"] == ":3307"  # DB_SERVER is set only later in the file


def test_environment_beats_dotenv_and_local_beats_dotenv(tmp_path: Path) -> None:
    config = project(tmp_path)
    (tmp_path / ".env.local").write_text("DB_NAME=local_db\nDB_USER=local_user\n")
    cfg = parse_wp_config(config, env={"DB_USER": "from_env"})
    assert (cfg.db_name, cfg.db_user) == ("local_db", "from_env")
    assert cfg.where("DB_NAME") == f"{tmp_path}/.env.local:1"
    assert cfg.where("DB_USER") == "the environment"


def test_database_url_takes_over(tmp_path: Path) -> None:
    config = project(
        tmp_path, ENV + "DATABASE_URL='mysql://dsn_user:dsn%20pw@db.example:3308/dsn_db'\n"
    )
    cfg = parse_wp_config(config, env={})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host) == (
        "dsn_db",
        "dsn_user",
        "dsn%20pw",  # PHP's parse_url() decodes nothing, so neither does Bedrock
        "db.example:3308",
    )
    assert cfg.prefix == "br_"


def test_database_url_alone(tmp_path: Path) -> None:
    config = project(tmp_path, "DATABASE_URL=mysql://u:p@[::1]/db\n")
    cfg = parse_wp_config(config, env={})
    assert (cfg.db_name, cfg.db_host, cfg.prefix) == ("db", "[::1]", "wp_")
    assert cfg.db_host_parts.host == "::1"


def test_env_function_conversions(tmp_path: Path) -> None:
    config = project(tmp_path, "DB_NAME=db\nDB_USER=null\nDB_PASSWORD=true\nDB_HOST=\n")
    cfg = parse_wp_config(config, env={})
    assert (cfg.db_password, cfg.db_host) == ("1", "localhost")
    with pytest.raises(ConfigError) as exc:
        _ = cfg.db_user
    assert exc.value.message == (
        f"DB_USER is not set for the Bedrock site in {tmp_path}: "
        f"set it (or DATABASE_URL) in {tmp_path}/.env or the environment"
    )


def test_without_dotenv_the_environment_counts(tmp_path: Path) -> None:
    config = project(tmp_path, env=None)
    cfg = parse_wp_config(config, env={"DB_NAME": "n", "DB_USER": "u", "DB_PASSWORD": "p"})
    assert (cfg.db_name, cfg.db_user, cfg.db_password, cfg.db_host) == ("n", "u", "p", "localhost")


def test_broken_dotenv_line_is_named(tmp_path: Path) -> None:
    config = project(tmp_path, "DB_NAME=ok\nthis is not a binding\n")
    with pytest.raises(ConfigError, match=r"\.env:2: cannot parse this line of the \.env file"):
        parse_wp_config(config, env={})


@pytest.mark.parametrize("start", [".", "config", "web", "web/wp", "web/app/themes/theme"])
def test_found_from_anywhere_in_the_project(tmp_path: Path, start: str) -> None:
    config = project(tmp_path / "site")
    assert find_wp_config(tmp_path / "site" / start) == config
